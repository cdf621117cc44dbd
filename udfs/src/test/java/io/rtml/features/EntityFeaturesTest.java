package io.rtml.features;

import static io.rtml.testing.TestEvents.MIDNIGHT_MS;
import static io.rtml.testing.TestEvents.event;
import static org.assertj.core.api.Assertions.assertThat;

import io.rtml.event.TransactionEvent;
import io.rtml.features.EntityFeatures.Arrival;
import io.rtml.features.spec.FeatureSpec;
import io.rtml.features.spec.FeatureSpecLoader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every aggregate with hand-computed values, and the window rules of {@link EntityFeatures}: the
 * card is ordered (windows end with the event's own bucket), the merchant is not (windows end at
 * the last bucket closed a minute before the event). Buckets are one minute.
 */
class EntityFeaturesTest {
    private static final long T = MIDNIGHT_MS;
    private static final long SECOND = 1_000L;
    private static final long MINUTE = 60 * SECOND;
    private static final long HOUR = 60 * MINUTE;
    private static final long DAY = 24 * HOUR;

    private static final FeatureSpec SPEC =
            FeatureSpecLoader.parse(
                    "aggregates",
                    """
                    name: aggregates
                    version: 1
                    entities:
                      - {name: card, key: card_id, bucket: 1 min, ordered: true}
                      - {name: merchant, key: merchant_id, bucket: 1 min, settle: 1 min}
                    features:
                      - {name: amount, field: amount}
                      - {name: count, entity: card, aggregate: count, window: 10 min}
                      - {name: sum, entity: card, aggregate: sum, field: amount, window: 10 min}
                      - {name: sum_log1p, entity: card, aggregate: sum, field: amount,
                         window: 10 min, transform: log1p}
                      - {name: mean, entity: card, aggregate: mean, field: amount, window: 10 min}
                      - {name: min, entity: card, aggregate: min, field: amount, window: 10 min}
                      - {name: max, entity: card, aggregate: max, field: amount, window: 10 min}
                      - {name: stddev, entity: card, aggregate: stddev, field: amount,
                         window: 10 min}
                      - {name: zscore, entity: card, aggregate: zscore, field: amount,
                         window: 10 min}
                      - {name: merchants, entity: card, aggregate: distinct, field: merchant_id,
                         window: 10 min}
                      - {name: devices, entity: card, aggregate: distinct, field: device_id,
                         window: 10 min}
                      - {name: new_device, entity: card, aggregate: first-seen, field: device_id,
                         window: 10 min}
                      - {name: new_merchant, entity: card, aggregate: first-seen,
                         field: merchant_id, window: 10 min}
                      - {name: since, entity: card, aggregate: time-since-previous, window: 5 min}
                      - {name: count_2m, entity: card, aggregate: count, window: 2 min}
                      - {name: merchant_count, entity: merchant, aggregate: count, window: 5 min}
                      - {name: merchant_sum, entity: merchant, aggregate: sum, field: amount,
                         window: 5 min}
                      - {name: merchant_cards, entity: merchant, aggregate: distinct,
                         field: card_id, window: 5 min}
                      - {name: merchant_new_device, entity: merchant, aggregate: first-seen,
                         field: device_id, window: 3 min}
                    """);

    private static final List<String> CARD_COLUMNS =
            List.of(
                    "count",
                    "sum",
                    "sum_log1p",
                    "mean",
                    "min",
                    "max",
                    "stddev",
                    "zscore",
                    "merchants",
                    "devices",
                    "new_device",
                    "new_merchant",
                    "since",
                    "count_2m");

    // ---- every aggregate ----

    @Test
    void givesAnEmptyWindowZerosTheCappedTimeSincePreviousAndAFirstSeenValue() {
        Entity card = new Entity("card");

        float[] values = card.add(event("e-1").at(T).amount(10).device("d1").build());

        assertThat(card.arrival).isEqualTo(Arrival.IN_ORDER);
        assertThat(cardAggregates(values))
                .containsExactly(0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 1f, 1f, 300f, 0f);
    }

