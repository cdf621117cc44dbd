package io.rtml.sink;

import io.rtml.inference.Prediction;
import io.rtml.metrics.MetricNames;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.base.sink.writer.AsyncSinkWriter;
import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.apache.flink.connector.base.sink.writer.ElementConverter;
import org.apache.flink.connector.base.sink.writer.ResultHandler;
import org.apache.flink.connector.base.sink.writer.config.AsyncSinkWriterConfiguration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.ThreadSafeSimpleCounter;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.util.SafeEncoder;

/**
 * Sends batches of {@link RedisWrite}s over one connection, on a thread of its own so the task
 * thread never waits on Redis. See {@link RedisSink}.
 */
final class RedisSinkWriter extends AsyncSinkWriter<Prediction, RedisWrite> {
    private static final Logger LOG = LoggerFactory.getLogger(RedisSinkWriter.class);

    /**
     * KEYS[1]: the card's hash. ARGV: event time, event id, prediction, features, TTL in ms.
     * Returns 1 when written, 0 when the stored prediction is newer (the write is stale).
     */
    static final String NEWEST_WINS =
            """
            local stored = redis.call('HMGET', KEYS[1], 'event_time_ms', 'event_id')
            if stored[1] then
              local storedTime = tonumber(stored[1])
              local time = tonumber(ARGV[1])
              if storedTime > time or (storedTime == time and stored[2] > ARGV[2]) then
                return 0
              end
            end
            redis.call('HSET', KEYS[1], 'event_time_ms', ARGV[1], 'event_id', ARGV[2],
                       'prediction', ARGV[3], 'features', ARGV[4])
            if tonumber(ARGV[5]) > 0 then
              redis.call('PEXPIRE', KEYS[1], ARGV[5])
            end
            return 1
            """;

    /** Redis errors that pass: the write is retried instead of failing the job. */
    private static final List<String> TRANSIENT_ERRORS =
            List.of("NOSCRIPT", "LOADING", "BUSY", "OOM", "READONLY", "TRYAGAIN", "MASTERDOWN");

    /** Latency samples each histogram keeps (its quantiles are over these). */
    private static final int LATENCY_SAMPLES = 10_000;

    private static final long MIN_BACKOFF_MS = 50;
    private static final long MAX_BACKOFF_MS = 5_000;

    private final RedisSettings settings;
    private final byte[] ttlMs;
    private final ExecutorService io;
    private final Counter written;
    private final Counter stale;
    private final Counter retries;
    private final Histogram eventToRedis;
    private final Histogram ingestToRedis;

    // Used only on the io thread (after the constructor's first connection).
    private Jedis jedis;
    private byte[] scriptSha;
    private int failuresInARow;

    RedisSinkWriter(
            ElementConverter<Prediction, RedisWrite> converter,
            WriterInitContext context,
            AsyncSinkWriterConfiguration configuration,
            RedisSettings settings,
            Collection<BufferedRequestState<RedisWrite>> state) {
        super(converter, context, configuration, state);
        // Secrets are read here, on the TaskManager: the job graph holds only their references.
        this.settings = settings.resolved();
        this.ttlMs = SafeEncoder.encode(Long.toString(settings.ttl().toMillis()));
        connectAtStart();
        this.io =
                Executors.newSingleThreadExecutor(
                        r -> {
                            Thread thread =
                                    new Thread(
                                            r,
                                            "rtml-redis-writer-"
                                                    + context.getTaskInfo()
                                                            .getIndexOfThisSubtask());
                            thread.setDaemon(true);
                            return thread;
                        });
        MetricGroup group = context.metricGroup().addGroup(MetricNames.GROUP);
        this.written = group.counter(MetricNames.REDIS_WRITES, new ThreadSafeSimpleCounter());
        this.stale = group.counter(MetricNames.REDIS_STALE_WRITES, new ThreadSafeSimpleCounter());
        this.retries = group.counter(MetricNames.REDIS_RETRIES, new ThreadSafeSimpleCounter());
        this.eventToRedis =
                group.histogram(
                        MetricNames.LATENCY_EVENT_TO_REDIS_MS,
                        new DescriptiveStatisticsHistogram(LATENCY_SAMPLES));
        this.ingestToRedis =
                group.histogram(
                        MetricNames.LATENCY_INGEST_TO_REDIS_MS,
                        new DescriptiveStatisticsHistogram(LATENCY_SAMPLES));
    }

    /**
     * Connects before the first write, so that credentials or a certificate Redis refuses stop the
     * start with an error that says which; a Redis that is merely unreachable is retried as during
     * an outage. The io thread takes the connection over (the executor's hand-over orders it).
     */
    private void connectAtStart() {
        try {
            connect();
        } catch (JedisException e) {
            RuntimeException refused = refusal(e);
            if (refused != null) {
                throw refused;
            }
            if (!isTransient(e)) {
                throw e;
            }
            disconnect();
            LOG.warn(
                    "Redis at {} is not reachable at start ({}); writes wait and are retried",
                    settings.uri(),
                    e.toString());
        }
    }

