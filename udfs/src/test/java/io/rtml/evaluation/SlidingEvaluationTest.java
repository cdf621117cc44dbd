package io.rtml.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SlidingEvaluationTest {
    private static final Duration WINDOW = Duration.ofSeconds(30);
    private static final Duration SLIDE = Duration.ofSeconds(10);

    private KeyedOneInputStreamOperatorTestHarness<Integer, ScoredLabel, EvaluationRecord> harness;

    @BeforeEach
    void open() throws Exception {
        harness = newHarness();
        harness.open();
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    private static KeyedOneInputStreamOperatorTestHarness<Integer, ScoredLabel, EvaluationRecord>
            newHarness() throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new SlidingEvaluation(WINDOW, SLIDE)),
                s -> 0,
                Types.INT);
    }

    private static ScoredLabel row(float score, int label, boolean flagged, String version) {
        return new ScoredLabel("e", score, flagged, label, version);
    }

    private void at(long timeMs, ScoredLabel row) throws Exception {
        harness.setProcessingTime(timeMs);
        harness.processElement(row, 0);
    }

    private List<EvaluationRecord> records() {
        return harness.extractOutputValues();
    }

    @Test
    void writesOneRecordPerSlideOverTheLastWindow() throws Exception {
        at(1_000, row(0.9f, 1, true, "2"));
        at(2_000, row(0.2f, 0, false, "2"));
        harness.setProcessingTime(10_000);

        assertThat(records())
                .singleElement()
                .satisfies(
                        r -> {
                            assertThat(r.windowStartMs).isEqualTo(-20_000);
                            assertThat(r.windowEndMs).isEqualTo(10_000);
                            assertThat(r.labelled).isEqualTo(2);
                            assertThat(r.positives).isEqualTo(1);
                            assertThat(r.precision).isEqualTo(1.0);
                            assertThat(r.recall).isEqualTo(1.0);
                            assertThat(r.prAuc).isEqualTo(1.0);
                            assertThat(r.modelVersions).isEqualTo("2");
                        });
    }

    @Test
    void aRowCountsInEveryWindowThatCoversItThenLeaves() throws Exception {
        at(1_000, row(0.9f, 1, true, "2"));
        at(15_000, row(0.4f, 1, false, "3"));
        harness.setProcessingTime(50_000);

        // Windows ending 10 s, 20 s, 30 s hold the first row; 20 s to 40 s the second.
        assertThat(records())
                .extracting(r -> r.windowEndMs)
                .containsExactly(10_000L, 20_000L, 30_000L, 40_000L);
        assertThat(records()).extracting(r -> r.labelled).containsExactly(1L, 2L, 2L, 1L);
        assertThat(records())
                .extracting(r -> r.modelVersions)
                .containsExactly("2", "2,3", "2,3", "3");
        assertThat(records().get(1).recall).isEqualTo(0.5);
        // Once both rows left every window, no state is left either.
        assertThat(harness.numKeyedStateEntries()).isZero();
    }

    @Test
    void keepsItsRowsThroughACheckpoint() throws Exception {
        at(1_000, row(0.9f, 1, true, "2"));
        at(2_000, row(0.3f, 0, true, "2"));
        OperatorSubtaskState snapshot = harness.snapshot(1, 2_000);
        harness.close();

        harness = newHarness();
        harness.initializeState(snapshot);
        harness.open();
        harness.setProcessingTime(10_000);

        assertThat(records())
                .singleElement()
                .satisfies(
                        r -> {
                            assertThat(r.labelled).isEqualTo(2);
                            assertThat(r.precision).isEqualTo(0.5);
                        });
    }

    @Test
    void refusesASlideLongerThanTheWindow() {
        assertThatThrownBy(() -> new SlidingEvaluation(SLIDE, WINDOW))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("slide");
    }
}
