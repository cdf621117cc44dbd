package io.rtml.features;

import static io.rtml.testing.TestEvents.MIDNIGHT_MS;
import static io.rtml.testing.TestEvents.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rtml.event.TransactionEvent;
import io.rtml.features.spec.FeatureSpec;
import io.rtml.features.spec.FeatureSpecLoader;
import io.rtml.testing.ShippedSpec;
import io.rtml.testing.TypicalRows;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * One entity's keyed feature stage in Flink's operator harness, on the heap and the RocksDB
 * backends: output, state and its time to live, the timers that score waiting events, and restore.
 * The shipped spec's card is ordered (scored on arrival); its merchant is not (scored when the
 * watermark passes the event's windows).
 */
class EntityFeatureFunctionTest {
    private static final long T = MIDNIGHT_MS;
    private static final long SECOND = 1_000L;
    private static final long MINUTE = 60 * SECOND;
    private static final long HOUR = 60 * MINUTE;
    private static final Duration MAX_WAIT = Duration.ofSeconds(30);
    private static final Duration STATE_TTL = Duration.ofDays(7);

    /** The watermark trails the newest event by this much in the tests with many events. */
    private static final long WATERMARK_DELAY = HOUR;

    private static final FeatureSpec SHIPPED = ShippedSpec.load();

    private static final FeatureSpec DEVICE_SPEC =
            FeatureSpecLoader.parse(
                    "devices",
                    """
                    name: devices
                    version: 1
                    entities:
                      - {name: device, key: device_id, bucket: 1 min}
                    features:
                      - {name: amount, field: amount}
                      - {name: device_txns_1h, entity: device, aggregate: count, window: 1 h}
                      - {name: device_cards_1h, entity: device, aggregate: distinct,
                         field: card_id, window: 1 h}
                    """);

    private static final ValueStateDescriptor<byte[]> STATE =
            EntityFeatureFunction.stateDescriptor(STATE_TTL);

    private KeyedOneInputStreamOperatorTestHarness<String, PartialFeatures, PartialFeatures>
            harness;

    @AfterEach
    void closeHarness() throws Exception {
        if (harness != null) {
            harness.close();
        }
    }

    // ---- output ----

    @ParameterizedTest(name = "{0} on {1}, {2} cached")
    @CsvSource({
        "card, hashmap, 0",
        "merchant, hashmap, 0",
        "card, rocksdb, 0",
        "merchant, rocksdb, 0",
        "card, rocksdb, 3",
        "merchant, rocksdb, 3",
        "card, hashmap, 100"
    })
    void emitsTheAggregatesEntityFeaturesComputesForTheSameSequence(
            String entity, String backend, int cacheEntries) throws Exception {
        harness = harness(SHIPPED, entity, backend, null, cacheEntries);
        List<TransactionEvent> events = shuffledEvents(120, 3);
        Expected expected = new Expected(SHIPPED, entity, events);

        long watermark = processWithWatermarks(events, Long.MIN_VALUE);
        long last = events.stream().mapToLong(e -> e.eventTimeMs).max().orElseThrow();
        harness.processWatermark(last); // every window has ended: no event waits

        assertThat(byEventId(harness.extractOutputValues()))
                .containsExactlyInAnyOrderEntriesOf(expected.rows);
        harness.prepareSnapshotPreBarrier(1); // writes the cached entities back
        assertThat(stateKeys()).containsExactlyInAnyOrderElementsOf(expected.states.keySet());
        assertThat(harness.numEventTimeTimers()).as("nothing waits").isZero();
        assertThat(harness.numProcessingTimeTimers()).isLessThanOrEqualTo(expected.states.size());
        assertThat(watermark).isLessThan(last);
        if (entity.equals("card")) {
            for (String key : expected.states.keySet()) {
                assertThat(storedState(key))
                        .as("the stored bytes of %s", key)
                        .containsExactly(EntityStateCodec.encode(expected.states.get(key)));
            }
        }
    }

