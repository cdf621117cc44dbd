package io.rtml.job.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.rtml.job.testing.Repository;
import io.rtml.secrets.KafkaSecretProvider;
import io.rtml.sink.RedisSecurity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.configuration.Configuration;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConnectionSecurityTest {
    @TempDir Path dir;

    @Test
    void plaintextNeedsNoClientSettings() {
        ConnectionSecurity security = load(Map.of());

        assertThat(security.kafkaProperties()).isEmpty();
        assertThat(security.redis()).isEqualTo(RedisSecurity.NONE);
    }

    @Test
    void putsSaslCredentialReferencesIntoTheJaasConfigForTheKafkaClientToResolve() {
        Properties kafka =
                load(Map.of(
                                "kafka.security.protocol", "SASL_SSL",
                                "kafka.sasl.username", "env:RTML_KAFKA_SASL_USERNAME",
                                "kafka.sasl.password", "env:RTML_KAFKA_SASL_PASSWORD"))
                        .kafkaProperties();

        assertThat(kafka.getProperty("security.protocol")).isEqualTo("SASL_SSL");
        assertThat(kafka.getProperty("sasl.mechanism")).isEqualTo("SCRAM-SHA-512");
        assertThat(kafka.getProperty("sasl.jaas.config"))
                .isEqualTo(
                        "org.apache.kafka.common.security.scram.ScramLoginModule required"
                                + " username=\"${rtml:jaas:env:RTML_KAFKA_SASL_USERNAME}\""
                                + " password=\"${rtml:jaas:env:RTML_KAFKA_SASL_PASSWORD}\";");
        assertThat(kafka.getProperty("config.providers")).isEqualTo("rtml");
        assertThat(kafka.getProperty("config.providers.rtml.class"))
                .isEqualTo(KafkaSecretProvider.class.getName());
        assertThat(kafka).doesNotContainKey("ssl.truststore.location");
    }

    @Test
    void theKafkaClientReadsTheSecretsFromTheFilesWhenItIsCreated() throws Exception {
        Path trustStore = Files.writeString(dir.resolve("truststore.jks"), "store");
        Path password = Files.writeString(dir.resolve("password"), "s3cr3t\"pa\\ss\n");
        Path storePassword = Files.writeString(dir.resolve("store-password"), "changeit\n");
        Properties kafka =
                load(Map.of(
                                "kafka.security.protocol", "SASL_SSL",
                                "kafka.sasl.mechanism", "PLAIN",
                                "kafka.sasl.username", "fraud-job",
                                "kafka.sasl.password", "file:" + password,
                                "kafka.ssl.truststore.location", trustStore.toString(),
                                "kafka.ssl.truststore.password", "file:" + storePassword,
                                "kafka.ssl.truststore.type", "JKS"))
                        .kafkaProperties();
        assertThat(kafka.toString()).doesNotContain("s3cr3t").doesNotContain("changeit");

        // What a producer does with these settings on a TaskManager.
        kafka.put("bootstrap.servers", "localhost:9092");
        kafka.put("key.serializer", ByteArraySerializer.class.getName());
        kafka.put("value.serializer", ByteArraySerializer.class.getName());
        ProducerConfig client = new ProducerConfig(kafka);

        assertThat(client.getPassword("sasl.jaas.config").value())
                .isEqualTo(
                        "org.apache.kafka.common.security.plain.PlainLoginModule required"
                                + " username=\"fraud-job\" password=\"s3cr3t\\\"pa\\\\ss\";");
        assertThat(client.getPassword("ssl.truststore.password").value())
                .as("one line end is not part of a mounted secret")
                .isEqualTo("changeit");
        assertThat(client.getString("ssl.truststore.location")).isEqualTo(trustStore.toString());
        assertThat(client.getString("ssl.truststore.type")).isEqualTo("JKS");
    }

    @Test
    void theKafkaClientNamesTheFileItCannotRead() {
        Path missing = dir.resolve("no-such-secret");
        Properties kafka =
                load(Map.of(
                                "kafka.security.protocol", "SASL_PLAINTEXT",
                                "kafka.sasl.username", "fraud-job",
                                "kafka.sasl.password", "file:" + missing))
                        .kafkaProperties();
        kafka.put("bootstrap.servers", "localhost:9092");
        kafka.put("key.serializer", ByteArraySerializer.class.getName());
        kafka.put("value.serializer", ByteArraySerializer.class.getName());

        assertThatThrownBy(() -> new ProducerConfig(kafka))
                .hasMessageContaining("cannot read file " + missing + " (it does not exist)");
    }

    @Test
    void keepsTheRedisSecretsAsReferencesUntilTheSinkOpens() throws Exception {
        RedisSecurity redis =
                load(Map.of("redis.username", "rtml", "redis.password", "file:" + secret("r3d1s")))
                        .redis();

        assertThat(redis.username()).isEqualTo("rtml");
        assertThat(redis.password()).isEqualTo("file:" + dir.resolve("secret"));
        assertThat(redis.resolve().password()).isEqualTo("r3d1s");
        assertThat(redis.resolve().toString()).doesNotContain("r3d1s").contains("password=***");
    }

    @Test
    void checksTheFormOfEachReferenceAtStartWithoutReadingIt() {
        assertThat(
                        problems(
                                Map.of(
                                        "kafka.security.protocol", "SASL_PLAINTEXT",
                                        "kafka.sasl.username", "env:",
                                        "kafka.sasl.password", "file:secrets/kafka",
                                        "redis.password", "env:RTML-REDIS",
                                        "redis.username", "env:RTML_REDIS_USER")))
                .containsExactlyInAnyOrder(
                        "kafka.sasl.username: env: needs a variable name",
                        "kafka.sasl.password: file: needs an absolute path (it is read on the"
                                + " cluster), got secrets/kafka",
                        "redis.password: \"RTML-REDIS\" is not an environment variable's name");
    }

    @Test
    void refusesASecretGivenAsItselfWithoutRepeatingIt() {
        List<String> problems =
                problems(
                        Map.of(
                                "kafka.security.protocol", "SASL_SSL",
                                "kafka.sasl.username", "fraud-job",
                                "kafka.sasl.password", "hunter2",
                                "redis.password", "hunter3"));

        assertThat(problems)
                .containsExactlyInAnyOrder(
                        "kafka.sasl.password: give env:VARIABLE or file:/path, not the secret"
                                + " itself (a secret in a config file or on a command line leaks)",
                        "redis.password: give env:VARIABLE or file:/path, not the secret itself"
                                + " (a secret in a config file or on a command line leaks)");
        assertThat(String.join("\n", problems)).doesNotContain("hunter2").doesNotContain("hunter3");
    }

    @Test
    void refusesARedisUriThatCarriesAPassword() {
        assertThat(problems(Map.of("redis.uri", "redis://rtml:hunter2@cache:6379")))
                .containsExactly(
                        "redis.uri: holds a password; give it with redis.password"
                                + " (env:VARIABLE or file:/path)");
    }

    @Test
    void saysWhatSaslNeedsAndWhatPlaintextDoesNotUse() throws Exception {
        assertThat(problems(Map.of("kafka.security.protocol", "SASL_SSL")))
                .containsExactly(
                        "kafka.sasl.username: required when kafka.security.protocol is SASL_SSL",
                        "kafka.sasl.password: required when kafka.security.protocol is SASL_SSL"
                                + " (env:VARIABLE or file:/path)");
        Path trustStore = Files.writeString(dir.resolve("ts.p12"), "store");
        assertThat(
                        problems(
                                Map.of(
                                        "kafka.sasl.username",
                                        "fraud-job",
                                        "kafka.ssl.truststore.location",
                                        trustStore.toString(),
                                        "kafka.sasl.mechanism",
                                        "GSSAPI",
                                        "redis.truststore.location",
                                        trustStore.toString())))
                .containsExactlyInAnyOrder(
                        "kafka.sasl.mechanism: \"GSSAPI\" is not one of [SCRAM-SHA-512,"
                                + " SCRAM-SHA-256, PLAIN]",
                        "kafka.sasl.username: set, but kafka.security.protocol PLAINTEXT uses no"
                                + " SASL",
                        "kafka.ssl.truststore.location: set, but kafka.security.protocol"
                                + " PLAINTEXT uses no TLS",
                        "redis.truststore.location: set, but redis.uri is not rediss:// (TLS)");
    }

    @Test
    void theJobsConfigurationRefusesALiteralSecretAndPrintsOnlyReferences() throws Exception {
        Map<String, String> overrides = new LinkedHashMap<>();
        overrides.put("model.repository", Repository.modelArtifacts().toString());
        overrides.put("redis.password", "hunter2");
        ConfigException refused =
                catchThrowableOfType(ConfigException.class, () -> RtmlConfig.load(null, overrides));
        assertThat(refused.getMessage()).contains("redis.password").doesNotContain("hunter2");

        overrides.put("redis.password", "file:" + secret("hunter2"));
        RtmlConfig config = RtmlConfig.load(null, overrides);
        assertThat(config.redis().security().password()).isEqualTo("file:" + dir.resolve("secret"));
        assertThat(config.describe())
                .contains("redis.password: file:" + dir.resolve("secret"))
                .doesNotContain("hunter2");
        assertThat(config.redis().toString()).doesNotContain("hunter2");
    }

    private Path secret(String value) throws Exception {
        return Files.writeString(dir.resolve("secret"), value);
    }

    private static ConnectionSecurity load(Map<String, String> values) {
        List<String> problems = new ArrayList<>();
        ConnectionSecurity security =
                ConnectionSecurity.load(Configuration.fromMap(values), problems);
        assertThat(problems).isEmpty();
        return security;
    }

    private static List<String> problems(Map<String, String> values) {
        List<String> problems = new ArrayList<>();
        ConnectionSecurity.load(Configuration.fromMap(values), problems);
        return problems;
    }
}
