package io.rtml.inference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * A record of the model-control topic (docs/models.md, "Model hot swap"): which model version is to
 * be active, e.g. {@code {"model": "fraud", "version": "5", "shadow_version": "4"}}. A record that
 * is not one is kept with {@link #error} set, so the router reports it instead of dropping it.
 */
public class ModelControl {
    public static final String MODEL = "model";
    public static final String VERSION = "version";
    public static final String SHADOW_VERSION = "shadow_version";

    private static final ObjectMapper JSON = new ObjectMapper();

    public String model;
    public String version;
    public String shadowVersion;

    /** Why the record is not a valid control message, or {@code null}. */
    public String error;

    /** Where it came from, for the log. */
    public long offset;

    public ModelControl() {}

    public static ModelControl parse(byte[] value, long offset) {
        ModelControl control = new ModelControl();
        control.offset = offset;
        try {
            JsonNode node = JSON.readTree(value);
            if (node == null || !node.isObject()) {
                control.error = "not a JSON object";
                return control;
            }
            control.model = text(node, MODEL);
            control.version = text(node, VERSION);
            JsonNode shadow = node.path(SHADOW_VERSION);
            control.shadowVersion =
                    shadow.isTextual() && !shadow.asText().isBlank() ? shadow.asText() : null;
            if (control.model == null || control.version == null) {
                control.error = "\"model\" and \"version\" must be non-empty strings";
            } else if (!shadow.isMissingNode() && !shadow.isNull() && !shadow.isTextual()) {
                control.error = "\"shadow_version\" must be a string or null";
            }
        } catch (IOException e) {
            control.error = "malformed JSON: " + e.getMessage();
        }
        return control;
    }

    /** The record a producer writes to switch versions. */
    public static byte[] write(String model, String version, String shadowVersion) {
        var node = JSON.createObjectNode().put(MODEL, model).put(VERSION, version);
        if (shadowVersion != null) {
            node.put(SHADOW_VERSION, shadowVersion);
        }
        return node.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isTextual() && !value.asText().isBlank() ? value.asText() : null;
    }

    /** Reads the model-control topic. */
    public static final class Deserializer
            implements KafkaRecordDeserializationSchema<ModelControl> {
        private static final long serialVersionUID = 1L;

        @Override
        public void deserialize(
                ConsumerRecord<byte[], byte[]> record, Collector<ModelControl> out) {
            out.collect(
                    parse(record.value() == null ? new byte[0] : record.value(), record.offset()));
        }

        @Override
        public TypeInformation<ModelControl> getProducedType() {
            return TypeInformation.of(ModelControl.class);
        }
    }
}
