package io.rtml.features;

import io.rtml.event.TransactionEvent;
import io.rtml.features.spec.AggregateFeature;
import io.rtml.features.spec.AggregateFeature.Aggregate;
import io.rtml.features.spec.EntitySpec;
import io.rtml.features.spec.EventField;
import io.rtml.features.spec.FeatureSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The aggregate features of one entity of a spec: computed from its {@link EntityState} and then
 * updated with the event. Pure and deterministic.
 *
 * <p>A window of length W for an event at time t covers whole buckets. For an ordered entity
 * (events in one partition, in order) it ends with the bucket holding t: the events that arrived
 * before this one, up to its time's bucket. For an entity that is not ordered it ends with the last
 * bucket that closed {@code settle} before t, so it only holds events that have all arrived
 * whatever the partitions' interleaving; an event that still lands in a bucket some window already
 * read is counted as late.
 */
public final class EntityFeatures {
    private final EntitySpec entity;
    private final List<AggregateFeature> aggregates;
    private final int[] offsets;
    private final List<EventField> numericFields = new ArrayList<>();
    private final List<EventField> categoricalFields = new ArrayList<>();
    private final long[] windowBuckets;
    private final long retentionBuckets;
    private final long retentionMs;

    public EntityFeatures(FeatureSpec spec, String entityName) {
        this.entity = spec.entity(entityName);
        this.aggregates = spec.aggregatesOf(entityName);
        this.offsets = new int[aggregates.size()];
        this.windowBuckets = new long[aggregates.size()];
        long longest = entity.bucketMs();
        for (int i = 0; i < aggregates.size(); i++) {
            AggregateFeature aggregate = aggregates.get(i);
            offsets[i] = spec.offset(aggregate);
            windowBuckets[i] = aggregate.windowMs() / entity.bucketMs();
            longest = Math.max(longest, aggregate.windowMs());
            EventField field = aggregate.field();
            if (field != null && field.isNumeric() && !numericFields.contains(field)) {
                numericFields.add(field);
            } else if (field != null && !field.isNumeric() && !categoricalFields.contains(field)) {
                categoricalFields.add(field);
            }
        }
        this.retentionMs = longest;
        this.retentionBuckets = (longest + entity.bucketMs() - 1) / entity.bucketMs();
    }

    public EntitySpec entity() {
        return entity;
    }

    public EntityState newState() {
        return new EntityState(numericFields.size(), categoricalFields.size());
    }

    public EntityState decode(byte[] bytes) {
        return EntityStateCodec.decode(bytes, numericFields.size(), categoricalFields.size());
    }

    /** Whether the event carries this entity's key (an optional key field may be absent). */
    public boolean appliesTo(TransactionEvent event) {
        return entity.key().text(event) != null;
    }

    /** How the event relates to what the state has seen, for metrics. */
    public enum Arrival {
        IN_ORDER,
        /** An ordered entity's event with an earlier time than one that arrived before it. */
        OUT_OF_ORDER,
        /**
         * An event into a bucket that a window has already read (entities that are not ordered).
         */
        LATE
    }

    /**
     * For an ordered entity: writes the event's aggregate features into {@code values} (at the
     * spec's offsets), then adds the event to {@code state}.
     */
    public Arrival computeAndAdd(EntityState state, TransactionEvent event, float[] values) {
        compute(state, event, values);
        return add(state, event);
    }

    /**
     * Writes the event's aggregate features into {@code values}, from the buckets its windows
     * cover. For an entity that is not ordered, call it once the watermark has reached {@link
     * #windowEndMs}: then every event of those buckets is in the state.
     */
    public void compute(EntityState state, TransactionEvent event, float[] values) {
        long upper = upperBucket(event.eventTimeMs);
        for (int i = 0; i < aggregates.size(); i++) {
            values[offsets[i]] =
                    (float) aggregates.get(i).transform().apply(compute(i, state, event, upper));
        }
        if (!entity.ordered()) {
            state.sealedBucket = Math.max(state.sealedBucket, upper);
        }
    }

    /**
     * For an entity that is not ordered: drops the buckets no event on time at {@code watermarkMs}
     * or later can need (their windows end at or after the watermark's).
     */
    public void pruneAtWatermark(EntityState state, long watermarkMs) {
        if (!entity.ordered() && watermarkMs != Long.MIN_VALUE) {
            prune(state, upperBucket(watermarkMs));
        }
    }

    /** Adds the event to the state; says whether it came in order. */
    public Arrival add(EntityState state, TransactionEvent event) {
        Arrival arrival = arrival(state, event.eventTimeMs);
        fold(state, event);
        if (entity.ordered()) {
            prune(state, upperBucket(state.maxEventTimeMs));
        }
        return arrival;
    }

    /**
     * The event time by which every event the windows of an event at {@code t} cover must have
     * arrived: the end of the newest bucket they read. The stage computes an unordered entity's
     * features once the watermark has passed it.
     */
    public long windowEndMs(long t) {
        return (upperBucket(t) + 1) * entity.bucketMs();
    }

    private Arrival arrival(EntityState state, long t) {
        if (state.isEmpty()) {
            return Arrival.IN_ORDER;
        }
        if (!entity.ordered()) {
            return Math.floorDiv(t, entity.bucketMs()) <= state.sealedBucket
                    ? Arrival.LATE
                    : Arrival.IN_ORDER;
        }
        return t < state.maxEventTimeMs ? Arrival.OUT_OF_ORDER : Arrival.IN_ORDER;
    }

    /** The newest bucket the windows of an event at {@code t} read. */
    long upperBucket(long t) {
        long bucketMs = entity.bucketMs();
        return entity.ordered()
                ? Math.floorDiv(t, bucketMs)
                : Math.floorDiv(t - entity.settleMs(), bucketMs) - 1;
    }