    @Test
    void emitsAnOrderedEntitysVectorsAtOnceInArrivalOrderWithTheEventsTimestamps()
            throws Exception {
        harness = harness(SHIPPED, "card", "hashmap", null);
        List<TransactionEvent> events = shuffledEvents(40, 5);

        for (TransactionEvent event : events) {
            process(event);
        }

        List<StreamRecord<? extends PartialFeatures>> out = harness.extractOutputStreamRecords();
        assertThat(out).hasSize(events.size());
        Expected expected = new Expected(SHIPPED, "card", events);
        for (int i = 0; i < events.size(); i++) {
            TransactionEvent event = events.get(i);
            assertThat(out.get(i).getValue().event).isEqualTo(event);
            assertThat(out.get(i).getValue().values)
                    .containsExactly(expected.rows.get(event.eventId));
            assertThat(out.get(i).getTimestamp()).isEqualTo(event.eventTimeMs);
        }
    }

    @Test
    void givesAnUnorderedEntitysEventsTheSameVectorsWhateverTheInterleaving() throws Exception {
        List<TransactionEvent> events = TypicalRows.mixedEvents(120, 8);
        List<TransactionEvent> interleaved = shuffledEvents(120, 8);
        assertThat(interleaved).isNotEqualTo(events).containsExactlyInAnyOrderElementsOf(events);

        harness = harness(SHIPPED, "merchant", "hashmap", null);
        processWithWatermarks(events, Long.MIN_VALUE);
        harness.processWatermark(Long.MAX_VALUE);
        Map<String, float[]> inTimeOrder = byEventId(harness.extractOutputValues());
        harness.close();
        harness = harness(SHIPPED, "merchant", "hashmap", null);
        processWithWatermarks(interleaved, Long.MIN_VALUE);
        harness.processWatermark(Long.MAX_VALUE);

        assertThat(byEventId(harness.extractOutputValues()))
                .hasSize(events.size())
                .containsExactlyInAnyOrderEntriesOf(inTimeOrder);
    }

    @Test
    void holdsAnUnorderedEntitysEventUntilTheWatermarkPassesItsWindows() throws Exception {
        harness = harness(SHIPPED, "merchant", "hashmap", null);
        TransactionEvent event = merchantEvent("e", T + 10 * MINUTE + 30 * SECOND, 40);
        TransactionEvent earlier = merchantEvent("earlier", T + 8 * MINUTE + 50 * SECOND, 10);

        process(event);
        process(earlier); // arrives after e, before the watermark passes 9:00: in e's window
        assertThat(harness.numEventTimeTimers()).as("two windows' ends").isEqualTo(2);
        harness.processWatermark(T + 7 * MINUTE - 1);
        assertThat(harness.extractOutputValues()).isEmpty();

        harness.processWatermark(T + 7 * MINUTE); // the earlier event's windows end at 7:00
        assertThat(harness.extractOutputValues())
                .extracting(p -> p.event.eventId)
                .containsExactly("earlier");
        assertThat(harness.numEventTimeTimers()).isEqualTo(1);
        harness.processWatermark(T + 9 * MINUTE - 1);
        assertThat(harness.extractOutputValues()).hasSize(1);

        harness.processWatermark(T + 9 * MINUTE);

        List<PartialFeatures> out = harness.extractOutputValues();
        assertThat(out).extracting(p -> p.event.eventId).containsExactly("earlier", "e");
        assertThat(value(out.get(1).values, "merchant_txn_count_10m")).isEqualTo(1f);
        assertThat(value(out.get(1).values, "merchant_amount_mean_1h_log1p"))
                .isEqualTo((float) Math.log(11));
        assertThat(value(out.get(0).values, "merchant_txn_count_10m")).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
    }

