package io.rtml.job.config;

import static io.rtml.job.config.RtmlOptions.*;

import io.rtml.secrets.KafkaSecretProvider;
import io.rtml.secrets.SecretReference;
import io.rtml.sink.RedisSecurity;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;

/**
 * How the job authenticates to Kafka and Redis. An option such as {@code kafka.sasl.password} holds
 * a reference, {@code env:VARIABLE} or {@code file:/path}, never the secret itself, and so does
 * everything built from it: the job checks each reference's form at start but does not read it; the
 * Kafka clients ({@link KafkaSecretProvider}) and the Redis sink ({@link RedisSecurity#resolve})
 * read the secrets where they connect, on the JobManager and TaskManagers. So the job graph, which
 * the cluster keeps in its HA storage and shows in its REST API, never holds a secret.
 */
public final class ConnectionSecurity {
    private static final Set<String> SASL_MECHANISMS =
            Set.of("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512");
    private static final Set<String> STORE_TYPES = Set.of("PKCS12", "JKS");

    /** Options whose values are secrets: only references are accepted. */
    static final List<ConfigOption<String>> SECRETS =
            List.of(
                    KAFKA_SASL_PASSWORD,
                    KAFKA_SSL_TRUSTSTORE_PASSWORD,
                    REDIS_PASSWORD,
                    REDIS_TRUSTSTORE_PASSWORD);

    private final KafkaSecurityProtocol protocol;
    private final String mechanism;
    private final String kafkaUser;
    private final String kafkaPassword;
    private final String kafkaTrustStore;
    private final String kafkaTrustStorePassword;
    private final String kafkaTrustStoreType;
    private final RedisSecurity redis;

    private ConnectionSecurity(Configuration c, List<String> problems) {
        protocol = c.get(KAFKA_SECURITY_PROTOCOL);
        mechanism = c.get(KAFKA_SASL_MECHANISM);
        kafkaUser = checked(c, KAFKA_SASL_USERNAME, false, problems);
        kafkaPassword = checked(c, KAFKA_SASL_PASSWORD, true, problems);
        kafkaTrustStore = c.get(KAFKA_SSL_TRUSTSTORE_LOCATION);
        kafkaTrustStorePassword = checked(c, KAFKA_SSL_TRUSTSTORE_PASSWORD, true, problems);
        kafkaTrustStoreType = c.get(KAFKA_SSL_TRUSTSTORE_TYPE);
        redis =
                new RedisSecurity(
                        emptyToNull(checked(c, REDIS_USERNAME, false, problems)),
                        emptyToNull(checked(c, REDIS_PASSWORD, true, problems)),
                        emptyToNull(c.get(REDIS_TRUSTSTORE_LOCATION)),
                        emptyToNull(checked(c, REDIS_TRUSTSTORE_PASSWORD, true, problems)),
                        c.get(REDIS_TRUSTSTORE_TYPE));
        validate(c, problems);
    }

    /**
     * Reads the security options and checks them, their references' form included; adds a problem,
     * naming the option, for each that is wrong.
     */
    static ConnectionSecurity load(Configuration options, List<String> problems) {
        return new ConnectionSecurity(options, problems);
    }

    private void validate(Configuration c, List<String> problems) {
        if (!SASL_MECHANISMS.contains(mechanism)) {
            problems.add(
                    KAFKA_SASL_MECHANISM.key()
                            + ": \""
                            + mechanism
                            + "\" is not one of "
                            + List.of("SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN"));
        }
        if (protocol.sasl()) {
            if (c.get(KAFKA_SASL_USERNAME).isEmpty()) {
                problems.add(
                        KAFKA_SASL_USERNAME.key()
                                + ": required when "
                                + KAFKA_SECURITY_PROTOCOL.key()
                                + " is "
                                + protocol);
            }
            if (c.get(KAFKA_SASL_PASSWORD).isEmpty()) {
                problems.add(
                        KAFKA_SASL_PASSWORD.key()
                                + ": required when "
                                + KAFKA_SECURITY_PROTOCOL.key()
                                + " is "
                                + protocol
                                + " (env:VARIABLE or file:/path)");
            }
        } else {
            for (ConfigOption<String> option : List.of(KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD)) {
                if (!c.get(option).isEmpty()) {
                    problems.add(
                            option.key()
                                    + ": set, but "
                                    + KAFKA_SECURITY_PROTOCOL.key()
                                    + " "
                                    + protocol
                                    + " uses no SASL");
                }
            }
        }
        if (!kafkaTrustStore.isEmpty()) {
            if (!protocol.tls()) {
                problems.add(
                        KAFKA_SSL_TRUSTSTORE_LOCATION.key()
                                + ": set, but "
                                + KAFKA_SECURITY_PROTOCOL.key()
                                + " "
                                + protocol
                                + " uses no TLS");
            }
            checkReadable(KAFKA_SSL_TRUSTSTORE_LOCATION, kafkaTrustStore, problems);
        }
        checkStoreType(c, KAFKA_SSL_TRUSTSTORE_TYPE, problems);
        checkStoreType(c, REDIS_TRUSTSTORE_TYPE, problems);

        String redisUri = c.get(REDIS_URI);
        if (redis.trustStore() != null) {
            if (!redisUri.startsWith("rediss://")) {
                problems.add(
                        REDIS_TRUSTSTORE_LOCATION.key()
                                + ": set, but "
                                + REDIS_URI.key()
                                + " is not rediss:// (TLS)");
            }
            checkReadable(REDIS_TRUSTSTORE_LOCATION, redis.trustStore(), problems);
        }
        if (uriHasPassword(redisUri)) {
            problems.add(
                    REDIS_URI.key()
                            + ": holds a password; give it with "
                            + REDIS_PASSWORD.key()
                            + " (env:VARIABLE or file:/path)");
        }
    }

