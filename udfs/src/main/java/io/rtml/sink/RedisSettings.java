package io.rtml.sink;

import java.io.Serializable;
import java.time.Duration;

/**
 * How the job reaches and writes to Redis.
 *
 * @param uri {@code redis://[user:password@]host:port[/database]}, or {@code rediss://} for TLS
 * @param keyPrefix prepended to every key the job writes
 * @param ttl how long a card's entry lives after its last write; zero keeps it forever
 * @param maxBatchSize writes pipelined in one round trip at most
 * @param maxBatchDelay how long a write may wait for a batch to fill
 * @param maxBufferedWrites writes buffered per subtask before the job backpressures
 * @param security AUTH credentials and the TLS trust store, secrets possibly as references
 */
public record RedisSettings(
        String uri,
        String keyPrefix,
        Duration ttl,
        int maxBatchSize,
        Duration maxBatchDelay,
        int maxBufferedWrites,
        RedisSecurity security)
        implements Serializable {

    /**
     * These settings with their secret references read ({@link RedisSecurity#resolve}): what a
     * client connects with, where it is made.
     */
    public RedisSettings resolved() {
        return new RedisSettings(
                uri,
                keyPrefix,
                ttl,
                maxBatchSize,
                maxBatchDelay,
                maxBufferedWrites,
                security.resolve());
    }

    /** Settings without AUTH, trusting the JVM's certificates. */
    public RedisSettings(
            String uri,
            String keyPrefix,
            Duration ttl,
            int maxBatchSize,
            Duration maxBatchDelay,
            int maxBufferedWrites) {
        this(
                uri,
                keyPrefix,
                ttl,
                maxBatchSize,
                maxBatchDelay,
                maxBufferedWrites,
                RedisSecurity.NONE);
    }
}
