package io.rtml.features;

import static io.rtml.testing.TestEvents.MIDNIGHT_MS;
import static io.rtml.testing.TestEvents.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rtml.testing.ShippedSpec;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class EntityStateCodecTest {
    private static final long MINUTE = 60_000L;
    private static final long HOUR = 60 * MINUTE;

    @Test
    void readsBackEveryFieldOfRandomStates() {
        Random random = new Random(42);
        for (int i = 0; i < 500; i++) {
            EntityState state = randomState(random);

            EntityState read =
                    EntityStateCodec.decode(
                            EntityStateCodec.encode(state),
                            state.numericFields,
                            state.categoricalFields);

            assertSameState(read, state, "state " + i);
        }
    }

    @Test
    void readsBackAnEmptyState() {
        EntityState empty = new EntityState(2, 1);

        EntityState read = EntityStateCodec.decode(EntityStateCodec.encode(empty), 2, 1);

        assertSameState(read, empty, "empty");
        assertThat(read.isEmpty()).isTrue();
        assertThat(read.sealedBucket).isEqualTo(Long.MIN_VALUE);
    }

    @Test
    void readsBackTheStatesTheShippedSpecBuilds() {
        EntityFeatures card = new EntityFeatures(ShippedSpec.load(), "card");
        EntityFeatures merchant = new EntityFeatures(ShippedSpec.load(), "merchant");
        EntityState cardState = card.newState();
        EntityState merchantState = merchant.newState();
        Random random = new Random(7);
        long time = MIDNIGHT_MS;
        for (int i = 0; i < 200; i++) {
            time += random.nextInt(20) * MINUTE + random.nextInt(60_000);
            var event =
                    event("e-" + i)
                            .card("c-" + random.nextInt(50))
                            .at(time)
                            .amount(random.nextInt(10_000) / 100.0)
                            .country(random.nextBoolean() ? "DE" : "FR")
                            .device(random.nextBoolean() ? null : "d" + random.nextInt(3))
                            .build();
            float[] values = new float[42];
            card.computeAndAdd(cardState, event, values);
            merchant.computeAndAdd(merchantState, event, values);

            assertSameState(card.decode(EntityStateCodec.encode(cardState)), cardState, "card");
            assertSameState(
                    merchant.decode(EntityStateCodec.encode(merchantState)),
                    merchantState,
                    "merchant");
        }
    }

    @Test
    void keepsATypicalCardInAFewHundredBytes() {
        // The shipped spec's card: one numeric field (amount) and four categorical ones
        // (merchant, country, device, merchant category). Five purchases in a day, in five
        // buckets.
        EntityFeatures card = new EntityFeatures(ShippedSpec.load(), "card");
        EntityState state = card.newState();
        long[] hours = {8, 11, 14, 17, 20};
        for (int i = 0; i < hours.length; i++) {
            card.computeAndAdd(
                    state,
                    event("e-" + i)
                            .merchant("m-" + i)
                            .category("5411")
                            .at(MIDNIGHT_MS + hours[i] * HOUR + i * 7 * MINUTE)
                            .amount(10 + i)
                            .device("d-1")
                            .build(),
                    new float[42]);
        }

        byte[] bytes = EntityStateCodec.encode(state);

        // Header: format, two field counts, hasEvent (1 byte each), three longs (24), size (1).
        int header = 4 + 24 + 1;
        // A bucket: its index as a delta (4 varint bytes for the first, epoch minutes; 2 for the
        // later gaps of 187 minutes), its count (1), 4 doubles for amount (32), and per categorical
        // field a
        // set size (1) and one 4-byte hash.
        int bucket = 1 + 32 + 4 * (1 + 4);
        assertThat(bytes).hasSize(header + (4 + bucket) + 4 * (2 + bucket));
        assertThat(bytes.length).isEqualTo(306).isLessThan(320);
    }

    @Test
    void writesTheIndexOfConsecutiveBucketsInOneByteEach() {
        EntityState state = new EntityState(0, 0);
        state.hasEvent = true;
        int size = 100;
        for (int b = 0; b < size; b++) {
            int at = state.bucketIndex(29_450_000L + b);
            state.counts[at]++;
        }

        byte[] bytes = EntityStateCodec.encode(state);

        // header (4 + 24 + 1 for the size, which is under 128), first index (4), then 99 one-byte
        // deltas, and one byte per count.
        assertThat(bytes).hasSize(29 + 4 + (size - 1) + size);
    }

    @Test
    void refusesStateWrittenWithOtherFieldCountsNamingTheChangedSpec() {
        EntityState state = new EntityState(1, 3);
        state.hasEvent = true;
        byte[] bytes = EntityStateCodec.encode(state);

        assertThatThrownBy(() -> EntityStateCodec.decode(bytes, 2, 3))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage(
                        "entity state holds 1 numeric and 3 categorical fields, the feature spec"
                                + " needs 2 and 3: a changed spec needs new operator uids (see"
                                + " docs/operations.md)");
        assertThatThrownBy(() -> EntityStateCodec.decode(bytes, 1, 2))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage(
                        "entity state holds 1 numeric and 3 categorical fields, the feature spec"
                                + " needs 1 and 2: a changed spec needs new operator uids (see"
                                + " docs/operations.md)");
    }

    @Test
    void refusesAMerchantStateReadAsACards() {
        // The shipped spec's merchant keeps amount and card_id; its card keeps amount and four.
        EntityFeatures merchant = new EntityFeatures(ShippedSpec.load(), "merchant");
        EntityFeatures card = new EntityFeatures(ShippedSpec.load(), "card");
        EntityState state = merchant.newState();
        merchant.computeAndAdd(state, event("e-1").build(), new float[42]);

        assertThatThrownBy(() -> card.decode(EntityStateCodec.encode(state)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("1 numeric and 1 categorical fields")
                .hasMessageContaining("needs 1 and 4")
                .hasMessageEndingWith(
                        "a changed spec needs new operator uids (see docs/operations.md)");
    }

    /**
     * The layout is a savepoint format: these bytes were written by the first implementation
     * (format 1), and every later one must read and write them exactly.
     */
    @Test
    void keepsTheBytesOfFormatOne() {
        EntityState state = new EntityState(1, 2);
        state.hasEvent = true;
        state.lastEventTimeMs = 1_767_225_600_159L;
        state.maxEventTimeMs = 1_767_225_660_000L;
        state.sealedBucket = Long.MIN_VALUE;
        int first = state.bucketIndex(29_453_760L);
        int second = state.bucketIndex(29_453_947L);
        state.counts[first] = 3;
        state.counts[second] = 200;
        double[] stats = {75.5, 2_000.25, -0.0, 1e300, Double.NaN, 1, Double.MIN_VALUE, -7};
        System.arraycopy(stats, 0, state.stats, 0, stats.length);
        state.values[0] = new int[] {-5, 7, Integer.MAX_VALUE};
        state.values[1] = new int[0];
        state.values[2] = new int[] {Integer.MIN_VALUE};
        state.values[3] = new int[] {0, 1};
        String golden =
                "010102010000019b76daa89f0000019b76db9260800000000000000002c0db850e034052e0000000"
                        + "0000409f41000000000080000000000000007e37e43c8800759c03fffffffb000000077fff"
                        + "ffff00bb01c8017ff80000000000003ff00000000000000000000000000001c01c00000000"
                        + "00000180000000020000000000000001";

        assertThat(HexFormat.of().formatHex(EntityStateCodec.encode(state))).isEqualTo(golden);
        EntityState read = EntityStateCodec.decode(HexFormat.of().parseHex(golden), 1, 2);
        assertSameState(read, state, "format 1");
        assertThat(read.sealedBucket).isEqualTo(Long.MIN_VALUE);
    }

    @Test
    void refusesTruncatedState() {
        EntityState state = randomState(new Random(3));
        byte[] bytes = EntityStateCodec.encode(state);

        for (int length : new int[] {0, 1, 20, bytes.length - 1}) {
            byte[] truncated = Arrays.copyOf(bytes, length);
            assertThatThrownBy(
                            () ->
                                    EntityStateCodec.decode(
                                            truncated,
                                            state.numericFields,
                                            state.categoricalFields))
                    .as("%d of %d bytes", length, bytes.length)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("entity state is truncated");
        }
    }

    @Test
    void refusesAnUnknownFormat() {
        byte[] bytes = EntityStateCodec.encode(new EntityState(1, 1));
        bytes[0] = 2;

        assertThatThrownBy(() -> EntityStateCodec.decode(bytes, 1, 1))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("entity state format 2 is unknown");
    }

    // ---- helpers ----

    /** A state with random contents in every field, of up to 3 numeric and categorical fields. */
    private static EntityState randomState(Random random) {
        EntityState state = new EntityState(random.nextInt(4), random.nextInt(4));
        int size = random.nextInt(40);
        long bucket = random.nextBoolean() ? 29_450_000L : -random.nextInt(1_000_000);
        for (int b = 0; b < size; b++) {
            bucket += 1 + (random.nextBoolean() ? random.nextInt(3) : random.nextInt(100_000));
            int at = state.bucketIndex(bucket);
            state.counts[at] =
                    random.nextInt(5) == 0 ? 1 + random.nextInt(100_000) : 1 + random.nextInt(3);
        }
        double[] specials = {
            Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0, Double.MIN_VALUE, 1e300
        };
        for (int i = 0; i < state.stats.length; i++) {
            state.stats[i] =
                    random.nextInt(10) == 0
                            ? specials[random.nextInt(specials.length)]
                            : random.nextGaussian() * 1_000;
        }
        for (int i = 0; i < state.values.length; i++) {
            state.values[i] =
                    IntStream.generate(random::nextInt)
                            .limit(random.nextInt(6))
                            .distinct()
                            .sorted()
                            .toArray();
        }
        state.hasEvent = size > 0 || random.nextBoolean();
        state.lastEventTimeMs = random.nextLong();
        state.maxEventTimeMs = random.nextLong();
        state.sealedBucket = random.nextBoolean() ? Long.MIN_VALUE : random.nextLong();
        return state;
    }

    private static void assertSameState(EntityState actual, EntityState expected, String what) {
        assertThat(actual.numericFields).as(what).isEqualTo(expected.numericFields);
        assertThat(actual.categoricalFields).as(what).isEqualTo(expected.categoricalFields);
        assertThat(actual.size).as(what).isEqualTo(expected.size);
        assertThat(actual.buckets)
                .as(what)
                .containsExactly(Arrays.copyOf(expected.buckets, expected.size));
        assertThat(actual.counts)
                .as(what)
                .containsExactly(Arrays.copyOf(expected.counts, expected.size));
        int statCount = expected.size * expected.numericFields * 4;
        assertThat(actual.stats.length).as(what).isEqualTo(statCount);
        for (int i = 0; i < statCount; i++) {
            assertThat(Double.doubleToRawLongBits(actual.stats[i]))
                    .as("%s stat %d", what, i)
                    .isEqualTo(Double.doubleToRawLongBits(expected.stats[i]));
        }
        assertThat(actual.values)
                .as(what)
                .isDeepEqualTo(
                        Arrays.copyOf(expected.values, expected.size * expected.categoricalFields));
        assertThat(actual.hasEvent).as(what).isEqualTo(expected.hasEvent);
        assertThat(actual.lastEventTimeMs).as(what).isEqualTo(expected.lastEventTimeMs);
        assertThat(actual.maxEventTimeMs).as(what).isEqualTo(expected.maxEventTimeMs);
        assertThat(actual.sealedBucket).as(what).isEqualTo(expected.sealedBucket);
    }
}
