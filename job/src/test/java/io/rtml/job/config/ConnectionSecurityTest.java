package io.rtml.job.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.rtml.job.testing.Repository;
import io.rtml.sink.RedisSecurity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConnectionSecurityTest {
    private static final Map<String, String> ENVIRONMENT =
            Map.of(
                    "RTML_KAFKA_SASL_USERNAME", "fraud-job",
                    "RTML_KAFKA_SASL_PASSWORD", "s3cr3t\"pa\\ss",
                    "RTML_REDIS_PASSWORD", "redis-s3cr3t",
                    "EMPTY", "");

    @TempDir Path dir;

    @Test
    void plaintextNeedsNoClientSettings() {
        ConnectionSecurity security = load(Map.of());

        assertThat(security.kafkaProperties()).isEmpty();
        assertThat(security.redis()).isEqualTo(RedisSecurity.NONE);
    }

    @Test
    void readsSaslCredentialsFromTheEnvironmentIntoTheJaasConfig() {
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
                                + " username=\"fraud-job\" password=\"s3cr3t\\\"pa\\\\ss\";");
        assertThat(kafka).doesNotContainKey("ssl.truststore.location");
    }

    @Test
    void usesThePlainLoginModuleForPlainAndATrustStoreForTls() throws Exception {
        Path trustStore = Files.writeString(dir.resolve("truststore.jks"), "store");
        Path storePassword = Files.writeString(dir.resolve("store-password"), "changeit\n");
        Properties kafka =
                load(Map.of(
                                "kafka.security.protocol", "SASL_SSL",
                                "kafka.sasl.mechanism", "PLAIN",
                                "kafka.sasl.username", "fraud-job",
                                "kafka.sasl.password", "file:" + secret("p4ss"),
                                "kafka.ssl.truststore.location", trustStore.toString(),
                                "kafka.ssl.truststore.password", "file:" + storePassword,
                                "kafka.ssl.truststore.type", "JKS"))
                        .kafkaProperties();

        assertThat(kafka.getProperty("sasl.jaas.config"))
                .startsWith("org.apache.kafka.common.security.plain.PlainLoginModule required")
                .contains("password=\"p4ss\"");
        assertThat(kafka.getProperty("ssl.truststore.location")).isEqualTo(trustStore.toString());
        assertThat(kafka.getProperty("ssl.truststore.password"))
                .as("one line end is not part of a mounted secret")
                .isEqualTo("changeit");
        assertThat(kafka.getProperty("ssl.truststore.type")).isEqualTo("JKS");
    }

    @Test
    void readsTheRedisPasswordFromTheEnvironment() {
        RedisSecurity redis =
                load(Map.of("redis.username", "rtml", "redis.password", "env:RTML_REDIS_PASSWORD"))
                        .redis();

        assertThat(redis.username()).isEqualTo("rtml");
        assertThat(redis.password()).isEqualTo("redis-s3cr3t");
        assertThat(redis.toString()).doesNotContain("redis-s3cr3t").contains("password=***");
    }

    @Test
    void namesTheOptionAndTheVariableWhenAVariableIsMissingOrEmpty() {
        assertThat(
                        problems(
                                Map.of(
                                        "kafka.security.protocol", "SASL_PLAINTEXT",
                                        "kafka.sasl.username", "env:RTML_KAFKA_SASL_USERNAME",
                                        "kafka.sasl.password", "env:RTML_KAFKA_PASSWORD_TYPO",
                                        "redis.password", "env:EMPTY")))
                .containsExactlyInAnyOrder(
                        "kafka.sasl.password: environment variable RTML_KAFKA_PASSWORD_TYPO is"
                                + " not set",
                        "redis.password: environment variable EMPTY is empty");
    }

    @Test
    void namesTheOptionAndTheFileWhenAFileIsMissing() {
        Path missing = dir.resolve("no-such-secret");

        assertThat(problems(Map.of("redis.password", "file:" + missing)))
                .containsExactly(
                        "redis.password: cannot read file " + missing + " (it does not exist)");
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
        assertThat(config.redis().security().password()).isEqualTo("hunter2");
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
                ConnectionSecurity.load(Configuration.fromMap(values), ENVIRONMENT, problems);
        assertThat(problems).isEmpty();
        return security;
    }

    private static List<String> problems(Map<String, String> values) {
        List<String> problems = new ArrayList<>();
        ConnectionSecurity.load(Configuration.fromMap(values), ENVIRONMENT, problems);
        return problems;
    }
}
