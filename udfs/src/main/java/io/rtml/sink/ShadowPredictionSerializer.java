package io.rtml.sink;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rtml.inference.Prediction;
import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The shadow-predictions record (docs/models.md, "Model hot swap"): the challenger's score and
 * decision for an event, beside the champion's, keyed by card.
 */
public class ShadowPredictionSerializer implements KafkaRecordSerializationSchema<Prediction> {
    /** The record's layout version (schemas/shadow-prediction.schema.json). */
    public static final int RECORD_VERSION = 1;

    private static final long serialVersionUID = 1L;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String topic;

    public ShadowPredictionSerializer(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
            Prediction prediction, KafkaSinkContext context, Long timestamp) {
        return new ProducerRecord<>(
                topic,
                null,
                prediction.eventTimeMs,
                prediction.cardId.getBytes(StandardCharsets.UTF_8),
                write(prediction));
    }

    public static byte[] write(Prediction prediction) {
        ObjectNode json =
                JSON.createObjectNode()
                        .put(PredictionJson.SCHEMA_VERSION, RECORD_VERSION)
                        .put(PredictionJson.EVENT_ID, prediction.eventId)
                        .put(PredictionJson.CARD_ID, prediction.cardId)
                        .put(PredictionJson.EVENT_TIME_MS, prediction.eventTimeMs)
                        .put(PredictionJson.MODEL, prediction.modelName)
                        .put(PredictionJson.MODEL_VERSION, prediction.shadowVersion)
                        .put(PredictionJson.SCORE, prediction.shadowScore)
                        .put(PredictionJson.DECISION, prediction.shadowDecision)
                        .put("champion_version", prediction.modelVersion)
                        .put("champion_score", prediction.score)
                        .put("champion_decision", prediction.decision)
                        .put("agrees", prediction.shadowDecision.equals(prediction.decision));
        return json.toString().getBytes(StandardCharsets.UTF_8);
    }
}
