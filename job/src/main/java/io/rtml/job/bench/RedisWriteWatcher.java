package io.rtml.job.bench;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;

/**
 * When each card's entry is written to Redis, from Redis's keyspace notifications: Redis publishes
 * an {@code hset} message on {@code __keyspace@<db>__:<key>} as it executes the write (also inside
 * the job's Lua script); this watcher receives it, reads the entry's {@code prediction} field back
 * and records the time it received the message less the prediction's {@code ingest_time_ms}.
 *
 * <p>To keep its own load on Redis and the CPU small, it follows only the cards whose id ends with
 * one of the first {@code tenths} digits (1: ids ending in 0, a tenth of the cards). Each event is
 * counted once; an event whose entry a newer write replaced before the read-back is not counted.
 * The figure includes the notification's delivery to this process, so it errs high.
 */
public final class RedisWriteWatcher implements AutoCloseable {
    private final String uri;
    private final String pattern;
    private final int channelPrefix;
    private final Jedis control;
    private final String previousConfig;
    private final LinkedBlockingQueue<Notice> notices = new LinkedBlockingQueue<>();
    private final LatencySamples written = new LatencySamples();
    private final Set<String> seen = new HashSet<>();
    private final AtomicLong notified = new AtomicLong();
    private final AtomicLong replaced = new AtomicLong();
    private final Thread subscriber;
    private final Thread reader;
    private final JedisPubSub subscription;
    private volatile boolean running = true;
    private volatile RuntimeException failure;

    private record Notice(String key, long receivedMs) {}

    public RedisWriteWatcher(String uri, String keyPrefix, int tenths) {
        if (tenths < 1 || tenths > 10) {
            throw new IllegalArgumentException("the sample must be 1 to 10 tenths, got " + tenths);
        }
        this.uri = uri;
        String path = URI.create(uri).getPath();
        int db = path == null || path.length() <= 1 ? 0 : Integer.parseInt(path.substring(1));
        String channel = "__keyspace@" + db + "__:";
        this.channelPrefix = channel.length();
        this.pattern =
                channel + keyPrefix + "card:*" + (tenths == 10 ? "" : "[0-" + (tenths - 1) + "]");
        control = new Jedis(URI.create(uri), 5_000);
        previousConfig = control.configGet("notify-keyspace-events").get("notify-keyspace-events");
        control.configSet("notify-keyspace-events", "Kh");
        subscription =
                new JedisPubSub() {
                    @Override
                    public void onPMessage(String pattern, String channel, String message) {
                        if ("hset".equals(message)) {
                            notified.incrementAndGet();
                            notices.add(
                                    new Notice(
                                            channel.substring(channelPrefix),
                                            System.currentTimeMillis()));
                        }
                    }
                };
        subscriber = new Thread(this::subscribe, "rtml-bench-redis-notices");
        reader = new Thread(this::readBack, "rtml-bench-redis-read");
        subscriber.setDaemon(true);
        reader.setDaemon(true);
    }

    /** The keyspace pattern followed. */
    public String pattern() {
        return pattern;
    }

    public void start() throws InterruptedException {
        subscriber.start();
        reader.start();
        for (int i = 0; i < 100 && !subscription.isSubscribed(); i++) {
            Thread.sleep(50);
        }
        if (!subscription.isSubscribed()) {
            throw new IllegalStateException("could not subscribe to " + pattern + " at " + uri);
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

    private void readBack() {
        try (Jedis jedis = new Jedis(URI.create(uri), 5_000)) {
            List<Notice> batch = new ArrayList<>();
            while (running || !notices.isEmpty()) {
                Notice first = notices.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.clear();
                batch.add(first);
                notices.drainTo(batch, 2_000);
                // The latest notice of each key: the entry read back is at least that write.
                Map<String, Long> latest = new LinkedHashMap<>();
                for (Notice notice : batch) {
                    latest.put(notice.key(), notice.receivedMs());
                }
                Pipeline pipeline = jedis.pipelined();
                List<Response<String>> responses = new ArrayList<>(latest.size());
                for (String key : latest.keySet()) {
                    responses.add(pipeline.hget(key, "prediction"));
                }
                pipeline.sync();
                int i = 0;
                for (Map.Entry<String, Long> notice : latest.entrySet()) {
                    String prediction = responses.get(i++).get();
                    if (prediction != null) {
                        record(prediction.getBytes(StandardCharsets.UTF_8), notice.getValue());
                    }
                }
                replaced.addAndGet(batch.size() - latest.size());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            failure = e;
        }
    }

    private void record(byte[] prediction, long receivedMs) {
        String eventId = JsonScan.stringField(prediction, "event_id");
        long ingest = JsonScan.longField(prediction, "ingest_time_ms");
        if (eventId == null || ingest == Long.MIN_VALUE) {
            return;
        }
        if (!seen.add(eventId)) {
            replaced.incrementAndGet();
            return;
        }
        written.add(ingest, receivedMs - ingest);
    }

    /** Written to Redis (notice received), less ingest. */
    public LatencySamples written() {
        if (failure != null) {
            throw new IllegalStateException("following Redis writes failed", failure);
        }
        return written;
    }

    /** Notices received; notices not counted because a newer write had replaced the entry. */
    public long notified() {
        return notified.get();
    }

    public long replaced() {
        return replaced.get();
    }

    /** Waits until the notices received so far are read back. */
    public void awaitReadBack() throws InterruptedException {
        for (int i = 0; i < 100 && !notices.isEmpty(); i++) {
            Thread.sleep(50);
        }
        Thread.sleep(200);
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        if (subscription.isSubscribed()) {
            subscription.punsubscribe();
        }
        subscriber.join(5_000);
        reader.join(5_000);
        control.configSet("notify-keyspace-events", previousConfig == null ? "" : previousConfig);
        control.close();
    }
}
