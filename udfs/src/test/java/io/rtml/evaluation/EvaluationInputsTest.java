package io.rtml.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtml.inference.Prediction;
import io.rtml.metrics.MetricNames;
import io.rtml.sink.PredictionJson;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.util.ListCollector;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.util.UserCodeClassLoader;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** The live evaluation reads the predictions and the labels topics, and only what they hold. */
class EvaluationInputsTest {
    private static Prediction prediction(String decision) {
        Prediction prediction = new Prediction();
        prediction.eventId = "e-42";
        prediction.cardId = "c-7";
        prediction.eventTimeMs = 1_767_225_600_000L;
        prediction.ingestTimeMs = 1_767_225_600_010L;
        prediction.scoredTimeMs = 1_767_225_600_020L;
        prediction.score = 0.8125f;
        prediction.decision = decision;
        prediction.modelName = "fraud";
        prediction.modelVersion = "4";
        prediction.featureSet = "fraud-v3";
        return prediction;
    }

    @Test
    void readsTheScoreDecisionAndVersionOfAWrittenPrediction() {
        ScoredLabel scored =
                EvaluationInputs.prediction(PredictionJson.write(prediction(Prediction.FLAG)));

        assertThat(scored.eventId).isEqualTo("e-42");
        assertThat(scored.score).isEqualTo(0.8125f);
        assertThat(scored.flagged).isTrue();
        assertThat(scored.modelVersion).isEqualTo("4");
        assertThat(scored.label).isEqualTo(-1);
    }

    @Test
    void readsAPassAsNotFlaggedWhateverFieldsFollow() {
        Prediction passed = prediction(Prediction.PASS);
        passed.fallbackReason = "timeout";

        ScoredLabel scored = EvaluationInputs.prediction(PredictionJson.write(passed));

        assertThat(scored.flagged).isFalse();
        assertThat(scored.eventId).isEqualTo("e-42");
    }

    @Test
    void refusesWhatIsNotAPrediction() {
        assertThat(parse("not json")).isNull();
        assertThat(parse("[1, 2]")).isNull();
        assertThat(parse("{\"event_id\": \"e-1\"}")).isNull(); // no score
        assertThat(parse("{\"event_id\": 7, \"score\": 0.5}")).isNull();
        assertThat(parse("{\"event_id\": \"e-1\", \"score\": \"high\"}")).isNull();
    }

    @Test
    void skipsNestedValuesItDoesNotNeed() {
        ScoredLabel scored =
                parse(
                        "{\"extra\": {\"event_id\": \"inner\"}, \"event_id\": \"e-9\","
                                + " \"list\": [1, {\"score\": 9}], \"score\": 0.25,"
                                + " \"decision\": \"flag\"}");

        assertThat(scored.eventId).isEqualTo("e-9");
        assertThat(scored.score).isEqualTo(0.25f);
        assertThat(scored.flagged).isTrue();
    }

    @Test
    void readsEachTopicsRecordsAsWhatTheyAreAndCountsAndDropsTheRest() throws Exception {
        EvaluationInputs inputs = new EvaluationInputs("predictions");
        SimpleCounter unreadablePredictions = new SimpleCounter();
        SimpleCounter unreadableLabels = new SimpleCounter();
        inputs.open(context(unreadablePredictions, unreadableLabels));
        List<ScoredLabel> out = new ArrayList<>();
        ListCollector<ScoredLabel> collector = new ListCollector<>(out);

        inputs.deserialize(
                record("predictions", PredictionJson.write(prediction(Prediction.PASS))),
                collector);
        inputs.deserialize(record("labels", Label.write("e-42", true, "card_testing")), collector);
        inputs.deserialize(record("predictions", "not json".getBytes()), collector);
        inputs.deserialize(record("labels", Label.write("e-43", false, "legit")), collector);
        inputs.deserialize(record("labels", "{\"event_id\": \"e-44\"}".getBytes()), collector);
        inputs.deserialize(record("labels", null), collector);

        assertThat(out).extracting(s -> s.eventId).containsExactly("e-42", "e-42", "e-43");
        assertThat(out.get(0).label).as("a prediction waits for its label").isEqualTo(-1);
        assertThat(out.get(0).score).isEqualTo(0.8125f);
        assertThat(out.get(1).label).as("the label").isEqualTo(1);
        assertThat(out.get(1).score).isNaN();
        assertThat(out.get(2).label).isZero();
        assertThat(unreadablePredictions.getCount()).isEqualTo(1);
        assertThat(unreadableLabels.getCount()).isEqualTo(2);
    }

    private static ConsumerRecord<byte[], byte[]> record(String topic, byte[] value) {
        return new ConsumerRecord<>(topic, 0, 0, null, value);
    }

    /** A context whose metric group hands out the two counters by name. */
    private static DeserializationSchema.InitializationContext context(
            Counter unreadablePredictions, Counter unreadableLabels) {
        MetricGroup group =
                new UnregisteredMetricsGroup() {
                    @Override
                    public MetricGroup addGroup(String name) {
                        return this;
                    }

                    @Override
                    public <C extends Counter> C counter(String name, C counter) {
                        return counter;
                    }

                    @Override
                    public Counter counter(String name) {
                        return name.equals(MetricNames.PREDICTIONS_UNREADABLE)
                                ? unreadablePredictions
                                : unreadableLabels;
                    }
                };
        return new DeserializationSchema.InitializationContext() {
            @Override
            public MetricGroup getMetricGroup() {
                return group;
            }

            @Override
            public UserCodeClassLoader getUserCodeClassLoader() {
                throw new UnsupportedOperationException();
            }
        };
    }

    private static ScoredLabel parse(String json) {
        return EvaluationInputs.prediction(json.getBytes(StandardCharsets.UTF_8));
    }
}
