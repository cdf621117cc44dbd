package io.rtml.evaluation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The ground truth of an event, arriving later as chargebacks do: a record of the labels topic,
 * {@code {"event_id": "...", "label": 1}} (README, "Online evaluation").
 */
public class Label {
    public static final String EVENT_ID = "event_id";
    public static final String LABEL = "label";

    private static final ObjectMapper JSON = new ObjectMapper();

    public String eventId;

    /** 1 for fraud, 0 for legitimate. */
    public int label;

    public Label() {}

    public Label(String eventId, int label) {
        this.eventId = eventId;
        this.label = label;
    }

    public static byte[] write(String eventId, boolean fraud, String pattern) {
        return JSON.createObjectNode()
                .put(EVENT_ID, eventId)
                .put(LABEL, fraud ? 1 : 0)
                .put("pattern", pattern)
                .toString()
                .getBytes(StandardCharsets.UTF_8);
    }

    /** The label in a record, or {@code null} when the record is not one (it is skipped). */
    public static Label parse(byte[] value) {
        try {
            JsonNode node = JSON.readTree(value);
            JsonNode id = node == null ? null : node.path(EVENT_ID);
            JsonNode label = node == null ? null : node.path(LABEL);
            if (id == null
                    || !id.isTextual()
                    || !label.isInt()
                    || (label.asInt() != 0 && label.asInt() != 1)) {
                return null;
            }
            return new Label(id.asText(), label.asInt());
        } catch (IOException e) {
            return null;
        }
    }

    /** Reads the labels topic; records that are not labels are counted by the caller's metrics. */
    public static final class Deserializer implements KafkaRecordDeserializationSchema<Label> {
        private static final long serialVersionUID = 1L;

        @Override
        public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<Label> out) {
            Label label = record.value() == null ? null : parse(record.value());
            out.collect(label == null ? new Label(null, -1) : label);
        }

        @Override
        public TypeInformation<Label> getProducedType() {
            return TypeInformation.of(Label.class);
        }
    }
}