    @Test
    void scoresAnUnorderedEntitysEventAtOnceWhenTheWatermarkHasPassedItsWindows() throws Exception {
        harness = harness(SHIPPED, "merchant", "hashmap", null);
        process(merchantEvent("a", T + 5 * MINUTE, 10));
        harness.processWatermark(T + 10 * MINUTE);
        assertThat(harness.extractOutputValues()).hasSize(1);

        process(merchantEvent("b", T + 10 * MINUTE + 30 * SECOND, 20)); // its windows end at 9:00

        List<PartialFeatures> out = harness.extractOutputValues();
        assertThat(out).hasSize(2);
        assertThat(value(out.get(1).values, "merchant_txn_count_10m")).isEqualTo(1f);
        assertThat(harness.numEventTimeTimers()).as("nothing waited").isZero();
    }

    @Test
    void scoresWaitingEventsWithTheEventsAtHandOnceTheWatermarkStoodStillForMaxWait()
            throws Exception {
        harness = harness(SHIPPED, "merchant", "hashmap", null);
        harness.processWatermark(T);
        harness.setProcessingTime(1_000);
        process(merchantEvent("a", T + 5 * MINUTE, 10));
        process(merchantEvent("b", T + 10 * MINUTE + 30 * SECOND, 20));

        harness.setProcessingTime(1_000 + MAX_WAIT.toMillis() - 1);
        assertThat(harness.extractOutputValues()).isEmpty();
        harness.setProcessingTime(1_000 + MAX_WAIT.toMillis());

        List<PartialFeatures> out = harness.extractOutputValues();
        assertThat(out).extracting(p -> p.event.eventId).containsExactly("a", "b");
        assertThat(value(out.get(1).values, "merchant_txn_count_10m")).isEqualTo(1f);

        harness.processWatermark(T + 10 * MINUTE);
        assertThat(harness.extractOutputValues()).as("not scored again").hasSize(2);
    }

    @Test
    void keepsEventsWaitingWhileTheWatermarkMoves() throws Exception {
        harness = harness(SHIPPED, "merchant", "hashmap", null);
        harness.processWatermark(T);
        harness.setProcessingTime(1_000);
        process(merchantEvent("b", T + 10 * MINUTE + 30 * SECOND, 20)); // its windows end at 9:00

        harness.setProcessingTime(1_000 + MAX_WAIT.toMillis() / 2);
        harness.processWatermark(T + MINUTE);
        harness.setProcessingTime(1_000 + MAX_WAIT.toMillis());
        assertThat(harness.extractOutputValues()).as("the watermark moved").isEmpty();
        harness.setProcessingTime(1_000 + 2 * MAX_WAIT.toMillis() - 1);
        assertThat(harness.extractOutputValues()).isEmpty();

        harness.setProcessingTime(1_000 + 2 * MAX_WAIT.toMillis());
        assertThat(harness.extractOutputValues()).hasSize(1);
    }

    @Test
    void keepsEventsWaitingBeforeTheFirstWatermark() throws Exception {
        harness = harness(SHIPPED, "merchant", "hashmap", null);
        process(merchantEvent("b", T + 10 * MINUTE + 30 * SECOND, 20));

        harness.setProcessingTime(10 * MAX_WAIT.toMillis());

        assertThat(harness.extractOutputValues()).isEmpty();
        harness.processWatermark(T + 9 * MINUTE);
        assertThat(harness.extractOutputValues()).hasSize(1);
    }

