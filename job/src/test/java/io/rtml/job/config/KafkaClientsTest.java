package io.rtml.job.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every role's Kafka client settings: the brokers and security, then the role's own. */
class KafkaClientsTest {
    @TempDir Path dir;

    private RtmlConfig secured() throws Exception {
        Path password = Files.writeString(dir.resolve("password"), "p4ss\n");
        return RtmlConfig.loadWithoutModel(
                null,
                Map.of(
                        "kafka.bootstrap-servers", "kafka-0:9093,kafka-1:9093",
                        "kafka.security.protocol", "SASL_SSL",
                        "kafka.sasl.username", "fraud-job",
                        "kafka.sasl.password", "file:" + password,
                        "kafka.transaction-timeout", "5 min"));
    }

    @Test
    void everyRoleCarriesTheBrokersAndTheSecurity() throws Exception {
        RtmlConfig config = secured();
        for (Properties settings :
                new Properties[] {
                    KafkaClients.connection(config),
                    KafkaClients.committedConsumer(config, "rtml-tail"),
                    KafkaClients.producer(config, "rtml-produce"),
                    KafkaClients.transactionalProducer(config)
                }) {
            assertThat(settings.getProperty("bootstrap.servers"))
                    .isEqualTo("kafka-0:9093,kafka-1:9093");
            assertThat(settings.getProperty("security.protocol")).isEqualTo("SASL_SSL");
            assertThat(settings.getProperty("sasl.mechanism")).isEqualTo("SCRAM-SHA-512");
            // The secret as a reference each client resolves where it is made, never its value.
            assertThat(settings.getProperty("sasl.jaas.config"))
                    .startsWith(
                            "org.apache.kafka.common.security.scram.ScramLoginModule required"
                                    + " username=\"fraud-job\" password=\"${rtml:jaas:file:/")
                    .endsWith("/password}\";")
                    .doesNotContain("p4ss");
            assertThat(settings.getProperty("config.providers")).isEqualTo("rtml");
        }
    }

    @Test
    void aCommittedConsumerReadsCommittedRecordsFromTheBeginningAndCommitsNothing()
            throws Exception {
        Properties consumer = KafkaClients.committedConsumer(secured(), "rtml-tail");

        assertThat(consumer)
                .containsEntry("isolation.level", "read_committed")
                .containsEntry("auto.offset.reset", "earliest")
                .containsEntry("enable.auto.commit", "false")
                .containsEntry("client.id", "rtml-tail");
    }

    @Test
    void producersAreIdempotentAndTheJobsTransactionalOnesTakeTheTimeout() throws Exception {
        RtmlConfig config = secured();

        assertThat(KafkaClients.producer(config, "rtml-model"))
                .containsEntry("acks", "all")
                .containsEntry("enable.idempotence", "true")
                .containsEntry("client.id", "rtml-model");
        assertThat(KafkaClients.transactionalProducer(config))
                .containsEntry("transaction.timeout.ms", "300000")
                .containsEntry("linger.ms", "20")
                .containsEntry("batch.size", "262144");
    }

    @Test
    void plaintextAddsNoSecuritySettings() {
        Properties settings = KafkaClients.connection(RtmlConfig.loadWithoutModel(null, Map.of()));

        assertThat(settings).containsOnlyKeys("bootstrap.servers");
    }
}