    @Test
    void aggregatesTheEventsBeforeTheOneInItsWindow() {
        Entity card = new Entity("card");
        double[] amounts = {2, 4, 4, 4, 5, 5, 7, 9}; // mean 5, population stddev 2
        String[] merchants = {"m-1", "m-2", "m-1", "m-3", "m-1", "m-2", "m-1", "m-1"};
        String[] devices = {"d1", "d1", null, "d2", "d1", null, "d1", "d1"};
        for (int i = 0; i < amounts.length; i++) {
            card.add(
                    event("e-" + i)
                            .at(T + i * MINUTE)
                            .amount(amounts[i])
                            .merchant(merchants[i])
                            .device(devices[i])
                            .build());
        }

        float[] values =
                card.add(
                        event("e-8")
                                .at(T + 8 * MINUTE)
                                .amount(11)
                                .merchant("m-4")
                                .device("d2")
                                .build());

        assertThat(value(values, "count")).isEqualTo(8f);
        assertThat(value(values, "sum")).isEqualTo(40f);
        assertThat(value(values, "sum_log1p")).isEqualTo((float) Math.log(41));
        assertThat(value(values, "mean")).isEqualTo(5f);
        assertThat(value(values, "min")).isEqualTo(2f);
        assertThat(value(values, "max")).isEqualTo(9f);
        assertThat(value(values, "stddev")).isEqualTo(2f);
        assertThat(value(values, "zscore")).isEqualTo(3f); // (11 - 5) / 2
        assertThat(value(values, "merchants")).isEqualTo(3f);
        assertThat(value(values, "devices")).isEqualTo(2f); // absent devices do not count
        assertThat(value(values, "new_device")).isEqualTo(0f); // d2 was seen at e-3
        assertThat(value(values, "new_merchant")).isEqualTo(1f);
        assertThat(value(values, "since")).isEqualTo(60f);
        assertThat(value(values, "count_2m")).isEqualTo(1f); // buckets 7 and 8: e-7
        assertThat(value(values, "amount")).as("not an aggregate: left alone").isZero();
    }

    @Test
    void leavesTheColumnsOfOtherEntitiesAlone() {
        Entity card = new Entity("card");
        float[] values = new float[SPEC.columns().size()];
        Arrays.fill(values, -7f);

        card.features.computeAndAdd(card.state, event("e-1").at(T).build(), values);

        for (String column : SPEC.columns()) {
            if (!CARD_COLUMNS.contains(column)) {
                assertThat(value(values, column)).as(column).isEqualTo(-7f);
            }
        }
    }

    @Test
    void clipsTheZscoreToPlusAndMinusTen() {
        Entity card = new Entity("card");
        card.add(event("e-1").at(T).amount(100).build());
        card.add(event("e-2").at(T + MINUTE).amount(102).build()); // mean 101, stddev 1

        assertThat(value(card.peek(event("e-3").at(T + 2 * MINUTE).amount(50).build()), "zscore"))
                .isEqualTo(-10f); // -51
        assertThat(value(card.peek(event("e-3").at(T + 2 * MINUTE).amount(95).build()), "zscore"))
                .isEqualTo(-6f);
        assertThat(value(card.peek(event("e-3").at(T + 2 * MINUTE).amount(111).build()), "zscore"))
                .isEqualTo(10f);
        assertThat(value(card.peek(event("e-3").at(T + 2 * MINUTE).amount(150).build()), "zscore"))
                .isEqualTo(10f); // 49
    }

    @Test
    void givesAZscoreOfZeroWhenTheWindowHasNoSpread() {
        Entity one = new Entity("card");
        one.add(event("e-1").at(T).amount(8).build());
        float[] afterOne = one.add(event("e-2").at(T + MINUTE).amount(50).build());
        assertThat(value(afterOne, "stddev")).isZero();
        assertThat(value(afterOne, "zscore")).isZero();

        Entity same = new Entity("card");
        for (int i = 0; i < 3; i++) {
            same.add(event("e-" + i).at(T + i * MINUTE).amount(8).build());
        }
        float[] afterSame = same.add(event("e-3").at(T + 3 * MINUTE).amount(50).build());
        assertThat(value(afterSame, "stddev")).isZero();
        assertThat(value(afterSame, "zscore")).isZero();
    }