    @Test
    void scoresTheWaitingEventsOfEveryGroupTheWatermarkPassesAtOnce() throws Exception {
        harness = harness(SHIPPED, "merchant", "hashmap", null);
        process(merchantEvent("a", T + 30 * SECOND, 10)); // its windows end at 23:59:00
        process(merchantEvent("b", T + HOUR + 3 * MINUTE + 10 * SECOND, 20)); // at 1:02:00
        process(merchantEvent("c", T + HOUR + 4 * MINUTE, 30)); // at 1:03:00
        assertThat(harness.numEventTimeTimers()).isEqualTo(3);

        harness.processWatermark(T + HOUR + 2 * MINUTE);

        assertThat(harness.extractOutputValues())
                .extracting(p -> p.event.eventId)
                .containsExactly("a", "b");
        assertThat(harness.numEventTimeTimers()).isEqualTo(1);
        harness.processWatermark(T + 3 * HOUR);
        assertThat(harness.extractOutputValues())
                .extracting(p -> p.event.eventId)
                .containsExactly("a", "b", "c");
        assertThat(harness.numEventTimeTimers()).isZero();
        assertThat(stateKeys()).containsExactly("m-1");
    }

    @Test
    void passesAnEventWithoutTheEntitysKeyThroughUntouched() throws Exception {
        harness = harness(DEVICE_SPEC, "device", "hashmap", null);
        TransactionEvent withoutDevice = event("e-1").at(T).device(null).build();

        harness.processElement(new PartialFeatures(withoutDevice, new float[] {1f, 2f, 3f}), T);

        PartialFeatures out = harness.extractOutputValues().get(0);
        assertThat(out.event).isEqualTo(withoutDevice);
        assertThat(out.values).containsExactly(1f, 2f, 3f);
        assertThat(stateKeys()).isEmpty();
        assertThat(harness.numEventTimeTimers()).isZero();
        assertThat(new EntityKey(DEVICE_SPEC.entity("device")).getKey(out)).isEmpty();

        harness.processElement(
                new PartialFeatures(event("e-2").at(T + HOUR).device(null).build(), new float[3]),
                T + HOUR);
        TransactionEvent withDevice = event("e-3").at(T + HOUR).device("d1").build();
        harness.processElement(new PartialFeatures(withDevice, new float[] {7f, 7f, 7f}), T + HOUR);
        harness.processWatermark(T + HOUR);

        assertThat(harness.extractOutputValues()).hasSize(3);
        assertThat(harness.extractOutputValues().get(2).values)
                .as("the events without a device are not the device's")
                .containsExactly(7f, 0f, 0f);
        assertThat(stateKeys()).containsExactly("d1");
        assertThat(harness.numEventTimeTimers()).isZero();
    }

    @Test
    void keysEventsByTheEntitysField() {
        EntityKey byCard = new EntityKey(SHIPPED.entity("card"));
        EntityKey byMerchant = new EntityKey(SHIPPED.entity("merchant"));
        PartialFeatures partial =
                new PartialFeatures(event("e-1").card("c-9").merchant("m-4").build(), null);

        assertThat(byCard.getKey(partial)).isEqualTo("c-9");
        assertThat(byMerchant.getKey(partial)).isEqualTo("m-4");
    }

    // ---- the state's time to live ----

    @ParameterizedTest(name = "{0} on {1}")
    @CsvSource({"card, hashmap", "merchant, hashmap", "card, rocksdb", "merchant, rocksdb"})
    void setsNoTimerForAnEventThatNeedNotWait(String entity, String backend) throws Exception {
        harness = harness(SHIPPED, entity, backend, null);
        // As live: the watermark seconds behind the events, long past the merchant's settle.
        harness.processWatermark(T + 3 * HOUR);

        for (int i = 0; i < 20; i++) {
            process(
                    event("e-" + i)
                            .card("c-" + i % 4)
                            .merchant("m-" + i % 3)
                            .at(T + 2 * HOUR + i * MINUTE)
                            .build());
        }

        assertThat(harness.extractOutputValues()).hasSize(20);
        assertThat(harness.numEventTimeTimers()).isZero();
        assertThat(harness.numProcessingTimeTimers()).isZero();
    }

