package io.rtml.features;

import static io.rtml.testing.TestEvents.MIDNIGHT_MS;
import static io.rtml.testing.TestEvents.event;
import static org.assertj.core.api.Assertions.assertThat;

import io.rtml.event.Channel;
import io.rtml.event.TransactionEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The keyed features stage in Flink's operator harness: output, timers, state and restore. */
class CardFeatureFunctionTest {
    private static final long T = MIDNIGHT_MS;
    private static final long MINUTE = 60_000L;
    private static final long HOUR = 60 * MINUTE;
    private static final long DAY = 24 * HOUR;
    private static final KeySelector<TransactionEvent, String> BY_CARD = e -> e.cardId;

    private KeyedOneInputStreamOperatorTestHarness<String, TransactionEvent, FeatureVector> harness;

    @BeforeEach
    void openHarness() throws Exception {
        harness = harness(new HashMapStateBackend(), null);
    }

    @AfterEach
    void closeHarness() throws Exception {
        harness.close();
    }

    @Test
    void emitsOneVectorPerEventWithTheFeaturesCardFeaturesComputes() throws Exception {
        List<TransactionEvent> events =
                List.of(
                        event("e-1").card("a").at(T).amount(10).device("d-1").build(),
                        event("e-2").card("b").at(T + MINUTE).amount(700).build(),
                        event("e-3")
                                .card("a")
                                .at(T + 5 * MINUTE)
                                .amount(3)
                                .channel(Channel.ONLINE)
                                .device("d-2")
                                .build(),
                        event("e-4").card("a").at(T + 2 * MINUTE).country("FR").build(),
                        event("e-5").card("b").at(T + 3 * HOUR).channel(Channel.ATM).build());

        for (TransactionEvent event : events) {
            harness.processElement(event, event.eventTimeMs);
        }

        assertThat(harness.extractOutputValues()).containsExactlyElementsOf(expected(events));
        assertThat(harness.extractOutputStreamRecords())
                .extracting(StreamRecord::getTimestamp)
                .containsExactly(T, T + MINUTE, T + 5 * MINUTE, T + 2 * MINUTE, T + 3 * HOUR);
    }

    @Test
    void carriesTheEventsIdsTimesAndTheModelToScoreWith() throws Exception {
        TransactionEvent event = event("e-1").card("a").at(T + 42).ingestedAt(T + 99).build();

        harness.processElement(event, event.eventTimeMs);

        FeatureVector vector = harness.extractOutputValues().get(0);
        assertThat(vector.eventId).isEqualTo("e-1");
        assertThat(vector.cardId).isEqualTo("a");
        assertThat(vector.eventTimeMs).isEqualTo(T + 42);
        assertThat(vector.ingestTimeMs).isEqualTo(T + 99);
        assertThat(vector.featureSet).isEqualTo(CardFeatures.FEATURE_SET);
        assertThat(vector.modelName).isEqualTo("fraud");
        assertThat(vector.modelVersion).isEqualTo("7");
        assertThat(vector.values).hasSize(CardFeatures.NAMES.size());
    }

    @Test
    void registersOneExpiryTimerPerCard() throws Exception {
        process(event("e-1").card("a").at(T).build());
        process(event("e-2").card("b").at(T).build());
        assertThat(harness.numEventTimeTimers()).isEqualTo(2);

        process(event("e-3").card("a").at(T + 10 * MINUTE).build()); // moves a's expiry
        process(event("e-4").card("a").at(T + 5 * MINUTE).build()); // late: does not
        process(event("e-5").card("b").at(T + 30 * 1_000).build()); // same minute: does not

        assertThat(harness.numEventTimeTimers()).isEqualTo(2);
        assertThat(harness.numKeyedStateEntries()).isEqualTo(2);
    }

