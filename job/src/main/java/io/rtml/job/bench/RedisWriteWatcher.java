package io.rtml.job.bench;

import io.rtml.job.RedisWriteNotices;

/**
 * When each followed card's entry is written to Redis ({@link RedisWriteNotices}), read back as the
 * notices come, on a thread of its own, so that the entries are read soon after their writes: the
 * time the notice came less the prediction's {@code ingest_time_ms}, per event, for {@code rtml
 * bench-rate}. The figure includes the notice's delivery to this process, so it errs high.
 */
public final class RedisWriteWatcher implements AutoCloseable {
    private final RedisWriteNotices notices;
    private final LatencySamples written = new LatencySamples();
    private final Thread reader;
    private volatile boolean running = true;
    private volatile RuntimeException failure;

    /** Follows the cards whose id ends in one of the first {@code tenths} digits. */
    public RedisWriteWatcher(String uri, String keyPrefix, int tenths) {
        notices = new RedisWriteNotices(uri, keyPrefix, tenths);
        reader = new Thread(this::readBack, "rtml-bench-redis-read");
        reader.setDaemon(true);
    }

    /** The keyspace pattern followed. */
    public String pattern() {
        return notices.pattern();
    }

    public void start() {
        reader.start();
    }

    private void readBack() {
        try {
            while (running || notices.pending()) {
                for (RedisWriteNotices.Write write : notices.drain(100)) {
                    written.add(write.ingestTimeMs(), write.latencyMs());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            failure = e;
        }
    }

    /** Written to Redis (notice received), less ingest. */
    public LatencySamples written() {
        if (failure != null) {
            throw new IllegalStateException("following Redis writes failed", failure);
        }
        return written;
    }

    /** Notices received. */
    public long notified() {
        return notices.notified();
    }

    /** Notices not counted: the event was counted already, or a newer write had replaced it. */
    public long replaced() {
        return notices.skipped();
    }

    /** Waits until the notices received so far are read back. */
    public void awaitReadBack() throws InterruptedException {
        for (int i = 0; i < 100 && notices.pending(); i++) {
            Thread.sleep(50);
        }
        Thread.sleep(200);
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        reader.join(5_000);
        notices.close();
    }
}
