package io.rtml.features;

import java.util.Arrays;

/**
 * Everything the job keeps about one entity (a card, a merchant): its recent events as time
 * buckets, oldest first, only buckets that saw an event. Per bucket: the event count; for each
 * numeric field the entity's aggregates use, sum, sum of squares, min and max; for each categorical
 * field, the sorted set of value hashes seen. Plus the time of the last event that arrived. One
 * value per entity, written by {@link EntityStateCodec}.
 */
public final class EntityState {
    final int numericFields;
    final int categoricalFields;

    int size;
    long[] buckets = new long[0];
    int[] counts = new int[0];

    /** {@code [bucket][numeric field][sum, sumSq, min, max]}, flattened. */
    double[] stats = new double[0];

    /** {@code [bucket][categorical field]}: sorted distinct value hashes. */
    int[][] values = new int[0][];

    boolean hasEvent;
    long lastEventTimeMs;
    long maxEventTimeMs;

    /** For entities that are not ordered: the newest bucket a window has read. */
    long sealedBucket = Long.MIN_VALUE;

    public EntityState(int numericFields, int categoricalFields) {
        this.numericFields = numericFields;
        this.categoricalFields = categoricalFields;
    }

    public boolean isEmpty() {
        return !hasEvent;
    }

    /** Buckets kept. */
    public int size() {
        return size;
    }

    int statIndex(int bucket, int field, int stat) {
        return (bucket * numericFields + field) * 4 + stat;
    }

    /** The index of {@code bucket}, inserting an empty one in order when it is missing. */
    int bucketIndex(long bucket) {
        int index = Arrays.binarySearch(buckets, 0, size, bucket);
        if (index >= 0) {
            return index;
        }
        int at = -index - 1;
        buckets = insert(buckets, at, bucket);
        counts = insert(counts, at);
        double[] newStats = new double[(size + 1) * numericFields * 4];
        int width = numericFields * 4;
        System.arraycopy(stats, 0, newStats, 0, at * width);
        System.arraycopy(stats, at * width, newStats, (at + 1) * width, (size - at) * width);
        for (int f = 0; f < numericFields; f++) {
            newStats[(at * numericFields + f) * 4 + 2] = Double.POSITIVE_INFINITY;
            newStats[(at * numericFields + f) * 4 + 3] = Double.NEGATIVE_INFINITY;
        }
        stats = newStats;
        int[][] newValues = new int[(size + 1) * categoricalFields][];
        System.arraycopy(values, 0, newValues, 0, at * categoricalFields);
        System.arraycopy(
                values,
                at * categoricalFields,
                newValues,
                (at + 1) * categoricalFields,
                (size - at) * categoricalFields);
        for (int c = 0; c < categoricalFields; c++) {
            newValues[at * categoricalFields + c] = new int[0];
        }
        values = newValues;
        size++;
        return at;
    }

    /** Drops the first {@code count} (oldest) buckets. */
    void dropOldest(int count) {
        if (count <= 0) {
            return;
        }
        buckets = Arrays.copyOfRange(buckets, count, size);
        counts = Arrays.copyOfRange(counts, count, size);
        stats = Arrays.copyOfRange(stats, count * numericFields * 4, size * numericFields * 4);
        values = Arrays.copyOfRange(values, count * categoricalFields, size * categoricalFields);
        size -= count;
    }

    private long[] insert(long[] array, int at, long value) {
        long[] result = new long[size + 1];
        System.arraycopy(array, 0, result, 0, at);
        result[at] = value;
        System.arraycopy(array, at, result, at + 1, size - at);
        return result;
    }

    private int[] insert(int[] array, int at) {
        int[] result = new int[size + 1];
        System.arraycopy(array, 0, result, 0, at);
        System.arraycopy(array, at, result, at + 1, size - at);
        return result;
    }
}
