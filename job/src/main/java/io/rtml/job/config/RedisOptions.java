package io.rtml.job.config;

import java.util.Map;
import picocli.CommandLine.Option;

/**
 * Shorthands for the Redis options: each flag stands for its {@code -D}; unset, the value is the
 * config file's or the job's default. AUTH and TLS are {@code redis.username}, {@code
 * redis.password} and {@code redis.truststore.*} in the file or as {@code -D}.
 */
public final class RedisOptions implements ConfigOptions.Shorthands {
    @Option(names = "--redis-uri", paramLabel = "URI", description = "The job's Redis: redis.uri.")
    String uri;

    @Option(
            names = "--key-prefix",
            paramLabel = "PREFIX",
            description = "The job's key prefix: redis.key-prefix.")
    String keyPrefix;

    @Override
    public void addTo(ConfigOptions options, Map<String, String> values) {
        options.shorthand(values, "--redis-uri", RtmlOptions.REDIS_URI, uri);
        options.shorthand(values, "--key-prefix", RtmlOptions.REDIS_KEY_PREFIX, keyPrefix);
    }
}