    /**
     * The value of {@code option}, as it is: a name, or a reference whose form is checked. A {@code
     * secret} option accepts only a reference.
     */
    private static String checked(
            Configuration c, ConfigOption<String> option, boolean secret, List<String> problems) {
        String value = c.get(option);
        if (value.isEmpty()) {
            return "";
        }
        if (SecretReference.isReference(value)) {
            String problem = SecretReference.problem(value);
            if (problem != null) {
                problems.add(option.key() + ": " + problem);
            }
            return value;
        }
        if (secret) {
            // Never echo the value: it may be the secret.
            problems.add(
                    option.key()
                            + ": give env:VARIABLE or file:/path, not the secret itself (a"
                            + " secret in a config file or on a command line leaks)");
            return "";
        }
        if (value.contains("${")) {
            problems.add(option.key() + ": must not contain ${ (Kafka reads it as a variable)");
        }
        return value;
    }

    private static void checkReadable(
            ConfigOption<String> option, String location, List<String> problems) {
        if (!Files.isReadable(Path.of(location))) {
            problems.add(option.key() + ": file " + location + " does not exist or is unreadable");
        }
    }

    private static void checkStoreType(
            Configuration c, ConfigOption<String> option, List<String> problems) {
        if (!STORE_TYPES.contains(c.get(option))) {
            problems.add(
                    option.key()
                            + ": \""
                            + c.get(option)
                            + "\" is not one of "
                            + List.of("PKCS12", "JKS"));
        }
    }

    private static boolean uriHasPassword(String uri) {
        try {
            URI parsed = new URI(uri);
            String userInfo = parsed.getUserInfo();
            return ("redis".equals(parsed.getScheme()) || "rediss".equals(parsed.getScheme()))
                    && userInfo != null
                    && userInfo.indexOf(':') >= 0
                    && userInfo.indexOf(':') < userInfo.length() - 1;
        } catch (URISyntaxException e) {
            return false; // reported with the URI's other problems
        }
    }

    /** Whether an option's value names where a secret is rather than being one. */
    static boolean isReference(String value) {
        return SecretReference.isReference(value);
    }

    private static String emptyToNull(String value) {
        return value == null || value.isEmpty() ? null : value;
    }

    /**
     * The Kafka client settings for every source, sink and admin client of the job: {@code
     * security.protocol}, SASL login and trust store, each secret as a placeholder the client
     * resolves itself when it is created ({@link KafkaSecretProvider}). Empty for PLAINTEXT.
     */
    public Properties kafkaProperties() {
        Properties properties = new Properties();
        if (protocol == KafkaSecurityProtocol.PLAINTEXT) {
            return properties;
        }
        properties.setProperty("security.protocol", protocol.name());
        if (protocol.sasl()) {
            properties.setProperty("sasl.mechanism", mechanism);
            properties.setProperty("sasl.jaas.config", jaas());
        }
        if (protocol.tls() && !kafkaTrustStore.isEmpty()) {
            properties.setProperty("ssl.truststore.location", kafkaTrustStore);
            properties.setProperty("ssl.truststore.type", kafkaTrustStoreType);
            if (!kafkaTrustStorePassword.isEmpty()) {
                properties.setProperty(
                        "ssl.truststore.password",
                        KafkaSecretProvider.plain(kafkaTrustStorePassword));
            }
        }
        if (properties.values().stream().anyMatch(v -> v.toString().contains("${"))) {
            properties.putAll(KafkaSecretProvider.clientSettings());
        }
        return properties;
    }

    private String jaas() {
        String module =
                mechanism.equals("PLAIN")
                        ? "org.apache.kafka.common.security.plain.PlainLoginModule"
                        : "org.apache.kafka.common.security.scram.ScramLoginModule";
        return module
                + " required username=\""
                + jaasValue(kafkaUser)
                + "\" password=\""
                + jaasValue(kafkaPassword)
                + "\";";
    }

    /** A reference as its placeholder, a name as it is, for a double-quoted JAAS option. */
    private static String jaasValue(String value) {
        return SecretReference.isReference(value)
                ? KafkaSecretProvider.inJaas(value)
                : KafkaSecretProvider.jaasQuote(value);
    }

    /** Redis AUTH and TLS trust. */
    public RedisSecurity redis() {
        return redis;
    }

    @Override
    public String toString() {
        return "ConnectionSecurity[kafka="
                + protocol
                + (protocol.sasl() ? " " + mechanism + " user " + kafkaUser : "")
                + ", redis="
                + redis
                + "]";
    }
}
