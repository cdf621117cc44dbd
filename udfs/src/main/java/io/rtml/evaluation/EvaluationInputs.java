package io.rtml.evaluation;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.rtml.inference.Prediction;
import io.rtml.metrics.MetricNames;
import io.rtml.sink.PredictionJson;
import java.io.IOException;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Reads what the live evaluation joins, from one source over two topics: each committed prediction
 * as its score waiting for its label ({@link ScoredLabel#label} -1), each label as the label
 * waiting for its prediction (score NaN). Of a prediction only what the evaluation needs is read
 * (event id, score, decision, model version), streamed without building a tree. A record that is
 * neither is counted ({@code predictions_unreadable}, {@code labels_unreadable}) and dropped.
 */
public final class EvaluationInputs implements KafkaRecordDeserializationSchema<ScoredLabel> {
    private static final long serialVersionUID = 1L;

    private static final JsonFactory JSON = new JsonFactory();

    private final String predictionsTopic;

    private transient Counter unreadablePredictions;
    private transient Counter unreadableLabels;

    /** Records of {@code predictionsTopic} are predictions, of any other topic labels. */
    public EvaluationInputs(String predictionsTopic) {
        this.predictionsTopic = predictionsTopic;
    }

    @Override
    public void open(DeserializationSchema.InitializationContext context) {
        MetricGroup group = context.getMetricGroup().addGroup(MetricNames.GROUP);
        unreadablePredictions = group.counter(MetricNames.PREDICTIONS_UNREADABLE);
        unreadableLabels = group.counter(MetricNames.LABELS_UNREADABLE);
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<ScoredLabel> out) {
        byte[] value = record.value();
        if (predictionsTopic.equals(record.topic())) {
            ScoredLabel scored = value == null ? null : prediction(value);
            if (scored == null) {
                unreadablePredictions.inc();
            } else {
                out.collect(scored);
            }
        } else {
            Label label = value == null ? null : Label.parse(value);
            if (label == null) {
                unreadableLabels.inc();
            } else {
                out.collect(new ScoredLabel(label.eventId, Float.NaN, false, label.label, null));
            }
        }
    }

    /** The prediction's score waiting for its label, or {@code null} if it is not one. */
    static ScoredLabel prediction(byte[] value) {
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
