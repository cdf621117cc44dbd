package io.rtml.job.config;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.configuration.ConfigOption;
import picocli.CommandLine.Option;

/**
 * The job's configuration on a command line, the same for {@code rtml run} and every command: a
 * YAML file ({@code --config}) and options over it ({@code -D key=value}), with the flags of {@link
 * KafkaOptions} and {@link RedisOptions} as shorthands for their options. A command that connects
 * to Kafka or Redis therefore reaches them as the job does, {@code kafka.security.*} and Redis AUTH
 * and TLS included.
 */
public final class ConfigOptions {
    /** Flags that stand for job options, such as {@code --bootstrap-servers}. */
    public interface Shorthands {
        /** Adds the flags that were given to {@code options}. */
        void addTo(ConfigOptions options, Map<String, String> overrides);
    }

    @Option(names = "--config", paramLabel = "FILE", description = "YAML file of job options.")
    Path configFile;

    @Option(
            names = "-D",
            paramLabel = "KEY=VALUE",
            description = "Sets a job option, over the config file (repeatable).")
    Map<String, String> overrides = new LinkedHashMap<>();

    /** The {@code --config} file, or null. */
    public Path configFile() {
        return configFile;
    }

    /** The {@code -D} options, in the order given. */
    public Map<String, String> overrides() {
        return Collections.unmodifiableMap(overrides);
    }

    /** The job's configuration, with its model: for running the job. */
    public RtmlConfig load(Shorthands... shorthands) {
        return RtmlConfig.load(configFile, withShorthands(shorthands));
    }

    /** The configuration without a model: for commands that do not score. */
    public RtmlConfig withoutModel(Shorthands... shorthands) {
        return RtmlConfig.loadWithoutModel(configFile, withShorthands(shorthands));
    }

    private Map<String, String> withShorthands(Shorthands... shorthands) {
        Map<String, String> all = new LinkedHashMap<>(overrides);
        for (Shorthands flags : shorthands) {
            flags.addTo(this, all);
        }
        return all;
    }

    /**
     * Sets {@code option} to a shorthand flag's value when the flag was given; a flag and a {@code
     * -D} for the same option are refused rather than one silently winning.
     */
    void shorthand(Map<String, String> values, String flag, ConfigOption<?> option, String value) {
        if (value == null) {
            return;
        }
        if (overrides.containsKey(option.key())) {
            throw new IllegalArgumentException(
                    flag + " and -D " + option.key() + " both set " + option.key() + "; give one");
        }
        values.put(option.key(), value);
    }
}