    @Test
    void givesAZscoreOfZeroWhenEqualAmountsAreNotExactInBinary() {
        Entity card = new Entity("card");
        for (int i = 0; i < 3; i++) {
            card.add(event("e-" + i).at(T + i * MINUTE).amount(3.3).build());
        }

        float[] values = card.add(event("e-3").at(T + 3 * MINUTE).amount(3.31).build());

        assertThat(value(values, "stddev")).isZero();
        assertThat(value(values, "zscore")).isZero();
    }

    @Test
    void countsDistinctValuesAndFirstSeenWithoutAbsentValues() {
        Entity card = new Entity("card");

        float[] first = card.add(event("e-1").at(T).device(null).build());
        float[] second = card.add(event("e-2").at(T + MINUTE).device(null).build());
        float[] third = card.add(event("e-3").at(T + 2 * MINUTE).device("d1").build());
        float[] fourth = card.add(event("e-4").at(T + 3 * MINUTE).device("d1").build());
        float[] fifth = card.add(event("e-5").at(T + 4 * MINUTE).device("d2").build());

        assertThat(value(first, "new_device")).as("no value: not new").isZero();
        assertThat(value(second, "new_device")).isZero();
        assertThat(value(second, "devices")).isZero();
        assertThat(value(third, "new_device")).isEqualTo(1f);
        assertThat(value(third, "devices")).isZero();
        assertThat(value(fourth, "new_device")).isZero();
        assertThat(value(fourth, "devices")).isEqualTo(1f);
        assertThat(value(fifth, "new_device")).isEqualTo(1f);
        assertThat(value(fifth, "devices")).isEqualTo(1f);
    }

    @Test
    void forgetsAValueOnceItLeavesTheWindow() {
        Entity card = new Entity("card");
        card.add(event("e-1").at(T).merchant("m-1").build());

        float[] within = card.peek(event("e-2").at(T + 9 * MINUTE + 59 * SECOND).build());
        float[] after = card.peek(event("e-2").at(T + 10 * MINUTE).build());

        assertThat(value(within, "new_merchant")).isZero();
        assertThat(value(within, "merchants")).isEqualTo(1f);
        assertThat(value(after, "new_merchant")).isEqualTo(1f);
        assertThat(value(after, "merchants")).isZero();
    }

    @Test
    void measuresTheTimeSinceThePreviousEventCappedAtItsWindow() {
        Entity card = new Entity("card");

        float[] first = card.add(event("e-1").at(T).build());
        float[] second = card.add(event("e-2").at(T + 90_500).build());
        float[] third = card.add(event("e-3").at(T + 90_500 + 4 * MINUTE).build());
        float[] atCap = card.add(event("e-4").at(T + 90_500 + 9 * MINUTE).build());
        float[] pastCap = card.add(event("e-5").at(T + 90_500 + 19 * MINUTE).build());
        float[] sameTime = card.add(event("e-6").at(T + 90_500 + 19 * MINUTE).build());

        assertThat(value(first, "since")).as("no previous event").isEqualTo(300f);
        assertThat(value(second, "since")).isEqualTo(90.5f);
        assertThat(value(third, "since")).isEqualTo(240f);
        assertThat(value(atCap, "since")).isEqualTo(300f);
        assertThat(value(pastCap, "since")).isEqualTo(300f);
        assertThat(value(sameTime, "since")).isZero();
    }

    // ---- windows slide over whole buckets ----