    @ParameterizedTest(name = "{0} on {1}")
    @CsvSource({"card, hashmap", "merchant, hashmap", "card, rocksdb", "merchant, rocksdb"})
    void forgetsAnEntityNotWrittenForTheTimeToLiveAndStartsItAfresh(String entity, String backend)
            throws Exception {
        harness = harness(SHIPPED, entity, backend, null);
        harness.processWatermark(T - HOUR);
        harness.setStateTtlProcessingTime(0);
        process(event("e-1").card("a").merchant("a").at(T).device("d-1").country("FR").build());
        harness.setStateTtlProcessingTime(STATE_TTL.toMillis() - 1);
        assertThat(storedState("a")).as("still within its time to live").isNotNull();
        // A write renews it.
        process(event("e-2").card("a").merchant("a").at(T + MINUTE).build());
        harness.setStateTtlProcessingTime(2 * STATE_TTL.toMillis() - 2);
        assertThat(storedState("a")).isNotNull();

        harness.setStateTtlProcessingTime(2 * STATE_TTL.toMillis() - 1);
        assertThat(storedState("a")).as("not written for the time to live").isNull();
        TransactionEvent next =
                event("e-3")
                        .card("a")
                        .merchant("a")
                        .at(T + 10 * MINUTE)
                        .device("d-2")
                        .country("DE")
                        .build();
        process(next);
        harness.processWatermark(Long.MAX_VALUE);

        assertThat(last().values)
                .as("features as of a new entity")
                .containsExactly(new Expected(SHIPPED, entity, List.of(next)).rows.get("e-3"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"card", "merchant"})
    void refusesATimeToLiveShorterThanTheLifetimeTheWindowsNeed(String entity) {
        long lifetime = new EntityFeatures(SHIPPED, entity).stateLifetimeMs();

        assertThatThrownBy(
                        () ->
                                new EntityFeatureFunction(
                                        SHIPPED, entity, MAX_WAIT, Duration.ofMillis(lifetime - 1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("shorter than what " + entity + "'s windows need");
        assertThat(
                        new EntityFeatureFunction(
                                SHIPPED, entity, MAX_WAIT, Duration.ofMillis(lifetime)))
                .isNotNull();
    }

    // ---- the cache of decoded entities ----

    @ParameterizedTest(name = "on {0}")
    @CsvSource({"hashmap", "rocksdb"})
    void writesACachedEntityOnlyWhenItIsEvictedOrBeforeACheckpointBarrier(String backend)
            throws Exception {
        harness = harness(SHIPPED, "card", backend, null, 2);
        List<TransactionEvent> events =
                List.of(
                        event("e-1").card("a").at(T).build(),
                        event("e-2").card("b").at(T + MINUTE).build(),
                        event("e-3").card("a").at(T + 2 * MINUTE).build(),
                        event("e-4").card("c").at(T + 3 * MINUTE).build());
        Expected expected = new Expected(SHIPPED, "card", events);

        for (TransactionEvent event : events.subList(0, 3)) {
            process(event);
        }
        assertThat(storedState("a")).as("kept decoded, not written").isNull();
        assertThat(storedState("b")).isNull();
        process(events.get(3)); // c evicts b, the least recently used

        assertThat(storedState("b"))
                .containsExactly(EntityStateCodec.encode(expected.states.get("b")));
        assertThat(storedState("a")).isNull();
        assertThat(storedState("c")).isNull();

        harness.prepareSnapshotPreBarrier(1);

        for (String key : List.of("a", "b", "c")) {
            assertThat(storedState(key))
                    .as(key)
                    .containsExactly(EntityStateCodec.encode(expected.states.get(key)));
        }
        assertThat(byEventId(harness.extractOutputValues()))
                .containsExactlyInAnyOrderEntriesOf(expected.rows);
    }

    // ---- snapshot and restore ----

    @ParameterizedTest(name = "{0} on {1}, {2} cached")
    @CsvSource({
        "card, hashmap, 0",
        "merchant, hashmap, 0",
        "card, rocksdb, 0",
        "merchant, rocksdb, 0",
        "card, rocksdb, 2",
        "merchant, rocksdb, 2"
    })
    void restoresFromASnapshotAsIfThereHadBeenNoRestart(
            String entity, String backend, int cacheEntries) throws Exception {
        List<TransactionEvent> events = shuffledEvents(80, 9);
        Expected expected = new Expected(SHIPPED, entity, events);
        int before = 50;
        harness = harness(SHIPPED, entity, backend, null, cacheEntries);
        long watermark = processWithWatermarks(events.subList(0, before), Long.MIN_VALUE);
        List<PartialFeatures> out = new ArrayList<>(harness.extractOutputValues());
        if (entity.equals("merchant")) {
            assertThat(out).as("some events wait for the watermark").hasSizeLessThan(before);
        }

        harness.prepareSnapshotPreBarrier(1L); // as the task does before every snapshot
        OperatorSubtaskState snapshot = harness.snapshot(1L, T);
        harness.close();
        harness = harness(SHIPPED, entity, backend, snapshot, cacheEntries);
        processWithWatermarks(events.subList(before, events.size()), watermark);
        harness.processWatermark(Long.MAX_VALUE);
        out.addAll(harness.extractOutputValues());

        assertThat(out).hasSize(events.size());
        assertThat(byEventId(out)).containsExactlyInAnyOrderEntriesOf(expected.rows);
        harness.prepareSnapshotPreBarrier(2L);
        assertThat(stateKeys()).containsExactlyInAnyOrderElementsOf(expected.states.keySet());
        assertThat(harness.numEventTimeTimers()).isZero();
    }

    @Test
    void restoresWaitingEventsAndTheirTimersFromASnapshot() throws Exception {
        harness = harness(SHIPPED, "merchant", "rocksdb", null);
        process(merchantEvent("a", T + 5 * MINUTE, 10)); // its windows end at 0:03:00
        process(merchantEvent("b", T + 10 * MINUTE + 30 * SECOND, 20)); // at 0:09:00
        OperatorSubtaskState snapshot = harness.snapshot(1L, T);
        harness.close();

        harness = harness(SHIPPED, "merchant", "rocksdb", snapshot);
        assertThat(harness.numEventTimeTimers()).isEqualTo(2);
        harness.processWatermark(T + 9 * MINUTE);

        List<PartialFeatures> out = harness.extractOutputValues();
        assertThat(out).extracting(p -> p.event.eventId).containsExactly("a", "b");
        assertThat(value(out.get(1).values, "merchant_txn_count_10m")).isEqualTo(1f);
        assertThat(harness.numEventTimeTimers()).isZero();
    }

    // ---- helpers ----

    /**
     * What the stage must compute for events that reach it before the watermark passes their time:
     * for an ordered entity, {@link EntityFeatures} per key in arrival order; for another, each
     * event's windows over all the key's events, whatever their order.
     */
    private static final class Expected {
        final EntityFeatures features;
        final Map<String, float[]> rows = new LinkedHashMap<>();
        final Map<String, EntityState> states = new HashMap<>();

        Expected(FeatureSpec spec, String entity, List<TransactionEvent> events) {
            features = new EntityFeatures(spec, entity);
            EventFeatures eventFeatures = new EventFeatures(spec);
            boolean ordered = features.entity().ordered();
            for (TransactionEvent event : events) {
                float[] values = eventFeatures.compute(event);
                EntityState state = state(event);
                if (ordered) {
                    features.computeAndAdd(state, event, values);
                } else {
                    features.add(state, event);
                }
                rows.put(event.eventId, values);
            }
            if (!ordered) {
                for (TransactionEvent event : events) {
                    features.compute(state(event), event, rows.get(event.eventId));
                }
            }
        }

        private EntityState state(TransactionEvent event) {
            return states.computeIfAbsent(
                    features.entity().key().text(event), k -> features.newState());
        }
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, PartialFeatures, PartialFeatures>
            harness(
                    FeatureSpec spec,
                    String entity,
                    String backend,
                    OperatorSubtaskState restoreFrom)
                    throws Exception {
        return harness(spec, entity, backend, restoreFrom, 0);
    }

    /** The stage as the job runs it, keeping up to {@code cacheEntries} entities decoded. */
    private static KeyedOneInputStreamOperatorTestHarness<String, PartialFeatures, PartialFeatures>
            harness(
                    FeatureSpec spec,
                    String entity,
                    String backend,
                    OperatorSubtaskState restoreFrom,
                    int cacheEntries)
                    throws Exception {
        KeyedOneInputStreamOperatorTestHarness<String, PartialFeatures, PartialFeatures> harness =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new EntityFeatureOperator(
                                new EntityFeatureFunction(
                                        spec, entity, MAX_WAIT, STATE_TTL, cacheEntries)),
                        new EntityKey(spec.entity(entity)),
                        Types.STRING);
        harness.setStateBackend(stateBackend(backend));
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

    /**
     * Mixed events over 7 cards and 5 merchants, with a fifth of them moved back in the sequence by
     * up to 5 places: out of order for the card; for the merchant, within the watermark's delay.
     */
    private static List<TransactionEvent> shuffledEvents(int count, long seed) {
        List<TransactionEvent> events = new ArrayList<>(TypicalRows.mixedEvents(count, seed));
        Random random = new Random(seed);
        for (int i = 5; i < events.size(); i++) {
            if (random.nextInt(5) == 0) {
                Collections.swap(events, i, i - 1 - random.nextInt(5));
            }
        }
        return events;
    }

    /**
     * Processes the events, each followed by a watermark {@link #WATERMARK_DELAY} behind the newest
     * event so far; checks that no event is behind the watermark. Returns the watermark.
     */
    private long processWithWatermarks(List<TransactionEvent> events, long watermark)
            throws Exception {
        long newest = Long.MIN_VALUE;
        for (TransactionEvent event : events) {
            assertThat(event.eventTimeMs)
                    .as("%s is on time", event.eventId)
                    .isGreaterThan(watermark);
            process(event);
            newest = Math.max(newest, event.eventTimeMs);
            if (newest - WATERMARK_DELAY > watermark) {
                watermark = newest - WATERMARK_DELAY;
                harness.processWatermark(watermark);
            }
        }
        return watermark;
    }

    private void process(TransactionEvent event) throws Exception {
        harness.processElement(
                new PartialFeatures(event, new EventFeatures(SHIPPED).compute(event)),
                event.eventTimeMs);
    }

    private static TransactionEvent merchantEvent(String id, long time, double amount) {
        return event(id).card("c-" + id).merchant("m-1").at(time).amount(amount).build();
    }

    private PartialFeatures last() {
        List<PartialFeatures> out = harness.extractOutputValues();
        return out.get(out.size() - 1);
    }

    private static Map<String, float[]> byEventId(List<PartialFeatures> out) {
        Map<String, float[]> values = new LinkedHashMap<>();
        for (PartialFeatures partial : out) {
            assertThat(values.put(partial.event.eventId, partial.values))
                    .as("%s emitted once", partial.event.eventId)
                    .isNull();
        }
        return values;
    }

    private static float value(float[] values, String column) {
        return values[SHIPPED.columns().indexOf(column)];
    }

    private KeyedStateBackend<String> backend() {
        return ((AbstractStreamOperator<?>) harness.getOperator()).getKeyedStateBackend();
    }

    /** The keys that have entity state, sorted, on either backend. */
    private List<String> stateKeys() {
        try (Stream<String> keys =
                backend().getKeys(EntityFeatureFunction.STATE, VoidNamespace.INSTANCE)) {
            return keys.sorted().toList();
        }
    }

    private byte[] storedState(String key) throws Exception {
        KeyedStateBackend<String> backend = backend();
        backend.setCurrentKey(key);
        ValueState<byte[]> state =
                backend.getPartitionedState(
                        VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE, STATE);
        return state.value();
    }
}
