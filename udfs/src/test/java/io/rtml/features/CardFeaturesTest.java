package io.rtml.features;

import static io.rtml.testing.TestEvents.MIDNIGHT_MS;
import static io.rtml.testing.TestEvents.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.rtml.event.Channel;
import io.rtml.event.TransactionEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class CardFeaturesTest {
    private static final long T = MIDNIGHT_MS;
    private static final long SECOND = 1_000L;
    private static final long MINUTE = 60 * SECOND;
    private static final long HOUR = 60 * MINUTE;
    private static final long DAY = 24 * HOUR;
    private static final long BUCKET = T / MINUTE;

    private static final float NO_PREVIOUS = (float) Math.log1p(86_400);

    // ---- the vector as a whole ----

    @Test
    void namesFourteenFeaturesInTheModelsOrder() {
        assertThat(CardFeatures.NAMES)
                .containsExactly(
                        "amount_log1p",
                        "channel_pos",
                        "channel_online",
                        "channel_atm",
                        "card_txn_count_1h",
                        "card_amount_sum_1h_log1p",
                        "card_txn_count_24h",
                        "card_amount_mean_24h_log1p",
                        "amount_to_mean_24h_log",
                        "seconds_since_prev_log1p",
                        "country_changed",
                        "device_changed",
                        "hour_sin",
                        "hour_cos");
        assertThat(CardFeatures.FEATURE_SET).isEqualTo("card-v1");
    }

    @Test
    void givesTheFirstEventOfACardOnlyItsOwnFeatures() {
        TransactionEvent first =
                event("e-1")
                        .at(T + 10 * HOUR)
                        .amount(99.5)
                        .channel(Channel.ONLINE)
                        .device("d-1")
                        .build();

        float[] values = CardFeatures.computeAndAdd(new CardHistory(), first);

        double angle = 2 * Math.PI * 10 / 24;
        assertThat(values)
                .containsExactly(
                        (float) Math.log1p(99.5),
                        0f,
                        1f,
                        0f,
                        0f,
                        0f,
                        0f,
                        0f,
                        0f,
                        NO_PREVIOUS,
                        0f,
                        0f,
                        (float) Math.sin(angle),
                        (float) Math.cos(angle));
    }

    @Test
    void recordsTheEventInTheHistory() {
        CardHistory history = new CardHistory();
        TransactionEvent first = event("e-1").at(T + 30 * SECOND).amount(10).device("d-1").build();

        CardFeatures.computeAndAdd(history, first);

        assertThat(history.isEmpty()).isFalse();
        assertThat(history.buckets).containsExactly(BUCKET);
        assertThat(history.counts).containsExactly(1);
        assertThat(history.sums).containsExactly(10.0);
        assertThat(history.lastEventTimeMs).isEqualTo(T + 30 * SECOND);
        assertThat(history.maxEventTimeMs).isEqualTo(T + 30 * SECOND);
        assertThat(history.lastCountry).isEqualTo("DE");
        assertThat(history.lastDeviceId).isEqualTo("d-1");
    }

    @Test
    void isDeterministicForTheSameEventsInTheSameOrder() {
        List<TransactionEvent> events = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            events.add(
                    event("e-" + i)
                            .at(T + (i * 7919L % 100) * 17 * MINUTE)
                            .amount(1 + i * 3.3)
                            .channel(Channel.values()[i % 3])
                            .country(i % 5 == 0 ? "FR" : "DE")
                            .device(i % 4 == 0 ? null : "d-" + i % 3)
                            .build());
        }

        List<float[]> first = vectors(events.toArray(TransactionEvent[]::new));
        List<float[]> second = vectors(events.toArray(TransactionEvent[]::new));

        for (int i = 0; i < events.size(); i++) {
            assertThat(second.get(i)).as("event %d", i).containsExactly(first.get(i));
        }
    }

    // ---- amount and channel ----

    @Test
    void takesLog1pOfTheAmount() {
        assertThat(feature(only(event("e").amount(0).build()), "amount_log1p")).isEqualTo(0f);
        assertThat(feature(only(event("e").amount(1e9).build()), "amount_log1p"))
                .isEqualTo((float) Math.log1p(1e9));
    }

    @ParameterizedTest(name = "one-hot {0}")
    @EnumSource(Channel.class)
    void encodesTheChannelOneHot(Channel channel) {
        float[] values = only(event("e").channel(channel).build());

        for (Channel other : Channel.values()) {
            assertThat(feature(values, "channel_" + other.wireName()))
                    .as(other.wireName())
                    .isEqualTo(other == channel ? 1f : 0f);
        }
    }

    // ---- windows ----

    @Test
    void countsAndSumsEarlierEventsInBothWindows() {
        List<float[]> vectors =
                vectors(
                        event("e-1").at(T).amount(10).build(),
                        event("e-2").at(T + 10 * MINUTE).amount(20).build(),
                        event("e-3").at(T + 20 * MINUTE).amount(30).build());

        float[] second = vectors.get(1);
        assertThat(feature(second, "card_txn_count_1h")).isEqualTo(1f);
        assertThat(feature(second, "card_amount_sum_1h_log1p")).isEqualTo((float) Math.log1p(10));
        assertThat(feature(second, "card_txn_count_24h")).isEqualTo(1f);
        assertThat(feature(second, "card_amount_mean_24h_log1p")).isEqualTo((float) Math.log1p(10));
        assertThat(feature(second, "amount_to_mean_24h_log"))
                .isEqualTo((float) (Math.log1p(20) - Math.log1p(10)));

        float[] third = vectors.get(2);
        assertThat(feature(third, "card_txn_count_1h")).isEqualTo(2f);
        assertThat(feature(third, "card_amount_sum_1h_log1p")).isEqualTo((float) Math.log1p(30));
        assertThat(feature(third, "card_txn_count_24h")).isEqualTo(2f);
        assertThat(feature(third, "card_amount_mean_24h_log1p")).isEqualTo((float) Math.log1p(15));
        assertThat(feature(third, "amount_to_mean_24h_log"))
                .isEqualTo((float) (Math.log1p(30) - Math.log1p(15)));
    }

    @Test
    void leavesTheEventItselfOutOfItsWindows() {
        float[] values = only(event("e-1").amount(500).build());

        assertThat(feature(values, "card_txn_count_1h")).isEqualTo(0f);
        assertThat(feature(values, "card_txn_count_24h")).isEqualTo(0f);
        assertThat(feature(values, "card_amount_mean_24h_log1p")).isEqualTo(0f);
        assertThat(feature(values, "amount_to_mean_24h_log")).isEqualTo(0f);
    }

    @Test
    void countsEventsOfTheSameMinuteInOneBucket() {
        CardHistory history = new CardHistory();
        CardFeatures.computeAndAdd(history, event("e-1").at(T + SECOND).amount(1).build());
        CardFeatures.computeAndAdd(history, event("e-2").at(T + 20 * SECOND).amount(2).build());
        float[] third =
                CardFeatures.computeAndAdd(
                        history, event("e-3").at(T + 59 * SECOND).amount(4).build());

        assertThat(feature(third, "card_txn_count_1h")).isEqualTo(2f);
        assertThat(history.buckets).containsExactly(BUCKET);
        assertThat(history.counts).containsExactly(3);
        assertThat(history.sums).containsExactly(7.0);
    }

    @Test
    void dropsAnEvent61MinutesOldFromTheHourWindowButKeepsItForTheDay() {
        float[] later =
                vectors(
                                event("e-1").at(T).amount(10).build(),
                                event("e-2").at(T + 61 * MINUTE).amount(20).build())
                        .get(1);

        assertThat(feature(later, "card_txn_count_1h")).isEqualTo(0f);
        assertThat(feature(later, "card_amount_sum_1h_log1p")).isEqualTo(0f);
        assertThat(feature(later, "card_txn_count_24h")).isEqualTo(1f);
        assertThat(feature(later, "card_amount_mean_24h_log1p")).isEqualTo((float) Math.log1p(10));
    }

    @Test
    void keepsAnEvent59MinutesOldInTheHourWindow() {
        float[] later =
                vectors(event("e-1").at(T).build(), event("e-2").at(T + 59 * MINUTE).build())
                        .get(1);

        assertThat(feature(later, "card_txn_count_1h")).isEqualTo(1f);
    }

    @Test
    void dropsAnEventMoreThanADayOldFromTheDayWindow() {
        float[] later =
                vectors(
                                event("e-1").at(T).amount(10).build(),
                                event("e-2").at(T + DAY + MINUTE).amount(20).build())
                        .get(1);

        assertThat(feature(later, "card_txn_count_24h")).isEqualTo(0f);
        assertThat(feature(later, "card_amount_mean_24h_log1p")).isEqualTo(0f);
        assertThat(feature(later, "amount_to_mean_24h_log")).isEqualTo(0f);
    }

    @Test
    void keepsAnEvent1439MinutesOldInTheDayWindow() {
        float[] later =
                vectors(event("e-1").at(T).build(), event("e-2").at(T + DAY - MINUTE).build())
                        .get(1);

        assertThat(feature(later, "card_txn_count_24h")).isEqualTo(1f);
        assertThat(feature(later, "card_txn_count_1h")).isEqualTo(0f);
    }

    // The class doc: a window of length W covers the buckets after the one holding t - W, up to
    // the one holding t. An earlier event is inside iff fewer than W/1min minute boundaries lie
    // between the minutes that hold it and t.

    @Test
    void leavesOutOfTheHourWindowTheMinuteHoldingTheWindowStart() {
        // 59 min 0.001 s apart, but the earlier event is in the minute holding t - 1 h.
        float[] later =
                vectors(event("e-1").at(T + MINUTE - 1).build(), event("e-2").at(T + HOUR).build())
                        .get(1);

        assertThat(feature(later, "card_txn_count_1h")).isEqualTo(0f);
    }

    @Test
    void includesInTheHourWindowTheMinuteAfterTheWindowStart() {
        // 59 min 59.999 s apart: the earlier event is in the minute after the one holding t - 1 h.
        float[] later =
                vectors(event("e-1").at(T).build(), event("e-2").at(T + HOUR - 1).build()).get(1);

        assertThat(feature(later, "card_txn_count_1h")).isEqualTo(1f);
    }

    @Test
    void appliesTheSameMinuteBoundariesToTheDayWindow() {
        float[] out =
                vectors(event("e-1").at(T + MINUTE - 1).build(), event("e-2").at(T + DAY).build())
                        .get(1);
        float[] in =
                vectors(event("e-1").at(T).build(), event("e-2").at(T + DAY - 1).build()).get(1);

        assertThat(feature(out, "card_txn_count_24h")).isEqualTo(0f);
        assertThat(feature(in, "card_txn_count_24h")).isEqualTo(1f);
    }

    @Test
    void countsALaterEventOfTheSameMinuteThatArrivedFirst() {
        // Windows end with the whole minute holding t, so a later event of that minute is in.
        float[] late =
                vectors(
                                event("e-1").at(T + 50 * SECOND).amount(10).build(),
                                event("e-2").at(T + 10 * SECOND).build())
                        .get(1);

        assertThat(feature(late, "card_txn_count_1h")).isEqualTo(1f);
        assertThat(feature(late, "card_amount_sum_1h_log1p")).isEqualTo((float) Math.log1p(10));
    }

    // ---- out of order ----

    @Test
    void leavesALaterEventOutOfTheWindowsOfAnEarlierEventArrivingAfterIt() {
        float[] late =
                vectors(
                                event("e-1").at(T + 30 * MINUTE).amount(10).build(),
                                event("e-2").at(T + 10 * MINUTE).amount(20).build())
                        .get(1);

        assertThat(feature(late, "card_txn_count_1h")).isEqualTo(0f);
        assertThat(feature(late, "card_amount_sum_1h_log1p")).isEqualTo(0f);
        assertThat(feature(late, "card_txn_count_24h")).isEqualTo(0f);
        assertThat(feature(late, "card_amount_mean_24h_log1p")).isEqualTo(0f);
        assertThat(feature(late, "amount_to_mean_24h_log")).isEqualTo(0f);
    }

    @Test
    void givesALateEventWhatIsInItsWindowAndLetsLaterEventsSeeIt() {
        List<float[]> vectors =
                vectors(
                        event("e-1").at(T).amount(10).build(),
                        event("e-2").at(T + 5 * MINUTE).amount(20).build(),
                        event("e-3").at(T + 70 * MINUTE).amount(40).build(),
                        event("late").at(T + 50 * MINUTE).amount(5).build(),
                        event("e-4").at(T + 80 * MINUTE).amount(8).build());

        float[] late = vectors.get(3);
        assertThat(feature(late, "card_txn_count_1h")).isEqualTo(2f);
        assertThat(feature(late, "card_amount_sum_1h_log1p")).isEqualTo((float) Math.log1p(30));
        assertThat(feature(late, "card_txn_count_24h")).isEqualTo(2f);
        assertThat(feature(late, "card_amount_mean_24h_log1p")).isEqualTo((float) Math.log1p(15));

        float[] after = vectors.get(4);
        assertThat(feature(after, "card_txn_count_1h")).isEqualTo(2f);
        assertThat(feature(after, "card_amount_sum_1h_log1p")).isEqualTo((float) Math.log1p(45));
        assertThat(feature(after, "card_txn_count_24h")).isEqualTo(4f);
        assertThat(feature(after, "card_amount_mean_24h_log1p"))
                .isEqualTo((float) Math.log1p(75 / 4.0));
    }

    @Test
    void keepsTheLargestEventTimeWhenALateEventArrives() {
        CardHistory history = history(event("e-1").at(T + HOUR).build());

        CardFeatures.computeAndAdd(history, event("late").at(T).build());

        assertThat(history.maxEventTimeMs).isEqualTo(T + HOUR);
        assertThat(history.lastEventTimeMs).isEqualTo(T);
        assertThat(history.buckets).containsExactly(BUCKET, BUCKET + 60);
    }

    // ---- pruning ----

    @Test
    void prunesBucketsADayOrMoreBeforeTheNewestEvent() {
        CardHistory history =
                history(
                        event("e-1").at(T).amount(1).build(),
                        event("e-2").at(T + HOUR).amount(2).build(),
                        event("e-3").at(T + DAY).amount(3).build());

        assertThat(history.buckets).containsExactly(BUCKET + 60, BUCKET + 1440);
        assertThat(history.counts).containsExactly(1, 1);
        assertThat(history.sums).containsExactly(2.0, 3.0);
    }

    @Test
    void keepsTheBucketsADayWindowEndingAtTheNewestEventCanReach() {
        CardHistory history =
                history(
                        event("e-1").at(T).amount(1).build(),
                        event("e-2").at(T + HOUR).amount(2).build(),
                        event("e-3").at(T + DAY - 1).amount(3).build());

        assertThat(history.buckets).containsExactly(BUCKET, BUCKET + 60, BUCKET + 1439);
    }

    @Test
    void prunesRelativeToTheNewestEventNotALateOne() {
        CardHistory history =
                history(event("e-1").at(T).build(), event("e-2").at(T + 2 * HOUR).build());

        CardFeatures.computeAndAdd(history, event("late").at(T - DAY - HOUR).build());

        // The late event is itself older than a day before the newest: it is not kept.
        assertThat(history.buckets).containsExactly(BUCKET, BUCKET + 120);
    }

    @Test
    void givesALateEventNoBucketsPrunedBeforeItArrived() {
        // Pins the documented trade-off: only a day before the newest event is kept, so a late
        // event more than a day behind it does not see older events its own window would cover.
        float[] late =
                vectors(
                                event("e-1").at(T).build(),
                                event("e-2").at(T + DAY + HOUR).build(),
                                event("late").at(T + 2 * HOUR).build())
                        .get(2);

        assertThat(feature(late, "card_txn_count_24h")).isEqualTo(0f);
    }

    // ---- seconds since the previous event ----

    @Test
    void measuresSecondsSinceThePreviousEvent() {
        float[] later =
                vectors(event("e-1").at(T).build(), event("e-2").at(T + 90 * SECOND).build())
                        .get(1);

        assertThat(feature(later, "seconds_since_prev_log1p")).isEqualTo((float) Math.log1p(90));
    }

    @Test
    void keepsMillisecondsInSecondsSincePrevious() {
        float[] later =
                vectors(event("e-1").at(T).build(), event("e-2").at(T + 1_500).build()).get(1);

        assertThat(feature(later, "seconds_since_prev_log1p")).isEqualTo((float) Math.log1p(1.5));
    }

    @Test
    void capsSecondsSincePreviousAtADayForTheFirstEvent() {
        assertThat(feature(only(event("e").build()), "seconds_since_prev_log1p"))
                .isEqualTo(NO_PREVIOUS);
    }

    @Test
    void capsSecondsSincePreviousAtADayWhenThePreviousIsADayOld() {
        float[] exactlyADay =
                vectors(event("e-1").at(T).build(), event("e-2").at(T + DAY).build()).get(1);
        float[] threeDays =
                vectors(event("e-1").at(T).build(), event("e-2").at(T + 3 * DAY).build()).get(1);

        assertThat(feature(exactlyADay, "seconds_since_prev_log1p")).isEqualTo(NO_PREVIOUS);
        assertThat(feature(threeDays, "seconds_since_prev_log1p")).isEqualTo(NO_PREVIOUS);
    }

    @Test
    void countsAPreviousEventJustUnderADayOld() {
        float[] later =
                vectors(event("e-1").at(T).build(), event("e-2").at(T + DAY - 1).build()).get(1);

        assertThat(feature(later, "seconds_since_prev_log1p"))
                .isEqualTo((float) Math.log1p(86_399.999));
    }

    @Test
    void measuresSecondsSinceTheLastArrivedEvent() {
        List<float[]> vectors =
                vectors(
                        event("e-1").at(T + 30 * MINUTE).build(),
                        event("late").at(T + 10 * MINUTE).build(),
                        event("e-2").at(T + 40 * MINUTE).build());

        assertThat(feature(vectors.get(1), "seconds_since_prev_log1p")).isEqualTo(0f);
        assertThat(feature(vectors.get(2), "seconds_since_prev_log1p"))
                .isEqualTo((float) Math.log1p(1_800));
    }

    // ---- country and device changes ----

    @Test
    void flagsACountryDifferentFromThePreviousEvents() {
        List<float[]> vectors =
                vectors(
                        event("e-1").at(T).country("DE").build(),
                        event("e-2").at(T + MINUTE).country("DE").build(),
                        event("e-3").at(T + 2 * MINUTE).country("FR").build(),
                        event("e-4").at(T + 3 * MINUTE).country("FR").build(),
                        event("e-5").at(T + 4 * MINUTE).country("DE").build());

        assertThat(vectors)
                .extracting(v -> feature(v, "country_changed"))
                .containsExactly(0f, 0f, 1f, 0f, 1f);
    }

    @Test
    void doesNotFlagACountryChangeAfterADayWithoutEvents() {
        float[] later =
                vectors(
                                event("e-1").at(T).country("DE").build(),
                                event("e-2").at(T + DAY).country("FR").build())
                        .get(1);
        float[] justUnder =
                vectors(
                                event("e-1").at(T).country("DE").build(),
                                event("e-2").at(T + DAY - 1).country("FR").build())
                        .get(1);

        assertThat(feature(later, "country_changed")).isEqualTo(0f);
        assertThat(feature(justUnder, "country_changed")).isEqualTo(1f);
    }

    static Stream<Arguments> deviceSequences() {
        return Stream.of(
                Arguments.of("d-1", "d-2", 1f),
                Arguments.of("d-1", "d-1", 0f),
                Arguments.of("d-1", null, 0f),
                Arguments.of(null, "d-1", 0f),
                Arguments.of(null, null, 0f));
    }

    @ParameterizedTest(name = "device {0} then {1} gives {2}")
    @MethodSource("deviceSequences")
    void flagsADeviceChangeOnlyWhenBothDevicesAreKnownAndDiffer(
            String previous, String current, float changed) {
        float[] later =
                vectors(
                                event("e-1").at(T).device(previous).build(),
                                event("e-2").at(T + MINUTE).device(current).build())
                        .get(1);

        assertThat(feature(later, "device_changed")).isEqualTo(changed);
    }

    @Test
    void comparesWithTheLastDeviceSeenAcrossEventsWithoutOne() {
        float[] third =
                vectors(
                                event("e-1").at(T).device("d-1").build(),
                                event("e-2").at(T + MINUTE).build(),
                                event("e-3").at(T + 2 * MINUTE).device("d-2").build())
                        .get(2);

        assertThat(feature(third, "device_changed")).isEqualTo(1f);
    }

    @Test
    void doesNotFlagADeviceChangeAfterADayWithoutEvents() {
        float[] later =
                vectors(
                                event("e-1").at(T).device("d-1").build(),
                                event("e-2").at(T + DAY).device("d-2").build())
                        .get(1);

        assertThat(feature(later, "device_changed")).isEqualTo(0f);
    }

    // ---- time of day ----

    static Stream<Arguments> timesOfDay() {
        double half = Math.sqrt(0.5);
        return Stream.of(
                Arguments.of("2026-01-01T00:00:00Z", 0.0, 1.0),
                Arguments.of("2026-01-01T03:00:00Z", half, half),
                Arguments.of("2026-01-01T06:00:00Z", 1.0, 0.0),
                Arguments.of("2026-01-01T12:00:00Z", 0.0, -1.0),
                Arguments.of("2026-01-01T18:00:00Z", -1.0, 0.0),
                Arguments.of("2026-01-01T21:00:00Z", -half, half),
                Arguments.of("2031-07-19T06:00:00Z", 1.0, 0.0),
                Arguments.of("2026-01-01T23:59:59.999Z", 0.0, 1.0));
    }

    @ParameterizedTest(name = "{0}: sin {1}, cos {2}")
    @MethodSource("timesOfDay")
    void encodesTheUtcTimeOfDayOnTheUnitCircle(String at, double sin, double cos) {
        float[] values = only(event("e").at(at).build());

        assertThat(feature(values, "hour_sin")).isCloseTo((float) sin, within(1e-6f));
        assertThat(feature(values, "hour_cos")).isCloseTo((float) cos, within(1e-6f));
    }

    @Test
    void encodesTheTimeOfDayToTheMillisecond() {
        long millisOfDay = 10 * HOUR + 17 * MINUTE + 43_500;
        float[] values = only(event("e").at(T + 5 * DAY + millisOfDay).build());

        double angle = 2 * Math.PI * millisOfDay / DAY;
        assertThat(feature(values, "hour_sin")).isEqualTo((float) Math.sin(angle));
        assertThat(feature(values, "hour_cos")).isEqualTo((float) Math.cos(angle));
    }

    // ---- expiry ----

    @Test
    void expiresADayAfterTheEndOfTheMinuteOfTheNewestEvent() {
        assertThat(CardFeatures.expiryTimeMs(history(event("e").at(T).build())))
                .isEqualTo(T + MINUTE + DAY);
        assertThat(CardFeatures.expiryTimeMs(history(event("e").at(T + MINUTE - 1).build())))
                .isEqualTo(T + MINUTE + DAY);
        assertThat(CardFeatures.expiryTimeMs(history(event("e").at(T + MINUTE).build())))
                .isEqualTo(T + 2 * MINUTE + DAY);
    }

    @Test
    void expiresFromTheNewestEventTimeNotTheLastArrived() {
        CardHistory history =
                history(event("e-1").at(T + HOUR).build(), event("late").at(T).build());

        assertThat(CardFeatures.expiryTimeMs(history)).isEqualTo(T + HOUR + MINUTE + DAY);
    }

    static Stream<Arguments> historiesAndLaterEvents() {
        List<TransactionEvent> busy = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            busy.add(
                    event("h-" + i)
                            .at(T + i * 23 * MINUTE + i * 997L)
                            .amount(5 + i)
                            .channel(Channel.values()[i % 3])
                            .country(i % 7 == 0 ? "FR" : "DE")
                            .device("d-" + i % 2)
                            .build());
        }
        busy.add(event("h-late").at(T + HOUR).device("d-9").build());
        List<TransactionEvent> deviceless =
                List.of(
                        event("h-1").at(T).country("FR").build(),
                        event("h-2").at(T + 59 * SECOND + 999).country("DE").build());
        return Stream.of(
                Arguments.of("busy card, later events with devices", busy, 0L, true),
                Arguments.of("busy card, later events 1 ms after expiry", busy, 1L, true),
                Arguments.of("busy card, later events 3 days after", busy, 3 * DAY, true),
                Arguments.of("card without devices", deviceless, 0L, false),
                Arguments.of("card without devices, later with", deviceless, 0L, true),
                Arguments.of("card without devices, 5 min after", deviceless, 5 * MINUTE, true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("historiesAndLaterEvents")
    void clearingTheHistoryAtExpiryChangesNoFeatureOfLaterEvents(
            String scenario, List<TransactionEvent> past, long delay, boolean laterDevices) {
        CardHistory kept = history(past.toArray(TransactionEvent[]::new));
        long expiry = CardFeatures.expiryTimeMs(kept);
        CardHistory cleared = new CardHistory();

        for (TransactionEvent later : laterEvents(expiry + delay, laterDevices)) {
            assertThat(CardFeatures.computeAndAdd(cleared, later))
                    .as("%s: %s", scenario, later.eventId)
                    .containsExactly(CardFeatures.computeAndAdd(kept, later));
        }
    }

    @Test
    void clearingTheHistoryAtExpiryKeepsDeviceChangedOfAnEventAfterOneWithoutDevice() {
        CardHistory kept = history(event("h-1").at(T).device("d-1").build());
        long expiry = CardFeatures.expiryTimeMs(kept);
        CardHistory cleared = new CardHistory();
        TransactionEvent withoutDevice = event("e-1").at(expiry).build();
        TransactionEvent withDevice = event("e-2").at(expiry + MINUTE).device("d-2").build();

        assertThat(CardFeatures.computeAndAdd(cleared, withoutDevice))
                .containsExactly(CardFeatures.computeAndAdd(kept, withoutDevice));
        assertThat(CardFeatures.computeAndAdd(cleared, withDevice))
                .containsExactly(CardFeatures.computeAndAdd(kept, withDevice));
    }

    /** Events from {@code start} on, some out of order, all different from the past ones. */
    private static List<TransactionEvent> laterEvents(long start, boolean devices) {
        List<TransactionEvent> later = new ArrayList<>();
        long[] offsets = {0, 40 * SECOND, 3 * MINUTE, MINUTE, 2 * HOUR, 90 * MINUTE, DAY + HOUR};
        for (int i = 0; i < offsets.length; i++) {
            later.add(
                    event("later-" + i)
                            .at(start + offsets[i])
                            .amount(3 + 11 * i)
                            .channel(Channel.values()[(i + 1) % 3])
                            .country(i % 2 == 0 ? "DE" : "ES")
                            .device(devices ? "d-" + (i % 3) : null)
                            .build());
        }
        return later;
    }

    // ---- helpers ----

    private static float feature(float[] values, String name) {
        int index = CardFeatures.NAMES.indexOf(name);
        assertThat(index).as("feature %s", name).isNotNegative();
        return values[index];
    }

    private static float[] only(TransactionEvent event) {
        return CardFeatures.computeAndAdd(new CardHistory(), event);
    }

    private static List<float[]> vectors(TransactionEvent... events) {
        CardHistory history = new CardHistory();
        List<float[]> vectors = new ArrayList<>();
        for (TransactionEvent event : events) {
            vectors.add(CardFeatures.computeAndAdd(history, event));
        }
        return vectors;
    }

    private static CardHistory history(TransactionEvent... events) {
        CardHistory history = new CardHistory();
        for (TransactionEvent event : events) {
            CardFeatures.computeAndAdd(history, event);
        }
        return history;
    }
}