    @Test
    void clearsACardsStateWhenTheWatermarkReachesItsExpiryAndNotBefore() throws Exception {
        TransactionEvent event = event("e-1").card("a").at(T + 30_000).build();
        process(event);
        long expiry = T + MINUTE + DAY;
        CardHistory history = new CardHistory();
        CardFeatures.computeAndAdd(history, event);
        assertThat(CardFeatures.expiryTimeMs(history)).isEqualTo(expiry);

        harness.processWatermark(expiry - 1);
        assertThat(harness.numKeyedStateEntries()).isEqualTo(1);
        assertThat(harness.numEventTimeTimers()).isEqualTo(1);

        harness.processWatermark(expiry);
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
        assertThat(harness.extractOutputValues()).hasSize(1); // the timer emits nothing
    }

    @Test
    void keepsTheStateWhenANewerEventMovedTheExpiry() throws Exception {
        process(event("e-1").card("a").at(T).build());
        process(event("e-2").card("a").at(T + 2 * HOUR).build());
        long firstExpiry = T + MINUTE + DAY;
        long movedExpiry = T + 2 * HOUR + MINUTE + DAY;

        harness.processWatermark(firstExpiry);
        assertThat(harness.numKeyedStateEntries()).isEqualTo(1);

        harness.processWatermark(movedExpiry - 1);
        assertThat(harness.numKeyedStateEntries()).isEqualTo(1);
        assertThat(harness.numEventTimeTimers()).isEqualTo(1);

        harness.processWatermark(movedExpiry);
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
    }

    @Test
    void keepsTheExpiryOfTheNewestEventWhenALateOneArrives() throws Exception {
        process(event("e-1").card("a").at(T + HOUR).build());
        process(event("late").card("a").at(T).build());
        long expiry = T + HOUR + MINUTE + DAY;

        harness.processWatermark(expiry - 1);
        assertThat(harness.numKeyedStateEntries()).isEqualTo(1);

        harness.processWatermark(expiry);
        assertThat(harness.numKeyedStateEntries()).isZero();
    }

    @Test
    void clearsOnlyTheCardsWhoseExpiryPassed() throws Exception {
        process(event("e-1").card("a").at(T).build());
        process(event("e-2").card("b").at(T + HOUR).build());

        harness.processWatermark(T + MINUTE + DAY);

        assertThat(harness.numKeyedStateEntries()).isEqualTo(1);
        assertThat(harness.numEventTimeTimers()).isEqualTo(1);
        // Card b still has its history: its next event sees the earlier one.
        TransactionEvent next = event("e-3").card("b").at(T + HOUR + DAY - MINUTE).build();
        process(next);
        assertThat(feature(last(), "card_txn_count_24h")).isEqualTo(1f);
    }

    @Test
    void startsAnExpiredCardAfreshLikeANewOne() throws Exception {
        process(event("e-1").card("a").at(T).device("d-1").country("FR").build());
        harness.processWatermark(T + MINUTE + DAY);
        TransactionEvent next =
                event("e-2").card("a").at(T + MINUTE + DAY).device("d-2").country("DE").build();

        process(next);

        assertThat(last().values)
                .containsExactly(CardFeatures.computeAndAdd(new CardHistory(), next));
        assertThat(harness.numKeyedStateEntries()).isEqualTo(1);
        assertThat(harness.numEventTimeTimers()).isEqualTo(1);
    }

    @ParameterizedTest(name = "on {0}")
    @ValueSource(strings = {"hashmap", "rocksdb"})
    void restoresFromASnapshotAsIfThereHadBeenNoRestart(String backend) throws Exception {
        List<TransactionEvent> events = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            events.add(
                    event("e-" + i)
                            .card(i % 3 == 0 ? "b" : "a")
                            .at(T + i * 7 * MINUTE - (i % 4 == 3 ? 20 * MINUTE : 0))
                            .amount(2.5 * i + 1)
                            .channel(Channel.values()[i % 3])
                            .country(i % 5 == 4 ? "FR" : "DE")
                            .device(i % 2 == 0 ? "d-" + i % 3 : null)
                            .build());
        }
        List<FeatureVector> expected = expected(events);
        int before = 8;
        harness.close();
        harness = harness(stateBackend(backend), null);
        for (TransactionEvent event : events.subList(0, before)) {
            process(event);
        }