    @Test
    void slidesTheWindowPastOldEventsBucketByBucket() {
        // A 10 min window at t covers t's one-minute bucket and the 9 before it.
        Entity card = new Entity("card");
        card.add(event("e-1").at(T).amount(1).build());
        card.add(event("e-2").at(T + 5 * MINUTE).amount(2).build());
        card.add(event("e-3").at(T + 9 * MINUTE + 59 * SECOND).amount(4).build());

        float[] at10 = card.add(event("e-4").at(T + 10 * MINUTE).amount(8).build());
        float[] at1459 =
                card.add(event("e-5").at(T + 14 * MINUTE + 59 * SECOND).amount(16).build());
        float[] at15 = card.add(event("e-6").at(T + 15 * MINUTE).amount(32).build());

        assertThat(value(at10, "count")).as("e-1's bucket 0 has left").isEqualTo(2f);
        assertThat(value(at10, "sum")).isEqualTo(6f);
        assertThat(value(at10, "min")).isEqualTo(2f);
        assertThat(value(at10, "count_2m")).as("buckets 9-10: e-3").isEqualTo(1f);
        assertThat(value(at1459, "count")).as("buckets 5-14: e-2, e-3, e-4").isEqualTo(3f);
        assertThat(value(at1459, "sum")).isEqualTo(14f);
        assertThat(value(at1459, "count_2m")).as("buckets 13-14").isZero();
        assertThat(value(at15, "count")).as("buckets 6-15: e-3, e-4, e-5").isEqualTo(3f);
        assertThat(value(at15, "sum")).isEqualTo(28f);
        assertThat(value(at15, "max")).isEqualTo(16f);
        assertThat(value(at15, "min")).isEqualTo(4f);
    }

    @Test
    void includesEarlierEventsOfTheEventsOwnBucket() {
        Entity card = new Entity("card");
        card.add(event("e-1").at(T + 10 * SECOND).amount(3).build());

        float[] values = card.add(event("e-2").at(T + 50 * SECOND).amount(5).build());

        assertThat(value(values, "count")).isEqualTo(1f);
        assertThat(value(values, "count_2m")).isEqualTo(1f);
        assertThat(value(values, "mean")).isEqualTo(3f);
    }

    // ---- an ordered entity: out-of-order events ----

    @Test
    void letsAnOutOfOrderEventSeeOnlyTheWindowUpToItsOwnBucket() {
        Entity card = new Entity("card");
        card.add(event("a").at(T + 5 * MINUTE).amount(10).device("d1").build());
        assertThat(card.arrival).isEqualTo(Arrival.IN_ORDER);

        float[] late = card.add(event("b").at(T + 2 * MINUTE).amount(20).device("d1").build());

        assertThat(card.arrival).isEqualTo(Arrival.OUT_OF_ORDER);
        assertThat(value(late, "count")).as("a is in a later bucket").isZero();
        assertThat(value(late, "new_device")).isEqualTo(1f);
        assertThat(value(late, "since")).as("a previous event later than it").isZero();

        float[] next = card.add(event("c").at(T + 6 * MINUTE).amount(30).build());

        assertThat(card.arrival).isEqualTo(Arrival.IN_ORDER);
        assertThat(value(next, "count")).as("a and b").isEqualTo(2f);
        assertThat(value(next, "sum")).isEqualTo(30f);
        // Measured from the previous event to arrive (b), not the latest in time (a).
        assertThat(value(next, "since")).isEqualTo(240f);
    }

    @Test
    void letsAnOutOfOrderEventSeeALaterEventOfItsOwnBucket() {
        Entity card = new Entity("card");
        card.add(event("a").at(T + 5 * MINUTE + 30 * SECOND).amount(10).build());

        float[] values = card.add(event("b").at(T + 5 * MINUTE + 10 * SECOND).amount(20).build());

        assertThat(card.arrival).isEqualTo(Arrival.OUT_OF_ORDER);
        assertThat(value(values, "count")).isEqualTo(1f);
        assertThat(value(values, "sum")).isEqualTo(10f);
    }

    @Test
    void neverCallsAnOrderedEntitysEventLate() {
        Entity card = new Entity("card");
        card.add(event("a").at(T + 5 * MINUTE).build());
        card.add(event("b").at(T + 5 * MINUTE).build());
        assertThat(card.arrival).isEqualTo(Arrival.IN_ORDER);
        card.add(event("c").at(T).build());
        assertThat(card.arrival).isEqualTo(Arrival.OUT_OF_ORDER);
    }