    private double compute(int i, EntityState state, TransactionEvent event, long upper) {
        AggregateFeature aggregate = aggregates.get(i);
        if (aggregate.aggregate() == Aggregate.TIME_SINCE_PREVIOUS) {
            long cap = aggregate.windowMs();
            long since = event.eventTimeMs - state.lastEventTimeMs;
            boolean recent = !state.isEmpty() && since < cap;
            return (recent ? Math.max(0, since) : cap) / 1000.0;
        }
        long lower = upper - windowBuckets[i];
        int first = firstBucketAfter(state, lower);
        int count = 0;
        for (int b = first; b < state.size && state.buckets[b] <= upper; b++) {
            count += state.counts[b];
        }
        if (aggregate.aggregate() == Aggregate.COUNT) {
            return count;
        }
        EventField field = aggregate.field();
        if (!field.isNumeric()) {
            return categorical(aggregate, state, event, first, upper);
        }
        if (count == 0) {
            return 0;
        }
        int f = numericFields.indexOf(field);
        double sum = 0;
        double sumSquares = 0;
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (int b = first; b < state.size && state.buckets[b] <= upper; b++) {
            sum += state.stats[state.statIndex(b, f, 0)];
            sumSquares += state.stats[state.statIndex(b, f, 1)];
            min = Math.min(min, state.stats[state.statIndex(b, f, 2)]);
            max = Math.max(max, state.stats[state.statIndex(b, f, 3)]);
        }
        double mean = sum / count;
        // sumSq/n - mean² cancels: a variance this small against mean² is rounding, not spread.
        double variance = sumSquares / count - mean * mean;
        double stddev =
                count < 2 || variance <= 1e-10 * Math.max(1, mean * mean) ? 0 : Math.sqrt(variance);
        return switch (aggregate.aggregate()) {
            case SUM -> sum;
            case MEAN -> mean;
            case MIN -> min;
            case MAX -> max;
            case STDDEV -> stddev;
            case ZSCORE ->
                    stddev == 0
                            ? 0
                            : Math.max(-10, Math.min(10, (field.number(event) - mean) / stddev));
            default -> throw new IllegalStateException(aggregate.aggregate() + " is not numeric");
        };
    }

    private double categorical(
            AggregateFeature aggregate,
            EntityState state,
            TransactionEvent event,
            int first,
            long upper) {
        int c = categoricalFields.indexOf(aggregate.field());
        if (aggregate.aggregate() == Aggregate.FIRST_SEEN) {
            String value = aggregate.field().text(event);
            if (value == null) {
                return 0;
            }
            int hash = StableHash.of(value);
            for (int b = first; b < state.size && state.buckets[b] <= upper; b++) {
                if (Arrays.binarySearch(state.values[b * state.categoricalFields + c], hash) >= 0) {
                    return 0;
                }
            }
            return 1;
        }
        Set<Integer> distinct = new HashSet<>();
        for (int b = first; b < state.size && state.buckets[b] <= upper; b++) {
            for (int hash : state.values[b * state.categoricalFields + c]) {
                distinct.add(hash);
            }
        }
        return distinct.size();
    }

    /** The index of the first kept bucket newer than {@code lower}. */
    private static int firstBucketAfter(EntityState state, long lower) {
        int index = Arrays.binarySearch(state.buckets, 0, state.size, lower + 1);
        return index >= 0 ? index : -index - 1;
    }

    private void fold(EntityState state, TransactionEvent event) {
        long t = event.eventTimeMs;
        int b = state.bucketIndex(Math.floorDiv(t, entity.bucketMs()));
        state.counts[b]++;
        for (int f = 0; f < numericFields.size(); f++) {
            double value = numericFields.get(f).number(event);
            state.stats[state.statIndex(b, f, 0)] += value;
            state.stats[state.statIndex(b, f, 1)] += value * value;
            state.stats[state.statIndex(b, f, 2)] =
                    Math.min(state.stats[state.statIndex(b, f, 2)], value);
            state.stats[state.statIndex(b, f, 3)] =
                    Math.max(state.stats[state.statIndex(b, f, 3)], value);
        }
        for (int c = 0; c < categoricalFields.size(); c++) {
            String value = categoricalFields.get(c).text(event);
            if (value != null) {
                int slot = b * state.categoricalFields + c;
                int[] set = state.values[slot];
                int hash = StableHash.of(value);
                int at = Arrays.binarySearch(set, hash);
                if (at < 0) {
                    at = -at - 1;
                    int[] grown = new int[set.length + 1];
                    System.arraycopy(set, 0, grown, 0, at);
                    grown[at] = hash;
                    System.arraycopy(set, at, grown, at + 1, set.length - at);
                    state.values[slot] = grown;
                }
            }
        }
        state.maxEventTimeMs = state.hasEvent ? Math.max(state.maxEventTimeMs, t) : t;
        state.lastEventTimeMs = t;
        state.hasEvent = true;
    }

    /**
     * Drops the buckets that no window ending at {@code upper} or later reaches: for an ordered
     * entity the windows of its newest event, for another those of an event at the watermark. A
     * very late event does not see them either: the documented rule.
     */
    private void prune(EntityState state, long upper) {
        long oldestKept = upper - retentionBuckets + 1;
        int drop = 0;
        while (drop < state.size && state.buckets[drop] < oldestKept) {
            drop++;
        }
        state.dropOldest(drop);
    }

    /**
     * How long after its newest event an entity's state can still change a feature: every window
     * and every time-since-previous cap past the bucket that holds that event, and the settle. Past
     * it (in event time) the state may be dropped without changing a feature of any later event.
     */
    public long stateLifetimeMs() {
        return entity.bucketMs() + retentionMs + entity.settleMs();
    }
}
