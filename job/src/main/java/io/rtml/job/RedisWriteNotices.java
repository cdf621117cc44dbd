package io.rtml.job;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.rtml.inference.Prediction;
import io.rtml.sink.PredictionJson;
import io.rtml.sink.RedisSink;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisException;

/**
 * The job's writes to Redis as they happen, for {@code rtml watch --redis-uri} and {@code rtml
 * bench-rate --redis-uri}: Redis publishes a keyspace notification ({@code hset} on {@code
 * __keyspace@<db>__:<key>}) as it executes a write, also inside the job's Lua script; this follows
 * those of the cards whose id ends in one of the first {@code tenths} digits (1: ids ending in 0,
 * about a tenth of the cards, to keep its own load small), reads each entry's {@code prediction}
 * back and gives the time the notice came with the prediction's {@code ingest_time_ms}. The latency
 * so measured includes the notice's delivery to this process, so it errs high by that.
 *
 * <p>Each event counts once: a notice whose entry still holds the event last counted for that key
 * (a retried write, or several notices read back together) is skipped, and so is one whose entry a
 * newer write replaced before the read-back (that newer write is counted instead).
 *
 * <p>It turns on Redis's keyspace notifications for hashes ({@code notify-keyspace-events Kh})
 * while it runs and puts the previous setting back on {@link #close()}, or when the JVM ends
 * (Ctrl-C), which needs the {@code CONFIG} command (a managed Redis may refuse it: then there is no
 * latency to Redis to show).
 */
public final class RedisWriteNotices implements AutoCloseable {
    private static final String NOTIFY = "notify-keyspace-events";
    private static final byte[] PREDICTION = "prediction".getBytes(UTF_8);

    /** A write read back: its event, and when its notice came (wall clock and monotonic, ms). */
    public record Write(String eventId, long ingestTimeMs, long noticedMs, long monotonicMs) {
        /** From the event's arrival in Kafka to the notice of its write. */
        public long latencyMs() {
            return noticedMs - ingestTimeMs;
        }
    }

    private record Notice(String key, long wallMs, long monotonicMs) {}

    private final String uri;
    private final String pattern;
    private final int channelPrefix;
    private final Jedis control;
    private final String previousNotify;
    private final LinkedBlockingQueue<Notice> notices = new LinkedBlockingQueue<>();
    private final JedisPubSub subscription;
    private final Thread subscriber;
    private final Thread restoreAtExit;
    private final AtomicLong notified = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    private boolean restored;

    /** The event id last counted per key. */
    private final Map<String, String> counted = new HashMap<>();

    private volatile boolean running = true;
    private volatile RuntimeException failure;

    /**
     * Follows the writes under {@code keyPrefix} at {@code uri} from now on (it returns once
     * subscribed); {@code tenths} from 1 to 10 selects the cards followed.
     */
    public RedisWriteNotices(String uri, String keyPrefix, int tenths) {
        if (tenths < 1 || tenths > 10) {
            throw new IllegalArgumentException("the sample must be 1 to 10 tenths, got " + tenths);
        }
        this.uri = uri;
        URI parsed;
        try {
            parsed = URI.create(uri);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--redis-uri is not a URI: " + e.getMessage());
        }
        String path = parsed.getPath();
        if (path != null && path.length() > 1 && !path.substring(1).matches("[0-9]{1,5}")) {
            throw new IllegalArgumentException(
                    "--redis-uri: the path must be a database number, got " + path);
        }
        int db = path == null || path.length() <= 1 ? 0 : Integer.parseInt(path.substring(1));
        String channel = "__keyspace@" + db + "__:";
        this.channelPrefix = channel.length();
        this.pattern =
                channel
                        + RedisSink.key(
                                keyPrefix, tenths == 10 ? "*" : "*[0-" + (tenths - 1) + "]");
        try {
            control = new Jedis(parsed, 5_000);
            previousNotify = control.configGet(NOTIFY).get(NOTIFY);
            control.configSet(NOTIFY, "Kh");
        } catch (JedisException e) {
            throw new IllegalArgumentException(
                    "--redis-uri: "
                            + Endpoints.redisUnreachable(uri)
                            + ", or it refuses CONFIG SET "
                            + NOTIFY
                            + " ("
                            + e.getMessage()
                            + ")",
                    e);
        }
        subscription =
                new JedisPubSub() {
                    @Override
                    public void onPMessage(String pattern, String channel, String message) {
                        if ("hset".equals(message)) {
                            notified.incrementAndGet();
                            notices.add(
                                    new Notice(
                                            channel.substring(channelPrefix),
                                            System.currentTimeMillis(),
                                            System.nanoTime() / 1_000_000));
                        }
                    }
                };
        restoreAtExit = new Thread(this::restore, "rtml-redis-notices-restore");
        Runtime.getRuntime().addShutdownHook(restoreAtExit);
        subscriber = new Thread(this::subscribe, "rtml-redis-notices");
        subscriber.setDaemon(true);
        subscriber.start();
        awaitSubscription();
    }