    // ---- an entity that is not ordered: settle, late events, pruning at the watermark ----

    @Test
    void endsAnUnorderedEntitysWindowsAtTheLastBucketClosedASettleBeforeTheEvent() {
        Entity merchant = new Entity("merchant");
        merchant.addOnly(merchantEvent("m1", T + 7 * MINUTE + 10 * SECOND, 1, "c1"));
        merchant.addOnly(merchantEvent("m2", T + 8 * MINUTE + 50 * SECOND, 2, "c2"));
        merchant.addOnly(merchantEvent("m3", T + 9 * MINUTE + 10 * SECOND, 4, "c1"));
        merchant.addOnly(merchantEvent("m4", T + 10 * MINUTE + 5 * SECOND, 8, "c3"));
        TransactionEvent event = merchantEvent("e", T + 10 * MINUTE + 30 * SECOND, 16, "c4");
        assertThat(merchant.addOnly(event)).isEqualTo(Arrival.IN_ORDER);

        // At 10:30 the window ends with bucket 8 (closed at 9:00, a minute before 10:00):
        // m3 (in the settle minute), m4 and the event itself (in its own minute) are left out.
        float[] values = merchant.compute(event);

        assertThat(value(values, "merchant_count")).isEqualTo(2f);
        assertThat(value(values, "merchant_sum")).isEqualTo(3f);
        assertThat(value(values, "merchant_cards")).isEqualTo(2f);
        assertThat(cardAggregates(values)).as("card columns untouched").containsOnly(0f);
        assertThat(merchant.features.windowEndMs(event.eventTimeMs)).isEqualTo(T + 9 * MINUTE);
    }

    @Test
    void startsAnUnorderedEntitysWindowsFiveBucketsBeforeTheirEnd() {
        Entity merchant = new Entity("merchant");
        merchant.addOnly(merchantEvent("m0", T + 3 * MINUTE + 59 * SECOND, 1, "c1"));
        merchant.addOnly(merchantEvent("m1", T + 4 * MINUTE, 2, "c1"));
        TransactionEvent event = merchantEvent("e", T + 10 * MINUTE, 4, "c2");
        merchant.addOnly(event);

        // An event at 10:00 reads buckets 4-8.
        float[] values = merchant.compute(event);

        assertThat(value(values, "merchant_count")).isEqualTo(1f);
        assertThat(value(values, "merchant_sum")).isEqualTo(2f);
    }

    @Test
    void givesAnUnorderedEntitysEventTheSameFeaturesWhateverOrderItsWindowsEventsArrivedIn() {
        TransactionEvent early = merchantEvent("early", T + 8 * MINUTE + 30 * SECOND, 5, "c1");
        TransactionEvent event = merchantEvent("e", T + 10 * MINUTE + 30 * SECOND, 16, "c2");
        Entity inOrder = new Entity("merchant");
        inOrder.addOnly(early);
        inOrder.addOnly(event);
        Entity interleaved = new Entity("merchant");
        interleaved.addOnly(event);

        assertThat(interleaved.addOnly(early))
                .as("no window has read bucket 8 yet")
                .isEqualTo(Arrival.IN_ORDER);
        assertThat(interleaved.compute(event)).containsExactly(inOrder.compute(event));
        assertThat(value(interleaved.compute(event), "merchant_count")).isEqualTo(1f);
    }

