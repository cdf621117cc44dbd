package io.rtml.features;

/**
 * Everything the job remembers about one card: its recent events as one-minute time buckets (count
 * and amount per bucket, oldest first, only buckets that saw an event), and what the last event
 * that arrived looked like. One compact value per card, updated by {@link CardFeatures}.
 *
 * <p>A Flink POJO, so its layout is part of the checkpoint format: change it only with a state
 * migration.
 */
public class CardHistory {
    /** Bucket index (epoch milliseconds / bucket length) of each kept bucket, ascending. */
    public long[] buckets = new long[0];

    public int[] counts = new int[0];
    public double[] sums = new double[0];

    /** Event time of the event that arrived last, in arrival order. */
    public long lastEventTimeMs;

    /** Largest event time seen; buckets older than the longest window before it are dropped. */
    public long maxEventTimeMs;

    /** Country of the last event, or {@code null} before the first event. */
    public String lastCountry;

    /** Last device id seen, or {@code null} when none was ever sent. */
    public String lastDeviceId;

    public CardHistory() {}

    /** Whether an event has been recorded. */
    public boolean isEmpty() {
        return lastCountry == null;
    }
}
