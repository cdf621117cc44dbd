package io.rtml.evaluation;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.rtml.inference.Prediction;
import io.rtml.sink.PredictionJson;
import java.io.IOException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Reads the committed predictions for the live evaluation: of each prediction record only what the
 * evaluation needs (event id, score, decision, model version), streamed without building a tree. A
 * record that is not a prediction becomes one without an event id, which the join counts and drops.
 */
public final class PredictionScores implements KafkaRecordDeserializationSchema<ScoredLabel> {
    private static final long serialVersionUID = 1L;

    private static final JsonFactory JSON = new JsonFactory();

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<ScoredLabel> out) {
        ScoredLabel scored = record.value() == null ? null : parse(record.value());
        out.collect(scored == null ? new ScoredLabel(null, 0, false, -1, null) : scored);
    }

    /** The prediction's score waiting for its label, or {@code null} if it is not one. */
    static ScoredLabel parse(byte[] value) {
        ScoredLabel scored = new ScoredLabel(null, Float.NaN, false, -1, null);
        try (JsonParser json = JSON.createParser(value)) {
            if (json.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (json.nextToken() == JsonToken.FIELD_NAME) {
                String field = json.currentName();
                JsonToken token = json.nextToken();
                switch (field) {
                    case PredictionJson.EVENT_ID ->
                            scored.eventId =
                                    token == JsonToken.VALUE_STRING ? json.getText() : null;
                    case PredictionJson.SCORE ->
                            scored.score = token.isNumeric() ? json.getFloatValue() : Float.NaN;
                    case PredictionJson.DECISION ->
                            scored.flagged =
                                    token == JsonToken.VALUE_STRING
                                            && Prediction.FLAG.equals(json.getText());
                    case PredictionJson.MODEL_VERSION ->
                            scored.modelVersion =
                                    token == JsonToken.VALUE_STRING ? json.getText() : null;
                    default -> json.skipChildren();
                }
            }
        } catch (IOException e) {
            return null;
        }
        return scored.eventId == null || Float.isNaN(scored.score) ? null : scored;
    }

    @Override
    public TypeInformation<ScoredLabel> getProducedType() {
        return TypeInformation.of(ScoredLabel.class);
    }
}