    @Test
    void countsAnEventIntoABucketAWindowHasReadAsLateAndStillAddsIt() {
        Entity merchant = new Entity("merchant");
        merchant.addOnly(merchantEvent("m1", T + 7 * MINUTE + 10 * SECOND, 1, "c1"));
        merchant.addOnly(merchantEvent("m2", T + 8 * MINUTE + 50 * SECOND, 2, "c2"));
        merchant.addOnly(merchantEvent("m3", T + 9 * MINUTE + 10 * SECOND, 4, "c1"));
        merchant.addOnly(merchantEvent("m4", T + 10 * MINUTE + 5 * SECOND, 8, "c3"));
        merchant.add(merchantEvent("e", T + 10 * MINUTE + 30 * SECOND, 16, "c4")); // reads 4-8

        TransactionEvent late = merchantEvent("late", T + 8 * MINUTE + 20 * SECOND, 32, "c5");
        assertThat(merchant.addOnly(late)).isEqualTo(Arrival.LATE);
        assertThat(value(merchant.compute(late), "merchant_count")).as("buckets 2-6").isZero();

        TransactionEvent notLate = merchantEvent("n", T + 9 * MINUTE + 40 * SECOND, 64, "c1");
        assertThat(merchant.addOnly(notLate))
                .as("bucket 9 was not read yet")
                .isEqualTo(Arrival.IN_ORDER);
        assertThat(value(merchant.compute(notLate), "merchant_count"))
                .as("buckets 3-7: m1")
                .isEqualTo(1f);

        TransactionEvent after = merchantEvent("f", T + 12 * MINUTE, 128, "c1");
        assertThat(merchant.addOnly(after)).isEqualTo(Arrival.IN_ORDER);
        float[] values = merchant.compute(after);
        assertThat(value(values, "merchant_count"))
                .as("buckets 6-10, the late event too")
                .isEqualTo(7f);
        assertThat(value(values, "merchant_sum")).isEqualTo(127f);
        assertThat(value(values, "merchant_cards")).isEqualTo(5f);
    }

    @Test
    void neverCallsAnUnorderedEntitysEventOutOfOrder() {
        Entity merchant = new Entity("merchant");
        merchant.add(merchantEvent("a", T + 10 * MINUTE, 1, "c1")); // reads up to bucket 8
        merchant.add(merchantEvent("b", T + 9 * MINUTE, 1, "c1"));
        assertThat(merchant.arrival).as("bucket 9 is after bucket 8").isEqualTo(Arrival.IN_ORDER);
        merchant.add(merchantEvent("c", T + 8 * MINUTE, 1, "c1"));
        assertThat(merchant.arrival).isEqualTo(Arrival.LATE);
    }

    @Test
    void prunesAnUnorderedEntityOnlyAtTheWatermark() {
        Entity merchant = new Entity("merchant");
        merchant.addOnly(merchantEvent("a", T, 1, "c1"));
        merchant.addOnly(merchantEvent("b", T + 6 * MINUTE, 1, "c1"));
        merchant.addOnly(merchantEvent("c", T + HOUR, 1, "c1"));
        assertThat(merchant.state.size()).as("adding prunes nothing").isEqualTo(3);

        merchant.features.pruneAtWatermark(merchant.state, Long.MIN_VALUE);
        assertThat(merchant.state.size()).as("no watermark yet").isEqualTo(3);
        merchant.features.pruneAtWatermark(merchant.state, T + 6 * MINUTE);
        assertThat(merchant.state.size()).as("an event at 6:00 reads buckets 0-4").isEqualTo(3);
        merchant.features.pruneAtWatermark(merchant.state, T + 7 * MINUTE);
        assertThat(merchant.state.size()).as("one at 7:00 reads buckets 1-5").isEqualTo(2);
        assertThat(merchant.state.buckets)
                .containsExactly((T + 6 * MINUTE) / MINUTE, (T + HOUR) / MINUTE);
    }

    @Test
    void prunesAnOrderedEntityAsEventsArriveAndNotAtTheWatermark() {
        Entity card = new Entity("card");
        card.add(event("a").at(T).build());
        card.add(event("b").at(T + MINUTE).build());

        card.features.pruneAtWatermark(card.state, T + DAY);

        assertThat(card.state.size()).isEqualTo(2);
    }