    private void connect() {
        if (jedis == null) {
            jedis = RedisClients.connect(settings, 2_000, 10_000);
            scriptSha = SafeEncoder.encode(jedis.scriptLoad(NEWEST_WINS));
        }
    }

    /**
     * A clear error when Redis refused the job's credentials or its certificate was refused (no
     * retry mends either), else {@code null}.
     */
    private RuntimeException refusal(JedisException e) {
        String where = "Redis at " + settings.uri();
        if (e instanceof JedisAccessControlException) {
            String user = settings.security().username();
            return new IllegalStateException(
                    where
                            + " refused the credentials of "
                            + (user == null ? "the default user" : "user " + user)
                            + " (redis.username, redis.password): "
                            + e.getMessage(),
                    e);
        }
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            String message = String.valueOf(cause.getMessage());
            if (cause instanceof CertificateException
                    && (message.startsWith("No subject alternative")
                            || message.startsWith("No name matching"))) {
                return new IllegalStateException(
                        where
                                + ": the server's certificate is not for that host name ("
                                + message
                                + "); redis.uri must name a host the certificate names",
                        e);
            }
            if (cause instanceof CertPathBuilderException
                    || cause instanceof CertPathValidatorException) {
                return new IllegalStateException(
                        where
                                + ": the server's certificate is not trusted ("
                                + message
                                + "); redis.truststore.location must hold the CA that signed it",
                        e);
            }
        }
        return null;
    }

    @Override
    protected void submitRequestEntries(
            List<RedisWrite> writes, ResultHandler<RedisWrite> resultHandler) {
        io.execute(() -> send(writes, resultHandler));
    }

    @Override
    protected long getSizeInBytes(RedisWrite write) {
        return write.sizeInBytes();
    }

    private void send(List<RedisWrite> writes, ResultHandler<RedisWrite> resultHandler) {
        try {
            int staleWrites = pipeline(writes);
            long now = System.currentTimeMillis();
            for (RedisWrite write : writes) {
                eventToRedis.update(now - write.eventTimeMs());
                ingestToRedis.update(now - write.ingestTimeMs());
            }
            written.inc(writes.size() - staleWrites);
            stale.inc(staleWrites);
            failuresInARow = 0;
            resultHandler.complete();
        } catch (JedisException e) {
            RuntimeException refused = refusal(e);
            if (refused != null || !isTransient(e)) {
                resultHandler.completeExceptionally(refused != null ? refused : e);
                return;
            }
            disconnect();
            failuresInARow++;
            retries.inc();
            long backoff =
                    Math.min(MAX_BACKOFF_MS, MIN_BACKOFF_MS << Math.min(failuresInARow - 1, 10));
            if (failuresInARow == 1 || failuresInARow % 20 == 0) {
                LOG.warn(
                        "Redis write of {} entries failed ({} time(s) in a row), retrying in {} ms: {}",
                        writes.size(),
                        failuresInARow,
                        backoff,
                        e.toString());
            }
            try {
                Thread.sleep(backoff);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
            resultHandler.retryForEntries(writes);
        } catch (RuntimeException e) {
            resultHandler.completeExceptionally(e);
        }
    }

    /**
     * Sends, in one round trip, the newest write of each card among {@code writes} (the others
     * would be refused as stale anyway); returns how many of {@code writes} were stale.
     */
    private int pipeline(List<RedisWrite> writes) {
        connect();
        Map<String, RedisWrite> newest = new HashMap<>(writes.size() * 2);
        for (RedisWrite write : writes) {
            newest.merge(write.key(), write, (kept, next) -> next.isNewerThan(kept) ? next : kept);
        }
        Pipeline pipeline = jedis.pipelined();
        List<Response<Object>> responses = new ArrayList<>(newest.size());
        for (RedisWrite write : newest.values()) {
            responses.add(
                    pipeline.evalsha(
                            scriptSha,
                            List.of(SafeEncoder.encode(write.key())),
                            List.of(
                                    SafeEncoder.encode(Long.toString(write.eventTimeMs())),
                                    SafeEncoder.encode(write.eventId()),
                                    write.prediction(),
                                    write.features(),
                                    ttlMs)));
        }
        pipeline.sync();
        int staleWrites = writes.size() - newest.size();
        for (Response<Object> response : responses) {
            if (Long.valueOf(0).equals(response.get())) {
                staleWrites++;
            }
        }
        return staleWrites;
    }

    private static boolean isTransient(JedisException e) {
        if (e instanceof JedisConnectionException) {
            return true;
        }
        if (e instanceof JedisDataException && e.getMessage() != null) {
            return TRANSIENT_ERRORS.stream().anyMatch(e.getMessage()::startsWith);
        }
        return false;
    }

    private void disconnect() {
        if (jedis != null) {
            try {
                jedis.close();
            } catch (RuntimeException e) {
                LOG.debug("Closing a broken Redis connection failed", e);
            }
            jedis = null;
        }
    }

    @Override
    public void close() {
        super.close();
        io.shutdownNow();
        try {
            io.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        disconnect();
    }
}
