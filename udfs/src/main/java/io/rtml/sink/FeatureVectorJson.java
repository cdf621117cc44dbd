package io.rtml.sink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rtml.features.FeatureVector;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The feature log record (docs/features.md, "Feature log"): a served feature vector with its event
 * and the model that scored it. Values are written as Java prints floats, so they read back bit for
 * bit.
 */
public final class FeatureVectorJson implements KafkaRecordSerializationSchema<FeatureVector> {
    /** The record's layout version (schemas/feature-log.schema.json). */
    public static final int RECORD_VERSION = 1;

    private static final long serialVersionUID = 1L;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final String topic;
    private final List<String> columns;

    public FeatureVectorJson(String topic, List<String> columns) {
        this.topic = topic;
        this.columns = List.copyOf(columns);
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
            FeatureVector vector, KafkaSinkContext context, Long timestamp) {
        // The event's own time, not the stream's: a feature stage may emit from a timer.
        return new ProducerRecord<>(
                topic,
                null,
                vector.eventTimeMs,
                vector.cardId.getBytes(StandardCharsets.UTF_8),
                write(vector, columns).getBytes(StandardCharsets.UTF_8));
    }

    public static String write(FeatureVector vector, List<String> columns) {
        StringBuilder json = new StringBuilder(64 + 32 * columns.size());
        json.append("{\"schema_version\":").append(RECORD_VERSION);
        json.append(",\"event_id\":");
        quote(json, vector.eventId);
        json.append(",\"card_id\":");
        quote(json, vector.cardId);
        json.append(",\"event_time_ms\":").append(vector.eventTimeMs);
        json.append(",\"feature_set\":");
        quote(json, vector.featureSet);
        json.append(",\"model\":");
        quote(json, vector.modelName);
        json.append(",\"model_version\":");
        quote(json, vector.modelVersion);
        json.append(",\"features\":")
                .append(PredictionJson.writeFeatures(columns, vector.values))
                .append('}');
        return json.toString();
    }

    /** Reads a record back; the values come in the order of the record's feature names. */
    public static FeatureVector read(byte[] bytes) {
        JsonNode node;
        try {
            node = MAPPER.readTree(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("not a feature log record", e);
        }
        FeatureVector vector = new FeatureVector();
        vector.eventId = node.path("event_id").asText();
        vector.cardId = node.path("card_id").asText();
        vector.eventTimeMs = node.path("event_time_ms").asLong();
        vector.featureSet = node.path("feature_set").asText();
        vector.modelName = node.path("model").asText();
        vector.modelVersion = node.path("model_version").asText();
        JsonNode features = node.path("features");
        vector.values = new float[features.size()];
        Iterator<Map.Entry<String, JsonNode>> fields = features.fields();
        for (int i = 0; fields.hasNext(); i++) {
            vector.values[i] = Float.parseFloat(fields.next().getValue().asText());
        }
        return vector;
    }

    private static void quote(StringBuilder json, String text) {
        try {
            json.append(MAPPER.writeValueAsString(text));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