    @Test
    void prunesBucketsOlderThanTheLongestWindowBeforeTheNewestEvent() {
        Entity card = new Entity("card");
        card.add(event("a").at(T).build());
        card.add(event("b").at(T + MINUTE).build());
        assertThat(card.state.size()).isEqualTo(2);

        card.add(event("c").at(T + 10 * MINUTE).build());
        assertThat(card.state.size()).as("bucket 0 left every window").isEqualTo(2);

        card.add(event("d").at(T + 20 * MINUTE).build());
        assertThat(card.state.size()).isEqualTo(1);

        float[] veryLate = card.add(event("e").at(T + 2 * MINUTE).build());
        assertThat(card.arrival).isEqualTo(Arrival.OUT_OF_ORDER);
        assertThat(value(veryLate, "count")).as("a and b were pruned").isZero();
        assertThat(card.state.size()).as("and so is the very late event").isEqualTo(1);
    }

    @Test
    void livesForItsLongestWindowPastTheBucketOfItsNewestEventAndTheSettle() {
        assertThat(new EntityFeatures(SPEC, "card").stateLifetimeMs())
                .as("bucket (1 min) + longest window (10 min)")
                .isEqualTo(MINUTE + 10 * MINUTE);
        assertThat(new EntityFeatures(SPEC, "merchant").stateLifetimeMs())
                .as("bucket (1 min) + longest window (5 min) + settle (1 min)")
                .isEqualTo(MINUTE + 5 * MINUTE + MINUTE);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"card", "merchant"})
    void clearingTheStateAtItsExpiryChangesNoFeatureOfAnEventAtOrAfterIt(String entity) {
        Random random = new Random(20_260_101L);
        int clears = 0;
        int exactlyAtExpiry = 0;
        int comparedAfterAClear = 0;
        for (int sequence = 0; sequence < 300; sequence++) {
            Entity kept = new Entity(entity);
            Entity cleared = new Entity(entity);
            long lastExpiry = Long.MIN_VALUE;
            for (TransactionEvent event : randomEvents(random, entity, 60)) {
                if (!cleared.state.isEmpty()) {
                    long expiry = expiry(cleared.features, cleared.state);
                    if (event.eventTimeMs >= expiry) {
                        cleared.state = cleared.features.newState();
                        lastExpiry = expiry;
                        clears++;
                        exactlyAtExpiry += event.eventTimeMs == expiry ? 1 : 0;
                    }
                }

                float[] keptValues = kept.add(event);
                float[] clearedValues = cleared.add(event);

                if (event.eventTimeMs >= lastExpiry) {
                    assertThat(clearedValues)
                            .as("sequence %d, %s", sequence, event)
                            .containsExactly(keptValues);
                    assertThat(cleared.arrival).isEqualTo(kept.arrival);
                    comparedAfterAClear += lastExpiry == Long.MIN_VALUE ? 0 : 1;
                }
            }
        }
        assertThat(clears).as("clears").isGreaterThan(1_000);
        assertThat(exactlyAtExpiry).as("events exactly at the expiry").isGreaterThan(100);
        assertThat(comparedAfterAClear).as("events compared after a clear").isGreaterThan(5_000);
    }

    @Test
    void pruningAtTheWatermarkChangesNoFeatureOfAnEventOnTime() {
        Random random = new Random(7_001L);
        int onTime = 0;
        for (int sequence = 0; sequence < 300; sequence++) {
            Entity kept = new Entity("merchant");
            Entity pruned = new Entity("merchant");
            long watermark = Long.MIN_VALUE;
            for (TransactionEvent event : randomEvents(random, "merchant", 60)) {
                float[] keptValues = kept.add(event);
                float[] prunedValues = pruned.add(event);

                if (event.eventTimeMs >= watermark) {
                    assertThat(prunedValues)
                            .as("sequence %d, %s", sequence, event)
                            .containsExactly(keptValues);
                    onTime++;
                }
                watermark = Math.max(watermark, event.eventTimeMs - 3 * MINUTE);
                pruned.features.pruneAtWatermark(pruned.state, watermark);
            }
            assertThat(pruned.state.size()).isLessThanOrEqualTo(kept.state.size());
        }
        assertThat(onTime).isGreaterThan(10_000);
    }

    /** When the state's lifetime past its newest event ends. */
    private static long expiry(EntityFeatures features, EntityState state) {
        return state.maxEventTimeMs + features.stateLifetimeMs();
    }

    /**
     * Events for one card at one merchant: mostly seconds to minutes apart, some out of order, some
     * around the entity's expiry.
     */
    private static List<TransactionEvent> randomEvents(Random random, String entity, int count) {
        EntityFeatures features = new EntityFeatures(SPEC, entity);
        EntityState state = features.newState();
        List<TransactionEvent> events = new ArrayList<>();
        long now = T + random.nextInt(60) * SECOND;
        for (int i = 0; i < count; i++) {
            int kind = random.nextInt(20);
            long time;
            if (kind < 10) {
                time = now + random.nextInt(90) * SECOND;
            } else if (kind < 13) {
                time = now + random.nextInt(15 * 60) * SECOND + random.nextInt(1000);
            } else if (kind < 16 && !state.isEmpty()) {
                long[] offsets = {0, 0, -1, 1, -MINUTE, MINUTE, random.nextInt(240_000) - 120_000};
                time = expiry(features, state) + offsets[random.nextInt(offsets.length)];
            } else {
                time = now - random.nextInt(12 * 60) * SECOND;
            }
            now = Math.max(now, time);
            TransactionEvent event =
                    event("e-" + i)
                            .card("card-" + (entity.equals("card") ? 1 : random.nextInt(4)))
                            .merchant("m-" + (entity.equals("merchant") ? 1 : random.nextInt(4)))
                            .at(time)
                            .amount(random.nextInt(4) == 0 ? 9.99 : random.nextInt(20_000) / 100.0)
                            .device(random.nextInt(3) == 0 ? null : "d" + random.nextInt(3))
                            .build();
            features.add(state, event);
            events.add(event);
        }
        return events;
    }

    // ---- helpers ----

    /** One entity of {@link #SPEC} with its state. */
    private static final class Entity {
        final EntityFeatures features;
        final boolean ordered;
        EntityState state;
        Arrival arrival;

        Entity(String name) {
            this.features = new EntityFeatures(SPEC, name);
            this.ordered = features.entity().ordered();
            this.state = features.newState();
        }

        /**
         * The event's vector (zeros but for this entity's aggregates), the event added to the
         * state: an ordered entity computes it first; another adds the event and computes it at
         * once, as its stage does once the watermark has passed the event's windows.
         */
        float[] add(TransactionEvent event) {
            float[] values = new float[SPEC.columns().size()];
            if (ordered) {
                arrival = features.computeAndAdd(state, event, values);
            } else {
                arrival = features.add(state, event);
                features.compute(state, event, values);
            }
            return values;
        }

        /** Adds the event to the state of an entity that is not ordered. */
        Arrival addOnly(TransactionEvent event) {
            arrival = features.add(state, event);
            return arrival;
        }

        /** The event's vector from the state as it is. */
        float[] compute(TransactionEvent event) {
            float[] values = new float[SPEC.columns().size()];
            features.compute(state, event, values);
            return values;
        }

        /** The event's vector, leaving the state as it was. */
        float[] peek(TransactionEvent event) {
            EntityState copy = features.decode(EntityStateCodec.encode(state));
            float[] values = new float[SPEC.columns().size()];
            features.computeAndAdd(copy, event, values);
            return values;
        }
    }

    private static TransactionEvent merchantEvent(
            String id, long time, double amount, String card) {
        return event(id).merchant("m-1").card(card).at(time).amount(amount).build();
    }

    private static float value(float[] values, String column) {
        int index = SPEC.columns().indexOf(column);
        assertThat(index).as(column).isNotNegative();
        return values[index];
    }

    private static float[] cardAggregates(float[] values) {
        float[] aggregates = new float[CARD_COLUMNS.size()];
        for (int i = 0; i < aggregates.length; i++) {
            aggregates[i] = value(values, CARD_COLUMNS.get(i));
        }
        return aggregates;
    }
}
