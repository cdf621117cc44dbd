package io.rtml.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rtml.event.TransactionEvent;
import io.rtml.features.PartialFeatures;
import java.time.Duration;
import java.util.List;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** How finished vectors become batches: by size, by delay, and never held across a checkpoint. */
class VectorBatcherTest {
    private static final int COLUMNS = 3;
    private static final long DELAY_MS = 5;

    private OneInputStreamOperatorTestHarness<PartialFeatures, ScoringBatch> harness;

    @BeforeEach
    void open() throws Exception {
        harness =
                new OneInputStreamOperatorTestHarness<>(
                        new VectorBatcher("set-v1", COLUMNS, 4, Duration.ofMillis(DELAY_MS)));
        harness.setProcessingTime(1_000);
        harness.open();
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    private static PartialFeatures row(int i) {
        TransactionEvent event = new TransactionEvent();
        event.eventId = "e-" + i;
        event.cardId = "c-" + (i % 3);
        event.eventTimeMs = 10_000L + i;
        event.ingestTimeMs = 20_000L + i;
        PartialFeatures partial = new PartialFeatures(event, new float[] {i, i + 0.5f, -i});
        partial.modelName = "fraud";
        partial.modelVersion = i % 2 == 0 ? "4" : "5";
        partial.shadowVersion = i == 1 ? "6" : null;
        return partial;
    }

    private void feed(int from, int to) throws Exception {
        for (int i = from; i < to; i++) {
            harness.processElement(row(i), 0);
        }
    }

    private List<ScoringBatch> batches() {
        return harness.extractOutputValues();
    }

    @Test
    void cutsABatchWhenItHoldsTheMostRows() throws Exception {
        feed(0, 10);

        assertThat(batches()).hasSize(2);
        ScoringBatch first = batches().get(0);
        assertThat(first.rows).isEqualTo(4);
        assertThat(first.featureSet).isEqualTo("set-v1");
        assertThat(first.columns).isEqualTo(COLUMNS);
        assertThat(first.eventIds).containsExactly("e-0", "e-1", "e-2", "e-3");
        assertThat(first.cardIds).containsExactly("c-0", "c-1", "c-2", "c-0");
        assertThat(first.eventTimeMs).containsExactly(10_000L, 10_001L, 10_002L, 10_003L);
        assertThat(first.ingestTimeMs).containsExactly(20_000L, 20_001L, 20_002L, 20_003L);
        assertThat(first.modelNames).containsOnly("fraud");
        assertThat(first.modelVersions).containsExactly("4", "5", "4", "5");
        assertThat(first.shadowVersions).containsExactly(null, "6", null, null);
        assertThat(first.values).containsExactly(0, 0.5f, 0, 1, 1.5f, -1, 2, 2.5f, -2, 3, 3.5f, -3);
        assertThat(first.row(2)).containsExactly(2, 2.5f, -2);
        assertThat(batches().get(1).eventIds).containsExactly("e-4", "e-5", "e-6", "e-7");
    }

    @Test
    void cutsAShortBatchOnceItsFirstRowHasWaitedTheDelay() throws Exception {
        feed(0, 2);
        harness.setProcessingTime(1_000 + DELAY_MS - 1);
        assertThat(batches()).isEmpty();

        harness.setProcessingTime(1_000 + DELAY_MS);

        assertThat(batches()).singleElement();
        ScoringBatch batch = batches().get(0);
        assertThat(batch.rows).isEqualTo(2);
        assertThat(batch.eventIds).containsExactly("e-0", "e-1");
        assertThat(batch.values).hasSize(2 * COLUMNS);
    }

    @Test
    void givesEachBatchItsOwnDelay() throws Exception {
        feed(0, 4); // full at once; its timer finds a newer batch
        harness.setProcessingTime(1_003);
        feed(4, 5);
        harness.setProcessingTime(1_000 + DELAY_MS);
        assertThat(batches()).hasSize(1);

        harness.setProcessingTime(1_003 + DELAY_MS);

        assertThat(batches()).hasSize(2);
        assertThat(batches().get(1).eventIds).containsExactly("e-4");
    }

    @Test
    void holdsNoRowAcrossACheckpointBarrier() throws Exception {
        feed(0, 3);

        harness.prepareSnapshotPreBarrier(1);

        assertThat(batches()).singleElement().satisfies(b -> assertThat(b.rows).isEqualTo(3));
        harness.prepareSnapshotPreBarrier(2);
        assertThat(batches()).hasSize(1); // nothing open, nothing more
    }

    @Test
    void emitsWhatIsOpenWhenTheInputEnds() throws Exception {
        feed(0, 5);

        harness.endInput();

        assertThat(batches()).hasSize(2);
        assertThat(batches().get(1).eventIds).containsExactly("e-4");
    }

    @Test
    void copiesTheValuesItIsGivenSoAReusedRecordCannotChangeABatch() throws Exception {
        PartialFeatures reused = row(0);
        harness.processElement(reused, 0);
        reused.values[0] = 99f;
        reused.event.eventId = "changed";
        harness.endInput();

        assertThat(batches().get(0).values[0]).isZero();
        assertThat(batches().get(0).eventIds).containsExactly("e-0");
    }

    @Test
    void refusesABatchOfNoRows() {
        assertThatThrownBy(() -> new VectorBatcher("set-v1", COLUMNS, 0, Duration.ofMillis(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a batch holds at least one row, not 0");
    }
}
