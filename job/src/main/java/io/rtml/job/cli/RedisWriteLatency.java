package io.rtml.job.cli;

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
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisException;

/**
 * For {@code rtml watch --redis-uri}: the latency from each event's arrival in Kafka to its
 * prediction's write to Redis, measured as the writes happen. Redis publishes a keyspace
 * notification ({@code hset} on {@code __keyspace@<db>__:<key>}) as it executes a write, also
 * inside the job's Lua script; this follows those of the cards whose id ends in {@code 0} (about a
 * tenth, to keep its own load small), reads each entry's {@code prediction} back and takes the time
 * the notice came less the prediction's {@code ingest_time_ms}. The figure includes the notice's
 * delivery to this process, so it errs high by that.
 *
 * <p>It turns on Redis's keyspace notifications for hashes ({@code notify-keyspace-events Kh})
 * while it runs and puts the previous setting back on {@link #close()}, or when the JVM ends
 * (Ctrl-C on the live view), which needs the {@code CONFIG} command (a managed Redis may refuse it:
 * then there is no Redis latency to show).
 */
final class RedisWriteLatency implements AutoCloseable {
    private static final String NOTIFY = "notify-keyspace-events";
    private static final byte[] PREDICTION = "prediction".getBytes(UTF_8);

    private final String uri;
    private final String pattern;
    private final int channelPrefix;
    private final Jedis control;
    private final String previousNotify;
    private final LinkedBlockingQueue<Notice> notices = new LinkedBlockingQueue<>();
    private final JedisPubSub subscription;
    private final Thread subscriber;
    private final Thread restoreAtExit;
    private boolean restored;

    /** The event id last counted per key, so that a write read back twice counts once. */
    private final Map<String, String> counted = new HashMap<>();

    private volatile boolean running = true;
    private volatile RuntimeException failure;

    /** A write noticed: the key, on the wall clock and on the monotonic clock (ms). */
    private record Notice(String key, long wallMs, long monotonicMs) {}

    RedisWriteLatency(String uri, String keyPrefix) {
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
        this.pattern = channel + RedisSink.key(keyPrefix, "*0");
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
                            notices.add(
                                    new Notice(
                                            channel.substring(channelPrefix),
                                            System.currentTimeMillis(),
                                            System.nanoTime() / 1_000_000));
                        }
                    }
                };
        restoreAtExit = new Thread(this::restore, "rtml-watch-redis-restore");
        Runtime.getRuntime().addShutdownHook(restoreAtExit);
        subscriber = new Thread(this::subscribe, "rtml-watch-redis-notices");
        subscriber.setDaemon(true);
        subscriber.start();
        awaitSubscription();
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
     * Reads back the entries written since the last call and adds each one's latency to {@code
     * window}, at the time (monotonic ms) its notice came. Throws when following Redis failed.
     */
    void drainTo(SlidingWindow window) {
        if (failure != null) {
            throw new IllegalStateException(
                    "following Redis writes at " + Endpoints.redacted(uri) + " failed", failure);
        }
        List<Notice> batch = new ArrayList<>();
        notices.drainTo(batch);
        if (batch.isEmpty()) {
            return;
        }
        // The last notice of each key: the entry read back is at least that write. A key noticed
        // again later in the batch moves to the end, so the samples stay in the order they came.
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
        int i = 0;
        for (Notice notice : latest.values()) {
            byte[] json = responses.get(i++).get();
            if (json == null) {
                continue;
            }
            Prediction prediction = PredictionJson.read(json);
            if (!prediction.eventId.equals(counted.put(notice.key(), prediction.eventId))) {
                window.sample(notice.monotonicMs(), notice.wallMs() - prediction.ingestTimeMs);
            }
        }
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
        // A connection of its own: at exit, the watch's thread may be using the other.
        try (Jedis jedis = new Jedis(URI.create(uri), 5_000)) {
            jedis.configSet(NOTIFY, previousNotify == null ? "" : previousNotify);
        }
    }
}
