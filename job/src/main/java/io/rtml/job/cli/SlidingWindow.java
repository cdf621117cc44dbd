package io.rtml.job.cli;

import java.time.Duration;
import java.util.Arrays;
import java.util.OptionalLong;

/**
 * What arrived over the last {@code span}: how many, at what rate, and the percentiles of the
 * values (latencies, in ms) that came with them. {@code rtml watch} shows its figures over one, so
 * that predictions committed in a burst once per checkpoint read as a steady rate instead of
 * flipping between nothing and a burst.
 *
 * <p>Times are milliseconds on a clock that never goes back, given by the caller, each at least the
 * one before. An arrival at time {@code t} is in the window at {@code now} while {@code now - span
 * < t <= now}. Until a whole span has passed since {@code startMs} the rate is over the time since
 * then. Not thread-safe.
 */
final class SlidingWindow {
    private final long spanMs;
    private final long startMs;
    private final Ring counts = new Ring();
    private final Ring samples = new Ring();
    private long counted;

    SlidingWindow(Duration span, long startMs) {
        if (span.toMillis() <= 0) {
            throw new IllegalArgumentException("the window's span must be positive, got " + span);
        }
        this.spanMs = span.toMillis();
        this.startMs = startMs;
    }

    /** {@code n} arrivals at {@code timeMs}. */
    void count(long timeMs, long n) {
        if (n > 0) {
            counts.add(timeMs, n);
            counted += n;
        }
    }

    /** One arrival at {@code timeMs} that came with {@code value} (a latency). */
    void sample(long timeMs, long value) {
        samples.add(timeMs, value);
        count(timeMs, 1);
    }

    /** Arrivals in the window at {@code nowMs}. */
    long count(long nowMs) {
        evict(nowMs);
        return counted;
    }

    /** Arrivals per second in the window at {@code nowMs}; 0 at its start. */
    double perSecond(long nowMs) {
        long covered = Math.min(spanMs, nowMs - startMs);
        return covered <= 0 ? 0 : count(nowMs) * 1000.0 / covered;
    }

    /**
     * The {@code p} quantile (0 to 1, nearest rank: the value at index {@code floor(p * n)} of the
     * n sorted values, the last for p = 1) of the values in the window at {@code nowMs}; empty when
     * there are none.
     */
    OptionalLong percentile(long nowMs, double p) {
        if (p < 0 || p > 1) {
            throw new IllegalArgumentException("a quantile is from 0 to 1, got " + p);
        }
        evict(nowMs);
        if (samples.size == 0) {
            return OptionalLong.empty();
        }
        long[] sorted = samples.values();
        Arrays.sort(sorted);
        return OptionalLong.of(
                sorted[(int) Math.min(sorted.length - 1, Math.floor(p * sorted.length))]);
    }

    private void evict(long nowMs) {
        long oldest = nowMs - spanMs;
        while (counts.size > 0 && counts.oldestTime() <= oldest) {
            counted -= counts.removeOldest();
        }
        while (samples.size > 0 && samples.oldestTime() <= oldest) {
            samples.removeOldest();
        }
    }

    /** Times and values in arrival order, oldest first, in a growing circular buffer. */
    private static final class Ring {
        private long[] times = new long[256];
        private long[] values = new long[256];
        private int head;
        private int size;

        void add(long time, long value) {
            if (size == times.length) {
                times = unrolled(times, size * 2);
                values = unrolled(values, size * 2);
                head = 0;
            }
            int tail = (head + size) % times.length;
            times[tail] = time;
            values[tail] = value;
            size++;
        }

        long oldestTime() {
            return times[head];
        }

        /** Removes the oldest entry and returns its value. */
        long removeOldest() {
            long value = values[head];
            head = (head + 1) % times.length;
            size--;
            return value;
        }

        /** A copy of the values, oldest first. */
        long[] values() {
            return unrolled(values, size);
        }

        private long[] unrolled(long[] ring, int length) {
            long[] copy = new long[length];
            int first = Math.min(size, ring.length - head);
            System.arraycopy(ring, head, copy, 0, first);
            System.arraycopy(ring, 0, copy, first, size - first);
            return copy;
        }
    }
}