        OperatorSubtaskState snapshot = harness.snapshot(1L, T);
        harness.close();
        harness = harness(stateBackend(backend), snapshot);
        for (TransactionEvent event : events.subList(before, events.size())) {
            process(event);
        }

        assertThat(harness.extractOutputValues())
                .containsExactlyElementsOf(expected.subList(before, events.size()));
        assertThat(harness.numEventTimeTimers()).isEqualTo(2);
    }

    @Test
    void restoresExpiryTimersFromASnapshot() throws Exception {
        process(event("e-1").card("a").at(T).build());
        process(event("e-2").card("b").at(T + HOUR).build());
        OperatorSubtaskState snapshot = harness.snapshot(1L, T + HOUR);
        harness.close();

        harness = harness(new HashMapStateBackend(), snapshot);
        assertThat(harness.numEventTimeTimers()).isEqualTo(2);
        assertThat(harness.numKeyedStateEntries()).isEqualTo(2);

        harness.processWatermark(T + MINUTE + DAY);
        assertThat(harness.numKeyedStateEntries()).isEqualTo(1);
        harness.processWatermark(T + HOUR + MINUTE + DAY);
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
    }

    @Test
    void keepsItsStateAndOutputAsFlinkPojosNotKryo() {
        assertThat(TypeInformation.of(CardHistory.class)).isInstanceOf(PojoTypeInfo.class);
        assertThat(TypeInformation.of(FeatureVector.class)).isInstanceOf(PojoTypeInfo.class);
        assertThat(TypeInformation.of(TransactionEvent.class)).isInstanceOf(PojoTypeInfo.class);
    }

    // ---- helpers ----

    private static KeyedOneInputStreamOperatorTestHarness<String, TransactionEvent, FeatureVector>
            harness(StateBackend backend, OperatorSubtaskState restoreFrom) throws Exception {
        KeyedOneInputStreamOperatorTestHarness<String, TransactionEvent, FeatureVector> harness =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(new CardFeatureFunction("fraud", "7")),
                        BY_CARD,
                        Types.STRING);
        harness.setStateBackend(backend);
        harness.setup();
        if (restoreFrom == null) {
            harness.initializeEmptyState();
        } else {
            harness.initializeState(restoreFrom);
        }
        harness.open();
        return harness;
    }

    private static StateBackend stateBackend(String name) {
        return name.equals("rocksdb")
                ? new EmbeddedRocksDBStateBackend()
                : new HashMapStateBackend();
    }

    /** What the function must emit for these events: CardFeatures per card, in arrival order. */
    private static List<FeatureVector> expected(List<TransactionEvent> events) {
        Map<String, CardHistory> histories = new HashMap<>();
        List<FeatureVector> vectors = new ArrayList<>();
        for (TransactionEvent event : events) {
            FeatureVector vector = new FeatureVector();
            vector.eventId = event.eventId;
            vector.cardId = event.cardId;
            vector.eventTimeMs = event.eventTimeMs;
            vector.ingestTimeMs = event.ingestTimeMs;
            vector.values =
                    CardFeatures.computeAndAdd(
                            histories.computeIfAbsent(event.cardId, c -> new CardHistory()), event);
            vector.featureSet = CardFeatures.FEATURE_SET;
            vector.modelName = "fraud";
            vector.modelVersion = "7";
            vectors.add(vector);
        }
        return vectors;
    }

    private void process(TransactionEvent event) throws Exception {
        harness.processElement(event, event.eventTimeMs);
    }

    private FeatureVector last() {
        List<FeatureVector> out = harness.extractOutputValues();
        return out.get(out.size() - 1);
    }

    private static float feature(FeatureVector vector, String name) {
        return vector.values[CardFeatures.NAMES.indexOf(name)];
    }
}
