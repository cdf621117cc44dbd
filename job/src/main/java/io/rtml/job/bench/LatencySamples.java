package io.rtml.job.bench;

import java.io.IOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** Latency samples in milliseconds, each with the ingest time of the event it belongs to. */
public final class LatencySamples {
    private long[] ingestMs = new long[1 << 16];
    private long[] latencyMs = new long[1 << 16];
    private int size;

    public synchronized void add(long ingestTimeMs, long latency) {
        if (size == ingestMs.length) {
            ingestMs = Arrays.copyOf(ingestMs, size * 2);
            latencyMs = Arrays.copyOf(latencyMs, size * 2);
        }
        ingestMs[size] = ingestTimeMs;
        latencyMs[size] = latency;
        size++;
    }

    /** Samples of events that reached Kafka in [fromMs, toMs]. */
    public synchronized int count(long fromMs, long toMs) {
        int count = 0;
        for (int i = 0; i < size; i++) {
            if (ingestMs[i] >= fromMs && ingestMs[i] <= toMs) {
                count++;
            }
        }
        return count;
    }

    /** The latest time, as ingest + latency, of the samples of events ingested in the range. */
    public synchronized long lastArrival(long fromMs, long toMs) {
        long last = Long.MIN_VALUE;
        for (int i = 0; i < size; i++) {
            if (ingestMs[i] >= fromMs && ingestMs[i] <= toMs) {
                last = Math.max(last, ingestMs[i] + latencyMs[i]);
            }
        }
        return last;
    }

    /**
     * Count, p50, p95, p99 and max (nearest rank) and mean of the samples of events ingested in
     * [fromMs, toMs]; only the count when there are none.
     */
    public synchronized Map<String, Object> summary(long fromMs, long toMs) {
        long[] selected = new long[size];
        int n = 0;
        for (int i = 0; i < size; i++) {
            if (ingestMs[i] >= fromMs && ingestMs[i] <= toMs) {
                selected[n++] = latencyMs[i];
            }
        }
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("samples", n);
        if (n == 0) {
            return summary;
        }
        long[] sorted = Arrays.copyOf(selected, n);
        Arrays.sort(sorted);
        summary.put("p50", percentile(sorted, 0.50));
        summary.put("p95", percentile(sorted, 0.95));
        summary.put("p99", percentile(sorted, 0.99));
        summary.put("max", sorted[n - 1]);
        summary.put("mean", Math.round(Arrays.stream(sorted).average().orElse(0) * 10) / 10.0);
        return summary;
    }

    /** Writes each sample as a CSV line {@code kind,ingest_ms,latency_ms}. */
    public synchronized void writeCsv(Appendable out, String kind) throws IOException {
        for (int i = 0; i < size; i++) {
            out.append(kind)
                    .append(',')
                    .append(Long.toString(ingestMs[i]))
                    .append(',')
                    .append(Long.toString(latencyMs[i]))
                    .append('\n');
        }
    }

    static long percentile(long[] sorted, double p) {
        int rank = (int) Math.ceil(p * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}
