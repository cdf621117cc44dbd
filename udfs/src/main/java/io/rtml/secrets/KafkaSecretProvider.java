package io.rtml.secrets;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.config.ConfigData;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.provider.ConfigProvider;

/**
 * Lets a Kafka client resolve the job's {@link SecretReference}s itself, when it is created on the
 * JobManager or a TaskManager (Kafka's {@code config.providers}): the client settings in the job
 * graph hold {@code ${rtml:jaas:env:VARIABLE}} or {@code ${rtml:plain:file:/path}}, never the
 * secret. {@code jaas} escapes the value for a double-quoted JAAS option ({@code
 * sasl.jaas.config}), {@code plain} gives it as it is ({@code ssl.truststore.password}).
 *
 * <p>Kafka's own {@code EnvVarConfigProvider} and {@code DirectoryConfigProvider} leave an unset
 * variable's placeholder in the value (the login then fails with "invalid credentials", naming no
 * variable) and keep a mounted file's line end; this one reads references exactly as the rest of
 * the job does and fails naming what is missing.
 */
public final class KafkaSecretProvider implements ConfigProvider {
    /** The provider's name in {@code config.providers}. */
    public static final String NAME = "rtml";

    private static final String JAAS = "jaas";
    private static final String PLAIN = "plain";

    /** The client settings that install this provider. */
    public static Map<String, String> clientSettings() {
        return Map.of(
                "config.providers",
                NAME,
                "config.providers." + NAME + ".class",
                KafkaSecretProvider.class.getName());
    }

    /** A placeholder for {@code reference}, inside a double-quoted JAAS option. */
    public static String inJaas(String reference) {
        return "${" + NAME + ":" + JAAS + ":" + reference + "}";
    }

    /** A placeholder for {@code reference}, as a whole setting's value. */
    public static String plain(String reference) {
        return "${" + NAME + ":" + PLAIN + ":" + reference + "}";
    }

    /** Escapes a value for a double-quoted JAAS option. */
    public static String jaasQuote(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    @Override
    public void configure(Map<String, ?> configs) {}

    @Override
    public ConfigData get(String path) {
        return new ConfigData(Map.of());
    }

    @Override
    public ConfigData get(String path, Set<String> references) {
        if (!JAAS.equals(path) && !PLAIN.equals(path)) {
            throw new ConfigException(
                    "${" + NAME + ":" + path + ":...}: the path must be jaas or plain");
        }
        Map<String, String> values = new HashMap<>();
        for (String reference : references) {
            String value;
            try {
                value = SecretReference.resolve("Kafka client secret " + reference, reference);
            } catch (IllegalStateException e) {
                throw new ConfigException(e.getMessage());
            }
            values.put(reference, JAAS.equals(path) ? jaasQuote(value) : value);
        }
        return new ConfigData(values);
    }

    @Override
    public void close() {}
}
