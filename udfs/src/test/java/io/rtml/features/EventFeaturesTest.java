package io.rtml.features;

import static io.rtml.testing.TestEvents.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.rtml.event.Channel;
import io.rtml.event.TransactionEvent;
import io.rtml.features.spec.FeatureSpec;
import io.rtml.features.spec.FeatureSpecLoader;
import io.rtml.features.spec.Transform;
import io.rtml.testing.ShippedSpec;
import java.time.Instant;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class EventFeaturesTest {
    /** Trigonometric values agree with the hand-computed ones to float precision. */
    private static final float TRIG = 1e-7f;

    private static final FeatureSpec SPEC =
            FeatureSpecLoader.parse(
                    "event-features",
                    """
                    name: event
                    version: 1
                    entities:
                      - name: card
                        key: card_id
                        ordered: true
                    features:
                      - {name: amount, field: amount}
                      - {name: amount_log1p, field: amount, transform: log1p}
                      - {name: amount_clipped, field: amount, transform: {clip: [1, 100]}}
                      - {name: channel, field: channel, one-hot: [pos, online]}
                      - {name: country, field: country, hash-buckets: 8}
                      - {name: device_hash, field: device_id, hash-buckets: 4}
                      - {name: hour, time: hour-of-day}
                      - {name: weekday, time: day-of-week}
                      - {name: card_txns, entity: card, aggregate: count, window: 1 h}
                    """);

    private static final EventFeatures FEATURES = new EventFeatures(SPEC);

    /** One-hot of an optional field. */
    private static final FeatureSpec DEVICE_ONE_HOT =
            FeatureSpecLoader.parse(
                    "device-one-hot",
                    """
                    name: device
                    version: 1
                    entities:
                      - {name: card, key: card_id}
                    features:
                      - {name: device, field: device_id, one-hot: [d1, d2]}
                    """);

    @Test
    void fillsTheSpecsWidthAndLeavesAggregateColumnsAtZero() {
        float[] values = compute(event("e-1").amount(7).build());

        assertThat(values).hasSize(SPEC.columns().size()).hasSize(22);
        assertThat(value(values, "card_txns")).isZero();
    }

    // ---- numeric fields and transforms ----

    @Test
    void takesANumericFieldAsItIsWithoutATransform() {
        assertThat(value(compute(event("e-1").amount(25.5).build()), "amount")).isEqualTo(25.5f);
    }

    @Test
    void appliesLog1pToANumericField() {
        assertThat(value(compute(event("e-1").amount(25).build()), "amount_log1p"))
                .isEqualTo((float) Math.log(26));
        assertThat(value(compute(event("e-1").amount(0).build()), "amount_log1p")).isZero();
    }

    @Test
    void keepsTheSignOfANegativeValueUnderLog1p() {
        assertThat(Transform.LOG1P.apply(-3)).isEqualTo(-Math.log(4));
        assertThat(Transform.LOG1P.apply(3)).isEqualTo(Math.log(4));
        assertThat(value(compute(event("e-1").amount(-3).build()), "amount_log1p"))
                .isEqualTo((float) -Math.log(4));
    }

    @Test
    void clipsANumericFieldToItsBounds() {
        assertThat(value(compute(event("e-1").amount(0.5).build()), "amount_clipped"))
                .isEqualTo(1f);
        assertThat(value(compute(event("e-1").amount(42).build()), "amount_clipped"))
                .isEqualTo(42f);
        assertThat(value(compute(event("e-1").amount(250).build()), "amount_clipped"))
                .isEqualTo(100f);
        assertThat(Transform.clip(-2, 2).apply(-7)).isEqualTo(-2);
        assertThat(Transform.NONE.apply(-7)).isEqualTo(-7);
    }

    // ---- one-hot ----

    @Test
    void setsTheOneHotColumnOfAListedValue() {
        assertThat(columns(compute(event("e-1").channel(Channel.POS).build()), "channel_pos", 2))
                .containsExactly(1f, 0f);
        assertThat(columns(compute(event("e-1").channel(Channel.ONLINE).build()), "channel_pos", 2))
                .containsExactly(0f, 1f);
    }

    @Test
    void leavesEveryOneHotColumnAtZeroForAnUnlistedValue() {
        assertThat(columns(compute(event("e-1").channel(Channel.ATM).build()), "channel_pos", 2))
                .containsExactly(0f, 0f);
    }

    @Test
    void setsTheOneHotColumnOfAnOptionalFieldsListedValue() {
        assertThat(new EventFeatures(DEVICE_ONE_HOT).compute(event("e-1").device("d2").build()))
                .containsExactly(0f, 1f);
        assertThat(new EventFeatures(DEVICE_ONE_HOT).compute(event("e-1").device("d3").build()))
                .containsExactly(0f, 0f);
    }

    @Test
    void leavesEveryOneHotColumnAtZeroForAnAbsentValue() {
        assertThat(new EventFeatures(DEVICE_ONE_HOT).compute(event("e-1").device(null).build()))
                .containsExactly(0f, 0f);
    }

    @Test
    void encodesTheShippedSpecsMerchantCategoryOverItsTenCodes() {
        FeatureSpec shipped = ShippedSpec.load();
        EventFeatures features = new EventFeatures(shipped);
        int at = shipped.columns().indexOf("merchant_category_5411");

        assertThat(shipped.columns().subList(at, at + 10))
                .containsExactly(
                        "merchant_category_5411",
                        "merchant_category_5812",
                        "merchant_category_5541",
                        "merchant_category_5311",
                        "merchant_category_5999",
                        "merchant_category_4111",
                        "merchant_category_5732",
                        "merchant_category_5944",
                        "merchant_category_5815",
                        "merchant_category_5816");
        float[] games = features.compute(event("e-1").category("5816").build());
        assertThat(Arrays.copyOfRange(games, at, at + 10))
                .containsExactly(0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 1f);
        // Cash machines are not listed (channel_atm says it), nor is an absent category.
        for (String unlisted : new String[] {"6011", null}) {
            float[] values = features.compute(event("e-1").category(unlisted).build());
            assertThat(Arrays.copyOfRange(values, at, at + 10)).as(unlisted).containsOnly(0f);
        }
    }

    // ---- hashed ----

    @Test
    void hashesAValueIntoTheBucketOfItsStableHash() {
        // FNV-1a over the UTF-8 bytes, then the avalanche: the same in every JVM and every run.
        assertThat(StableHash.of("DE")).isEqualTo(739_252_492);
        assertThat(StableHash.of("FR")).isEqualTo(487_917_501);
        assertThat(StableHash.of("d1")).isEqualTo(-367_129_931);
        assertThat(StableHash.of("")).isEqualTo(-1_019_724_718);

        assertThat(columns(compute(event("e-1").country("DE").build()), "country_0", 8))
                .containsExactly(0f, 0f, 0f, 0f, 1f, 0f, 0f, 0f);
        assertThat(columns(compute(event("e-1").country("FR").build()), "country_0", 8))
                .containsExactly(0f, 0f, 0f, 0f, 0f, 1f, 0f, 0f);
    }

    @Test
    void hashesANegativeHashIntoANonNegativeBucket() {
        // -367129931 mod 4 = 1 (floor modulo)
        assertThat(columns(compute(event("e-1").device("d1").build()), "device_hash_0", 4))
                .containsExactly(0f, 1f, 0f, 0f);
    }

    @Test
    void leavesEveryHashedColumnAtZeroForAnAbsentValue() {
        assertThat(columns(compute(event("e-1").device(null).build()), "device_hash_0", 4))
                .containsExactly(0f, 0f, 0f, 0f);
    }

    // ---- time of day and day of week ----

    @Test
    void putsTheHourOfDayOnTheUnitCircle() {
        assertHour("2026-01-01T00:00:00Z", 0, 1);
        assertHour("2026-01-01T06:00:00Z", 1, 0);
        assertHour("2026-01-01T12:00:00Z", 0, -1);
        assertHour("2026-01-01T18:00:00Z", -1, 0);
        double angle = 2 * Math.PI * 14.5 / 24;
        assertHour("2026-01-01T14:30:00Z", Math.sin(angle), Math.cos(angle));
    }

    @Test
    void takesTheHourOfDayInUtcWhateverTheDate() {
        float[] a = compute(event("e-1").at("2026-01-01T09:15:00Z").build());
        float[] b = compute(event("e-2").at("2030-07-19T09:15:00Z").build());

        assertThat(columns(a, "hour_sin", 2)).containsExactly(columns(b, "hour_sin", 2));
    }

    @Test
    void movesTheDayOfWeekOneSeventhOfATurnPerDayAndRepeatsWeekly() {
        long day = 86_400_000L;
        long monday = Instant.parse("2026-01-05T00:00:00Z").toEpochMilli();
        for (int d = 0; d < 7; d++) {
            double[] here = weekdayAngle(monday + d * day);
            double[] next = weekdayAngle(monday + (d + 1) * day);
            double turn = Math.atan2(next[0], next[1]) - Math.atan2(here[0], here[1]);
            assertThat(Math.IEEEremainder(turn - 2 * Math.PI / 7, 2 * Math.PI))
                    .as("day %d", d)
                    .isCloseTo(0, within(1e-6));
            assertThat(weekdayAngle(monday + d * day + 7 * day))
                    .as("day %d a week later", d)
                    .containsExactly(here, within(1e-6));
        }
    }

    @Test
    void putsMondayMidnightUtcAtWeekdayAngleZero() {
        assertWeekday("2026-01-05T00:00:00Z", 0, 1);
        double thursday = 2 * Math.PI * 3 / 7;
        assertWeekday("2026-01-01T00:00:00Z", Math.sin(thursday), Math.cos(thursday));
        double sundayNoon = 2 * Math.PI * 6.5 / 7;
        assertWeekday("2026-01-04T12:00:00Z", Math.sin(sundayNoon), Math.cos(sundayNoon));
    }

    @Test
    void computesTheSameValuesEveryTime() {
        TransactionEvent event =
                event("e-1")
                        .amount(12.34)
                        .channel(Channel.ONLINE)
                        .country("PL")
                        .device("d9")
                        .build();

        assertThat(compute(event)).containsExactly(new EventFeatures(SPEC).compute(event));
    }

    // ---- helpers ----

    private static float[] compute(TransactionEvent event) {
        return FEATURES.compute(event);
    }

    private static float value(float[] values, String column) {
        return values[index(column)];
    }

    private static float[] columns(float[] values, String first, int count) {
        int from = index(first);
        return Arrays.copyOfRange(values, from, from + count);
    }

    private static int index(String column) {
        int index = SPEC.columns().indexOf(column);
        assertThat(index).as(column).isNotNegative();
        return index;
    }

    private static void assertHour(String instant, double sin, double cos) {
        float[] values = compute(event("e-1").at(instant).build());
        assertThat(value(values, "hour_sin")).as(instant).isCloseTo((float) sin, within(TRIG));
        assertThat(value(values, "hour_cos")).as(instant).isCloseTo((float) cos, within(TRIG));
    }

    private static void assertWeekday(String instant, double sin, double cos) {
        float[] values = compute(event("e-1").at(instant).build());
        assertThat(value(values, "weekday_sin")).as(instant).isCloseTo((float) sin, within(TRIG));
        assertThat(value(values, "weekday_cos")).as(instant).isCloseTo((float) cos, within(TRIG));
    }

    private static double[] weekdayAngle(long timeMs) {
        float[] values = compute(event("e-1").at(timeMs).build());
        return new double[] {value(values, "weekday_sin"), value(values, "weekday_cos")};
    }
}
