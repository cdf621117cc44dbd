package io.rtml.evaluation;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/** One window of the live evaluation, as written to the evaluation topic (docs/models.md). */
public class EvaluationRecord {
    /** The record's layout version (schemas/evaluation.schema.json). */
    public static final int RECORD_VERSION = 1;

    /** The window, in processing time (when the labels were joined). */
    public long windowStartMs;

    public long windowEndMs;
    public long labelled;
    public long positives;
    public double precision;
    public double recall;
    public double prAuc;

    /** The model versions whose predictions are in the window, comma-separated. */
    public String modelVersions;

    public EvaluationRecord() {}

    public byte[] toJson() {
        ObjectNode json =
                new ObjectMapper()
                        .createObjectNode()
                        .put("schema_version", RECORD_VERSION)
                        .put("window_start_ms", windowStartMs)
                        .put("window_end_ms", windowEndMs)
                        .put("labelled", labelled)
                        .put("positives", positives)
                        .put("model_versions", modelVersions);
        number(json, "precision", precision);
        number(json, "recall", recall);
        number(json, "pr_auc", prAuc);
        return json.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void number(ObjectNode json, String field, double value) {
        if (Double.isNaN(value)) {
            json.putNull(field);
        } else {
            json.put(field, value);
        }
    }

    /** Writes records to the evaluation topic. */
    public static final class Serializer
            implements KafkaRecordSerializationSchema<EvaluationRecord> {
        private static final long serialVersionUID = 1L;

        private final String topic;

        public Serializer(String topic) {
            this.topic = topic;
        }

        @Override
        public ProducerRecord<byte[], byte[]> serialize(
                EvaluationRecord record, KafkaSinkContext context, Long timestamp) {
            return new ProducerRecord<>(topic, null, record.windowEndMs, null, record.toJson());
        }
    }
}
