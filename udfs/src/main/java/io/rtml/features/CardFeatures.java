package io.rtml.features;

import io.rtml.event.TransactionEvent;
import java.util.Arrays;
import java.util.List;

/**
 * Feature set {@value #FEATURE_SET}: the features of a card transaction, computed from the event
 * itself and the card's events that arrived before it, restricted by event time to each window.
 *
 * <p>Windows are sliding and end at the event's own time; they are kept as one-minute buckets, so a
 * window of length W covers the buckets after the one holding {@code t - W} up to the one holding
 * {@code t}. Events with a later event time that arrived earlier (out of order) are in the history
 * but outside every window that ends before them. Pure and deterministic: the stream and any
 * offline computation over the same events in the same order give identical vectors.
 */
public final class CardFeatures {
    public static final String FEATURE_SET = "card-v1";

    /** The names of the values {@link #computeAndAdd} returns, in order. */
    public static final List<String> NAMES =
            List.of(
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

    static final long BUCKET_MS = 60_000L;
    static final long HOUR_MS = 3_600_000L;
    static final long DAY_MS = 24 * HOUR_MS;

    /** The longest window: history older than this before the newest event is not kept. */
    public static final long RETENTION_MS = DAY_MS;

    private CardFeatures() {}

    /**
     * Computes the features of {@code event} from {@code history} (the card's earlier events), then
     * records the event in {@code history}.
     */
    public static float[] computeAndAdd(CardHistory history, TransactionEvent event) {
        long t = event.eventTimeMs;
        float[] values = new float[NAMES.size()];
        values[0] = (float) Math.log1p(event.amount);
        values[1 + event.channel.ordinal()] = 1f;

        long nowBucket = Math.floorDiv(t, BUCKET_MS);
        long hourStart = Math.floorDiv(t - HOUR_MS, BUCKET_MS);
        long dayStart = Math.floorDiv(t - DAY_MS, BUCKET_MS);
        int count1h = 0;
        int count24h = 0;
        double sum1h = 0;
        double sum24h = 0;
        for (int i = 0; i < history.buckets.length; i++) {
            long bucket = history.buckets[i];
            if (bucket > nowBucket) {
                break;
            }
            if (bucket > dayStart) {
                count24h += history.counts[i];
                sum24h += history.sums[i];
                if (bucket > hourStart) {
                    count1h += history.counts[i];
                    sum1h += history.sums[i];
                }
            }
        }
        double mean24h = count24h == 0 ? 0 : sum24h / count24h;
        values[4] = count1h;
        values[5] = (float) Math.log1p(sum1h);
        values[6] = count24h;
        values[7] = (float) Math.log1p(mean24h);
        values[8] = count24h == 0 ? 0f : (float) (Math.log1p(event.amount) - Math.log1p(mean24h));

        // The previous event counts only within the longest window, so that expiring a card's
        // state (see CardFeatureFunction) never changes a feature.
        boolean recent = !history.isEmpty() && t - history.lastEventTimeMs < RETENTION_MS;
        double secondsSincePrevious =
                recent ? Math.max(0, t - history.lastEventTimeMs) / 1000.0 : DAY_MS / 1000.0;
        values[9] = (float) Math.log1p(secondsSincePrevious);
        values[10] = recent && !event.country.equals(history.lastCountry) ? 1f : 0f;
        values[11] =
                recent
                                && event.deviceId != null
                                && history.lastDeviceId != null
                                && !event.deviceId.equals(history.lastDeviceId)
                        ? 1f
                        : 0f;
        double dayAngle = 2 * Math.PI * Math.floorMod(t, DAY_MS) / DAY_MS;
        values[12] = (float) Math.sin(dayAngle);
        values[13] = (float) Math.cos(dayAngle);

        add(history, event, nowBucket);
        return values;
    }

    /** When the card's state can be dropped without changing any feature: see the class doc. */
    public static long expiryTimeMs(CardHistory history) {
        return (Math.floorDiv(history.maxEventTimeMs, BUCKET_MS) + 1) * BUCKET_MS + RETENTION_MS;
    }

    private static void add(CardHistory history, TransactionEvent event, long bucket) {
        long[] buckets = history.buckets;
        int index = Arrays.binarySearch(buckets, bucket);
        if (index >= 0) {
            history.counts[index]++;
            history.sums[index] += event.amount;
        } else {
            int at = -index - 1;
            history.buckets = insert(buckets, at, bucket);
            history.counts = insert(history.counts, at, 1);
            history.sums = insert(history.sums, at, event.amount);
        }
        boolean first = history.isEmpty();
        if (!first && event.eventTimeMs - history.lastEventTimeMs >= RETENTION_MS) {
            // Past the longest window the previous events no longer count (see computeAndAdd),
            // nor does their device: forget it, exactly as expiring the state would.
            history.lastDeviceId = null;
        }
        history.lastEventTimeMs = event.eventTimeMs;
        history.maxEventTimeMs =
                first ? event.eventTimeMs : Math.max(history.maxEventTimeMs, event.eventTimeMs);
        history.lastCountry = event.country;
        if (event.deviceId != null) {
            history.lastDeviceId = event.deviceId;
        }
        prune(history);
    }

    /**
     * Drops the buckets older than the longest window before the newest event time: no window of an
     * event that is on time reaches them. An event later than that sees none of them, even those
     * its own window would cover (the documented rule for very late events).
     */
    private static void prune(CardHistory history) {
        long oldestKept = Math.floorDiv(history.maxEventTimeMs - RETENTION_MS, BUCKET_MS) + 1;
        int drop = 0;
        while (drop < history.buckets.length && history.buckets[drop] < oldestKept) {
            drop++;
        }
        if (drop > 0) {
            int n = history.buckets.length;
            history.buckets = Arrays.copyOfRange(history.buckets, drop, n);
            history.counts = Arrays.copyOfRange(history.counts, drop, n);
            history.sums = Arrays.copyOfRange(history.sums, drop, n);
        }
    }

    private static long[] insert(long[] array, int at, long value) {
        long[] result = new long[array.length + 1];
        System.arraycopy(array, 0, result, 0, at);
        result[at] = value;
        System.arraycopy(array, at, result, at + 1, array.length - at);
        return result;
    }

    private static int[] insert(int[] array, int at, int value) {
        int[] result = new int[array.length + 1];
        System.arraycopy(array, 0, result, 0, at);
        result[at] = value;
        System.arraycopy(array, at, result, at + 1, array.length - at);
        return result;
    }

    private static double[] insert(double[] array, int at, double value) {
        double[] result = new double[array.length + 1];
        System.arraycopy(array, 0, result, 0, at);
        result[at] = value;
        System.arraycopy(array, at, result, at + 1, array.length - at);
        return result;
    }
}
