package io.rtml.job.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtml.inference.ModelControl;
import io.rtml.job.testing.RtmlCli;
import io.rtml.testing.KafkaBroker;
import io.rtml.testing.TestServices;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code rtml topics} and {@code rtml model} against a real broker: the model-control topic is
 * created compacted with one partition, and its records are keyed by the model's name (what
 * compaction keeps the latest of), so the active choice survives retention.
 */
class ModelCommandITCase {
    @RegisterExtension static final TestServices SERVICES = TestServices.builder().kafka().build();

    @Test
    void topicsCreatesTheModelControlTopicCompactedWithOnePartition() throws Exception {
        RtmlCli topics =
                RtmlCli.run(
                        "topics",
                        "--bootstrap-servers",
                        SERVICES.kafka().bootstrapServers(),
                        "--model-control-topic",
                        "control-a");

        assertThat(topics.exitCode()).as(topics.err()).isZero();
        try (Admin admin = Admin.create(SERVICES.kafka().clientProperties())) {
            TopicDescription description =
                    admin.describeTopics(List.of("control-a"))
                            .allTopicNames()
                            .get(30, TimeUnit.SECONDS)
                            .get("control-a");
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, "control-a");
            Config config =
                    admin.describeConfigs(List.of(resource))
                            .all()
                            .get(30, TimeUnit.SECONDS)
                            .get(resource);
            Config events =
                    admin.describeConfigs(
                                    List.of(
                                            new ConfigResource(
                                                    ConfigResource.Type.TOPIC, "events")))
                            .all()
                            .get(30, TimeUnit.SECONDS)
                            .values()
                            .iterator()
                            .next();

            assertThat(description.partitions()).hasSize(1);
            assertThat(config.get(TopicConfig.CLEANUP_POLICY_CONFIG).value())
                    .isEqualTo(TopicConfig.CLEANUP_POLICY_COMPACT);
            assertThat(events.get(TopicConfig.CLEANUP_POLICY_CONFIG).value())
                    .isEqualTo(TopicConfig.CLEANUP_POLICY_DELETE);
        }
    }

    @Test
    void modelWritesARecordKeyedByTheModelsName() throws Exception {
        SERVICES.kafka().createTopics(1, "control-b");

        RtmlCli model =
                RtmlCli.run(
                        "model",
                        "--bootstrap-servers",
                        SERVICES.kafka().bootstrapServers(),
                        "--topic",
                        "control-b",
                        "--version",
                        "5",
                        "--shadow",
                        "4");

        assertThat(model.exitCode()).as(model.err()).isZero();
        try (KafkaBroker.CommittedReader reader = SERVICES.kafka().reader("control-b")) {
            List<ConsumerRecord<byte[], byte[]>> records =
                    reader.awaitAtLeast(1, Duration.ofSeconds(30));
            assertThat(records).hasSize(1);
            assertThat(new String(records.get(0).key(), StandardCharsets.UTF_8)).isEqualTo("fraud");
            ModelControl control = ModelControl.parse(records.get(0).value(), 0);
            assertThat(control.error).isNull();
            assertThat(List.of(control.model, control.version, control.shadowVersion))
                    .containsExactly("fraud", "5", "4");
        }
    }

    @Test
    void modelRefusesAVersionThatIsNotAPlainNameAndWritesNothing() throws Exception {
        SERVICES.kafka().createTopics(1, "control-c");

        RtmlCli model =
                RtmlCli.run(
                        "model",
                        "--bootstrap-servers",
                        SERVICES.kafka().bootstrapServers(),
                        "--topic",
                        "control-c",
                        "--version",
                        "../5");

        assertThat(model.exitCode()).isEqualTo(2);
        assertThat(model.err())
                .isEqualTo(
                        "rtml: --version \"../5\" is not a plain name (1 to 128 letters, digits,"
                                + " '.', '_' or '-', starting with a letter or digit, without"
                                + " \"..\")\n");
        try (KafkaBroker.CommittedReader reader = SERVICES.kafka().reader("control-c")) {
            assertThat(reader.readFor(Duration.ofSeconds(2))).isEmpty();
        }
    }
}
