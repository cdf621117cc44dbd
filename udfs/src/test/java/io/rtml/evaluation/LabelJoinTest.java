package io.rtml.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtml.inference.Prediction;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LabelJoinTest {
    private static final Duration TTL = Duration.ofMinutes(10);

    private KeyedOneInputStreamOperatorTestHarness<String, ScoredLabel, ScoredLabel> harness;

    @BeforeEach
    void open() throws Exception {
        harness =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(new LabelJoin(TTL)),
                        scored -> scored.eventId,
                        Types.STRING);
        harness.setStateTtlProcessingTime(0);
        harness.open();
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    /** A prediction as it enters the join: its score and decision, no label yet. */
    private static ScoredLabel prediction(String eventId, float score, String decision) {
        Prediction prediction = new Prediction();
        prediction.eventId = eventId;
        prediction.score = score;
        prediction.decision = decision;
        prediction.modelVersion = "2";
        return ScoredLabel.of(prediction);
    }

    private List<ScoredLabel> output() {
        return harness.extractOutputValues();
    }

    @Test
    void joinsAPredictionWithTheLabelThatFollowsIt() throws Exception {
        harness.processElement(prediction("e-1", 0.9f, Prediction.FLAG), 0);
        assertThat(output()).isEmpty();
        harness.processElement(label("e-1", 1), 0);

        assertThat(output()).hasSize(1);
        ScoredLabel joined = output().get(0);
        assertThat(joined.eventId).isEqualTo("e-1");
        assertThat(joined.score).isEqualTo(0.9f);
        assertThat(joined.flagged).isTrue();
        assertThat(joined.label).isEqualTo(1);
        assertThat(joined.modelVersion).isEqualTo("2");
    }

    @Test
    void joinsALabelThatArrivesBeforeItsPrediction() throws Exception {
        harness.processElement(label("e-2", 0), 0);
        harness.processElement(prediction("e-2", 0.1f, Prediction.PASS), 0);

        assertThat(output())
                .singleElement()
                .satisfies(
                        j -> {
                            assertThat(j.label).isZero();
                            assertThat(j.flagged).isFalse();
                        });
    }

    @Test
    void joinsEachPairOnceAndKeepsNothingAfterwards() throws Exception {
        harness.processElement(prediction("e-3", 0.5f, Prediction.PASS), 0);
        harness.processElement(label("e-3", 0), 0);
        // A label repeated (a redelivered chargeback) finds nothing left to join.
        harness.processElement(label("e-3", 0), 0);

        assertThat(output()).hasSize(1);
        assertThat(harness.numKeyedStateEntries()).isEqualTo(1); // the repeated label, waiting
    }

    @Test
    void forgetsAPredictionWhoseLabelComesAfterTheTimeToLive() throws Exception {
        harness.processElement(prediction("e-4", 0.5f, Prediction.PASS), 0);
        harness.setStateTtlProcessingTime(TTL.toMillis() + 1);
        harness.processElement(label("e-4", 1), 0);

        assertThat(output()).isEmpty();
    }

    @Test
    void keepsTheLaterOfTwoPredictionsOfAnEventWaitingAndJoinsItOnce() throws Exception {
        harness.processElement(prediction("e-5", 0.2f, Prediction.PASS), 0);
        harness.processElement(prediction("e-5", 0.7f, Prediction.FLAG), 0); // a replay's
        harness.processElement(label("e-5", 1), 0);

        assertThat(output())
                .singleElement()
                .satisfies(
                        j -> {
                            assertThat(j.score).isEqualTo(0.7f);
                            assertThat(j.label).isEqualTo(1);
                        });
        assertThat(harness.numKeyedStateEntries()).isZero();
    }

    /** A label as it enters the join: no score yet. */
    private static ScoredLabel label(String eventId, int label) {
        return new ScoredLabel(eventId, Float.NaN, false, label, null);
    }
}
