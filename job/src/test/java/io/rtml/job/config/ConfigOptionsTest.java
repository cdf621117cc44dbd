package io.rtml.job.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** The shared command-line options: --config, -D and the Kafka and Redis shorthands. */
class ConfigOptionsTest {
    @TempDir Path dir;

    @Command(name = "command")
    static final class AnyCommand {
        @Mixin ConfigOptions options;
        @Mixin KafkaOptions kafka;
        @Mixin RedisOptions redis;

        RtmlConfig config() {
            return options.withoutModel(kafka, redis);
        }
    }

    private static AnyCommand parse(String... args) {
        AnyCommand command = new AnyCommand();
        new CommandLine(command).parseArgs(args);
        return command;
    }

    @Test
    void readsTheConfigFileThenTheFlagsOverIt() throws Exception {
        Path file =
                Files.writeString(
                        dir.resolve("rtml.yaml"),
                        "kafka:\n  bootstrap-servers: kafka:9092\n  topics:\n"
                                + "    events: tx\n    predictions: scores\n"
                                + "redis:\n  uri: redis://redis:6379\n");

        RtmlConfig config =
                parse(
                                "--config",
                                file.toString(),
                                "--predictions-topic",
                                "scores-v2",
                                "--key-prefix",
                                "fraud:",
                                "-D",
                                "kafka.group-id=analyst")
                        .config();

        assertThat(config.get(RtmlOptions.KAFKA_BOOTSTRAP_SERVERS)).isEqualTo("kafka:9092");
        assertThat(config.get(RtmlOptions.EVENTS_TOPIC)).isEqualTo("tx");
        assertThat(config.get(RtmlOptions.PREDICTIONS_TOPIC)).isEqualTo("scores-v2");
        assertThat(config.get(RtmlOptions.REDIS_URI)).isEqualTo("redis://redis:6379");
        assertThat(config.get(RtmlOptions.REDIS_KEY_PREFIX)).isEqualTo("fraud:");
        assertThat(config.get(RtmlOptions.KAFKA_GROUP_ID)).isEqualTo("analyst");
    }

    @Test
    void refusesAFlagAndADefineForTheSameOption() {
        AnyCommand command =
                parse("--bootstrap-servers", "a:9092", "-D", "kafka.bootstrap-servers=b:9092");

        assertThatThrownBy(command::config)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "--bootstrap-servers and -D kafka.bootstrap-servers both set"
                                + " kafka.bootstrap-servers; give one");
    }

    @Test
    void validatesAsTheJobDoes() {
        AnyCommand command = parse("-D", "kafka.security.protocol=SASL_SSL");

        assertThatThrownBy(command::config)
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("kafka.sasl.username: required when")
                .hasMessageContaining("kafka.sasl.password: required when");
    }
}