    /** The keyspace pattern followed. */
    public String pattern() {
        return pattern;
    }

    /** Notices received so far. */
    public long notified() {
        return notified.get();
    }

    /** Notices that gave no write: the event was counted already, or its entry was replaced. */
    public long skipped() {
        return skipped.get();
    }

    /** Whether notices wait to be read back. */
    public boolean pending() {
        return !notices.isEmpty();
    }

    /** Waits until the writes are followed: a write before that would not be seen. */
    private void awaitSubscription() {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!subscription.isSubscribed() && failure == null && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (!subscription.isSubscribed()) {
            restore();
            throw new IllegalStateException(
                    "could not subscribe to "
                            + pattern
                            + " at "
                            + Endpoints.redacted(uri)
                            + (failure == null ? " within 5 s" : ": " + failure.getMessage()));
        }
    }

    private void subscribe() {
        try (Jedis jedis = new Jedis(URI.create(uri), 5_000, 0)) {
            jedis.psubscribe(subscription, pattern);
        } catch (RuntimeException e) {
            if (running) {
                failure = e;
            }
        }
    }

    /**
     * Reads back the entries written since the last call, waiting up to {@code waitMs} for the
     * first notice, and returns their writes in the order their notices came. Throws when following
     * Redis failed.
     */
    public List<Write> drain(long waitMs) throws InterruptedException {
        if (failure != null) {
            throw new IllegalStateException(
                    "following Redis writes at " + Endpoints.redacted(uri) + " failed", failure);
        }
        List<Notice> batch = new ArrayList<>();
        Notice first = waitMs > 0 ? notices.poll(waitMs, TimeUnit.MILLISECONDS) : notices.poll();
        if (first == null) {
            return List.of();
        }
        batch.add(first);
        notices.drainTo(batch);
        // The last notice of each key: the entry read back is at least that write. A key noticed
        // again later in the batch moves to the end, so the writes stay in the order they came.
        Map<String, Notice> latest = new LinkedHashMap<>();
        for (Notice notice : batch) {
            latest.remove(notice.key());
            latest.put(notice.key(), notice);
        }
        List<Response<byte[]>> responses = new ArrayList<>(latest.size());
        Pipeline pipeline = control.pipelined();
        for (String key : latest.keySet()) {
            responses.add(pipeline.hget(key.getBytes(UTF_8), PREDICTION));
        }
        pipeline.sync();
        List<Write> writes = new ArrayList<>(latest.size());
        int i = 0;
        for (Notice notice : latest.values()) {
            byte[] json = responses.get(i++).get();
            if (json == null) {
                continue;
            }
            Prediction prediction = PredictionJson.read(json);
            if (!prediction.eventId.equals(counted.put(notice.key(), prediction.eventId))) {
                writes.add(
                        new Write(
                                prediction.eventId,
                                prediction.ingestTimeMs,
                                notice.wallMs(),
                                notice.monotonicMs()));
            }
        }
        skipped.addAndGet(batch.size() - writes.size());
        return writes;
    }

    @Override
    public void close() throws InterruptedException {
        try {
            Runtime.getRuntime().removeShutdownHook(restoreAtExit);
        } catch (IllegalStateException shuttingDown) {
            // The hook runs, or has run, restore() itself.
        }
        restore();
        subscriber.join(5_000);
        control.close();
    }

    /** Stops following and puts Redis's previous notification setting back, once. */
    private synchronized void restore() {
        if (restored) {
            return;
        }
        restored = true;
        running = false;
        if (subscription.isSubscribed()) {
            subscription.punsubscribe();
        }
        // A connection of its own: at exit, the caller's thread may be using the other.
        try (Jedis jedis = new Jedis(URI.create(uri), 5_000)) {
            jedis.configSet(NOTIFY, previousNotify == null ? "" : previousNotify);
        }
    }
}
