package io.rtml.job.config;

import static io.rtml.job.config.RtmlOptions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.rtml.features.EntityFeatures;
import io.rtml.features.spec.EntitySpec;
import io.rtml.features.spec.FeatureSpec;
import io.rtml.features.spec.FeatureSpecException;
import io.rtml.features.spec.FeatureSpecLoader;
import io.rtml.inference.InferenceSettings;
import io.rtml.inference.ModelArtifact;
import io.rtml.inference.ModelChoice;
import io.rtml.inference.ModelContractException;
import io.rtml.inference.Prediction;
import io.rtml.sink.RedisSettings;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.util.TimeUtils;

/**
 * The job's configuration: {@link RtmlOptions}' defaults, overridden by a YAML file, overridden by
 * command-line flags. Immutable; {@link #load} checks everything at once (including that the model
 * exists and matches the features) and reports every problem, naming the option.
 */
public final class RtmlConfig {
    private static final Map<String, ConfigOption<?>> OPTIONS =
            RtmlOptions.ALL.stream()
                    .collect(
                            Collectors.toMap(
                                    ConfigOption::key,
                                    Function.identity(),
                                    (a, b) -> a,
                                    LinkedHashMap::new));

    private final Configuration options;
    private final FeatureSpec spec;
    private final ModelArtifact model;
    private final ConnectionSecurity security;

    private RtmlConfig(
            Configuration options,
            FeatureSpec spec,
            ModelArtifact model,
            ConnectionSecurity security) {
        this.options = options;
        this.spec = spec;
        this.model = model;
        this.security = security;
    }

    /**
     * Loads the configuration.
     *
     * @param file a YAML file (nested maps or dotted keys), or {@code null} for none
     * @param overrides {@code key -> value}, applied over the file
     */
    public static RtmlConfig load(Path file, Map<String, String> overrides) {
        return load(file, overrides, true);
    }

    /**
     * Loads the configuration without looking for a model: for the backfill, which computes
     * features for a model that may not exist yet. {@link #model()} is then {@code null}.
     */
    public static RtmlConfig loadWithoutModel(Path file, Map<String, String> overrides) {
        return load(file, overrides, false);
    }

    private static RtmlConfig load(Path file, Map<String, String> overrides, boolean withModel) {
        Map<String, String> values = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        if (file != null) {
            readYaml(file, values, problems);
        }
        values.putAll(overrides);
        for (String key : values.keySet()) {
            if (!OPTIONS.containsKey(key)) {
                problems.add(
                        key
                                + ": unknown option (known: "
                                + String.join(", ", OPTIONS.keySet())
                                + ")");
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        Configuration options = Configuration.fromMap(values);
        for (ConfigOption<?> option : RtmlOptions.ALL) {
            try {
                options.get(option);
            } catch (IllegalArgumentException e) {
                problems.add(
                        option.key()
                                + ": cannot read \""
                                + values.get(option.key())
                                + "\" as "
                                + typeName(option));
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        validate(options, problems);
        ConnectionSecurity security = ConnectionSecurity.load(options, problems);
        FeatureSpec spec = spec(options, problems);
        if (spec != null) {
            stateTtl(options, spec, problems);
        }
        ModelArtifact model = spec == null || !withModel ? null : model(options, spec, problems);
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return new RtmlConfig(options, spec, model, security);
    }

    private static void readYaml(Path file, Map<String, String> values, List<String> problems) {
        if (!Files.isRegularFile(file)) {
            problems.add("config file " + file + " does not exist");
            return;
        }
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
        } catch (IOException e) {
            problems.add("config file " + file + " is not valid YAML: " + e.getMessage());
            return;
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            return;
        }
        if (!root.isObject()) {
            problems.add("config file " + file + " must be a map of options");
            return;
        }
        flatten("", root, values, problems);
    }

    private static void flatten(
            String prefix, JsonNode node, Map<String, String> values, List<String> problems) {
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            String key = prefix + field.getKey();
            JsonNode value = field.getValue();
            if (value.isObject()) {
                flatten(key + ".", value, values, problems);
            } else if (value.isValueNode() && !value.isNull()) {
                values.put(key, value.asText());
            } else {
                problems.add(key + ": expected a single value, got " + value);
            }
        }
    }

    /**
     * Every topic option (the {@code kafka.topics.*} ones and the feature log), taken from {@link
     * RtmlOptions#ALL} so that a new one is checked too; each names a topic of its own.
     */
    private static final List<ConfigOption<String>> TOPICS = topicOptions();

    @SuppressWarnings("unchecked")
    private static List<ConfigOption<String>> topicOptions() {
        List<ConfigOption<String>> topics = new ArrayList<>();
        for (ConfigOption<?> option : RtmlOptions.ALL) {
            if (option.key().startsWith("kafka.topics.") || option == FEATURE_LOG_TOPIC) {
                topics.add((ConfigOption<String>) option);
            }
        }
        return List.copyOf(topics);
    }

    /** One method per area of options, each with the limits between its own options. */
    private static void validate(Configuration c, List<String> problems) {
        validateJob(c, problems);
        validateCheckpoints(c, problems);
        validateKafka(c, problems);
        validateTopics(c, problems);
        validateEventTime(c, problems);
        validateEvaluation(c, problems);
        validateInference(c, problems);
        validateRedis(c, problems);
    }

    private static void validateJob(Configuration c, List<String> problems) {
        int parallelism = c.get(PARALLELISM);
        if (parallelism == 0 || parallelism < -1) {
            problems.add(PARALLELISM.key() + ": must be -1 or at least 1, got " + parallelism);
        }
        atLeast(c, MAX_PARALLELISM, 1, problems);
        // Flink's own upper bound for max parallelism.
        atMost(c, MAX_PARALLELISM, 32_768, problems);
        notBlank(c, JOB_NAME, problems);
        if (parallelism > c.get(MAX_PARALLELISM)) {
            problems.add(
                    PARALLELISM.key()
                            + ": "
                            + parallelism
                            + " exceeds "
                            + MAX_PARALLELISM.key()
                            + " ("
                            + c.get(MAX_PARALLELISM)
                            + ")");
        }
        atLeast(c, BUFFER_TIMEOUT, Duration.ofMillis(1), problems);
    }

    private static void validateCheckpoints(Configuration c, List<String> problems) {
        atLeast(c, CHECKPOINT_INTERVAL, Duration.ofMillis(100), problems);
        atLeast(c, CHECKPOINT_TIMEOUT, Duration.ofSeconds(1), problems);
        atLeast(c, CHECKPOINT_TOLERABLE_FAILURES, 0, problems);
        c.getOptional(CHECKPOINT_DIRECTORY)
                .ifPresent(dir -> checkUri(CHECKPOINT_DIRECTORY, dir, List.of(), problems));
    }

    private static void validateKafka(Configuration c, List<String> problems) {
        notBlank(c, KAFKA_BOOTSTRAP_SERVERS, problems);
        for (String server : c.get(KAFKA_BOOTSTRAP_SERVERS).split(",")) {
            if (!server.isBlank() && !isHostAndPort(server.trim())) {
                problems.add(
                        KAFKA_BOOTSTRAP_SERVERS.key()
                                + ": \""
                                + server.trim()
                                + "\" is not host:port");
            }
        }
        notBlank(c, KAFKA_GROUP_ID, problems);
        notBlank(c, KAFKA_TRANSACTIONAL_ID_PREFIX, problems);
        Duration transactionTimeout = c.get(KAFKA_TRANSACTION_TIMEOUT);
        if (transactionTimeout.compareTo(c.get(CHECKPOINT_INTERVAL).multipliedBy(2)) < 0) {
            problems.add(
                    KAFKA_TRANSACTION_TIMEOUT.key()
                            + ": "
                            + TimeUtils.formatWithHighestUnit(transactionTimeout)
                            + " must be at least twice "
                            + CHECKPOINT_INTERVAL.key());
        }
        Duration maxTimeout = c.get(KAFKA_TRANSACTION_MAX_TIMEOUT);
        if (transactionTimeout.compareTo(maxTimeout) > 0) {
            problems.add(
                    KAFKA_TRANSACTION_TIMEOUT.key()
                            + ": "
                            + TimeUtils.formatWithHighestUnit(transactionTimeout)
                            + " exceeds "
                            + KAFKA_TRANSACTION_MAX_TIMEOUT.key()
                            + " ("
                            + TimeUtils.formatWithHighestUnit(maxTimeout)
                            + ", the brokers' transaction.max.timeout.ms: raise both together)");
        }
    }

    /**
     * Every topic the job reads or writes: a valid Kafka name, and no two roles on one topic (the
     * labels and the feature log only when set).
     */
    private static void validateTopics(Configuration c, List<String> problems) {
        Map<String, String> topicOwners = new TreeMap<>();
        for (ConfigOption<String> topic : TOPICS) {
            String name = c.get(topic);
            // An option whose default is no topic is off when empty (the labels, the feature log).
            if (name.isEmpty() && topic.defaultValue().isEmpty()) {
                continue;
            }
            if (!name.matches("[a-zA-Z0-9._-]{1,249}") || name.equals(".") || name.equals("..")) {
                problems.add(topic.key() + ": \"" + name + "\" is not a valid Kafka topic name");
            }
            String owner = topicOwners.putIfAbsent(name, topic.key());
            if (owner != null) {
                problems.add(topic.key() + ": topic \"" + name + "\" is also " + owner);
            }
        }
    }

    private static void validateEventTime(Configuration c, List<String> problems) {
        atLeast(c, WATERMARK_OUT_OF_ORDERNESS, Duration.ZERO, problems);
        atLeast(c, WATERMARK_IDLENESS, Duration.ofMillis(1), problems);
        atLeast(c, WATERMARK_INTERVAL, Duration.ofMillis(1), problems);
        atLeast(c, FEATURE_MAX_WAIT, Duration.ofMillis(1), problems);
        atLeast(c, FEATURE_STATE_CACHE_ENTRIES, 0, problems);
    }

    private static void validateEvaluation(Configuration c, List<String> problems) {
        atLeast(c, EVALUATION_SLIDE, Duration.ofSeconds(1), problems);
        atLeast(c, EVALUATION_JOIN_TTL, Duration.ofSeconds(1), problems);
        if (c.get(EVALUATION_WINDOW).compareTo(c.get(EVALUATION_SLIDE)) < 0) {
            problems.add(EVALUATION_WINDOW.key() + ": must be at least " + EVALUATION_SLIDE.key());
        }
    }

    private static void validateInference(Configuration c, List<String> problems) {
        atLeast(c, INFERENCE_BATCH_SIZE, 1, problems);
        atMost(c, INFERENCE_BATCH_SIZE, 65_536, problems);
        atLeast(c, INFERENCE_BATCH_DELAY, Duration.ZERO, problems);
        atLeast(c, INFERENCE_THREADS, 1, problems);
        atMost(c, INFERENCE_THREADS, 64, problems);
        if (c.get(INFERENCE_CAPACITY) < c.get(INFERENCE_BATCH_SIZE)) {
            problems.add(
                    INFERENCE_CAPACITY.key()
                            + ": "
                            + c.get(INFERENCE_CAPACITY)
                            + " is less than "
                            + INFERENCE_BATCH_SIZE.key()
                            + " ("
                            + c.get(INFERENCE_BATCH_SIZE)
                            + "), so batches could never fill");
        }
        if (c.get(INFERENCE_TIMEOUT).compareTo(c.get(INFERENCE_BATCH_DELAY)) <= 0) {
            problems.add(
                    INFERENCE_TIMEOUT.key()
                            + ": must be longer than "
                            + INFERENCE_BATCH_DELAY.key());
        }
        float fallback = c.get(INFERENCE_FALLBACK_SCORE);
        if (!(fallback >= 0 && fallback <= 1)) {
            problems.add(
                    INFERENCE_FALLBACK_SCORE.key() + ": must be between 0 and 1, got " + fallback);
        }
        String fallbackDecision = c.get(INFERENCE_FALLBACK_DECISION);
        if (!List.of(Prediction.FLAG, Prediction.PASS).contains(fallbackDecision)) {
            problems.add(
                    INFERENCE_FALLBACK_DECISION.key()
                            + ": must be flag or pass, got \""
                            + fallbackDecision
                            + "\"");
        }
    }

    private static void validateRedis(Configuration c, List<String> problems) {
        checkUri(REDIS_URI, c.get(REDIS_URI), List.of("redis", "rediss"), problems);
        atLeast(c, REDIS_TTL, Duration.ZERO, problems);
        atLeast(c, REDIS_BATCH_SIZE, 1, problems);
        atLeast(c, REDIS_BATCH_DELAY, Duration.ZERO, problems);
        if (c.get(REDIS_MAX_BUFFERED_WRITES) < c.get(REDIS_BATCH_SIZE)) {
            problems.add(
                    REDIS_MAX_BUFFERED_WRITES.key()
                            + ": must be at least "
                            + REDIS_BATCH_SIZE.key());
        }
    }

    private static FeatureSpec spec(Configuration c, List<String> problems) {
        FeatureSpec spec;
        try {
            spec = FeatureSpecLoader.load(c.get(FEATURE_SPEC));
        } catch (FeatureSpecException e) {
            problems.add(FEATURE_SPEC.key() + ": " + e.getMessage());
            return null;
        }
        return spec;
    }

    /** The state must outlive what every entity's windows need of it. */
    private static void stateTtl(Configuration c, FeatureSpec spec, List<String> problems) {
        Duration ttl = c.get(FEATURE_STATE_TTL);
        for (EntitySpec entity : spec.entities()) {
            Duration lifetime =
                    Duration.ofMillis(new EntityFeatures(spec, entity.name()).stateLifetimeMs());
            if (ttl.compareTo(lifetime) < 0) {
                problems.add(
                        FEATURE_STATE_TTL.key()
                                + ": "
                                + TimeUtils.formatWithHighestUnit(ttl)
                                + " is shorter than the "
                                + TimeUtils.formatWithHighestUnit(lifetime)
                                + " that entity "
                                + entity.name()
                                + "'s windows need of its state");
                return;
            }
        }
    }

    private static ModelArtifact model(Configuration c, FeatureSpec spec, List<String> problems) {
        ModelArtifact model = artifact(c, spec, c.get(MODEL_VERSION), MODEL_VERSION, problems);
        String shadow = c.get(MODEL_SHADOW_VERSION);
        if (!shadow.isEmpty()) {
            artifact(c, spec, shadow, MODEL_SHADOW_VERSION, problems);
        }
        return model;
    }

    /** The artifact of one version, checked against the spec; null (and a problem) if unusable. */
    private static ModelArtifact artifact(
            Configuration c,
            FeatureSpec spec,
            String version,
            ConfigOption<String> option,
            List<String> problems) {
        try {
            ModelArtifact model =
                    ModelArtifact.load(
                            Path.of(c.get(MODEL_REPOSITORY)), c.get(MODEL_NAME), version);
            model.checkInputs(spec.id(), spec.columns());
            return model;
        } catch (ModelContractException e) {
            problems.add(
                    MODEL_REPOSITORY.key()
                            + "/"
                            + MODEL_NAME.key()
                            + "/"
                            + option.key()
                            + ": "
                            + e.getMessage());
            return null;
        }
    }

    private static void checkUri(
            ConfigOption<String> option,
            String value,
            List<String> schemes,
            List<String> problems) {
        try {
            URI uri = new URI(value);
            if (uri.getScheme() == null
                    || (!schemes.isEmpty() && !schemes.contains(uri.getScheme()))) {
                problems.add(
                        option.key()
                                + ": \""
                                + redact(value)
                                + "\" needs a scheme"
                                + (schemes.isEmpty() ? "" : " among " + schemes));
            }
        } catch (URISyntaxException e) {
            problems.add(
                    option.key() + ": \"" + redact(value) + "\" is not a URI: " + e.getReason());
        }
    }

    /** {@code host:port} with a port in range; the host may be an IPv6 literal in brackets. */
    private static boolean isHostAndPort(String server) {
        int colon = server.lastIndexOf(':');
        if (colon <= 0 || colon == server.length() - 1) {
            return false;
        }
        String host = server.substring(0, colon);
        String port = server.substring(colon + 1);
        boolean hostOk =
                host.startsWith("[")
                        ? host.endsWith("]") && host.length() > 2
                        : !host.contains(":") && !host.isBlank() && !host.contains(" ");
        return hostOk && port.matches("\\d{1,5}") && Integer.parseInt(port) <= 65_535;
    }

    private static void notBlank(
            Configuration c, ConfigOption<String> option, List<String> problems) {
        if (c.get(option).isBlank()) {
            problems.add(option.key() + ": must not be empty");
        }
    }

    private static void atLeast(
            Configuration c, ConfigOption<Integer> option, int min, List<String> problems) {
        if (c.get(option) < min) {
            problems.add(option.key() + ": must be at least " + min + ", got " + c.get(option));
        }
    }

    private static void atMost(
            Configuration c, ConfigOption<Integer> option, int max, List<String> problems) {
        if (c.get(option) > max) {
            problems.add(option.key() + ": must be at most " + max + ", got " + c.get(option));
        }
    }

    private static void atLeast(
            Configuration c, ConfigOption<Duration> option, Duration min, List<String> problems) {
        if (c.get(option).compareTo(min) < 0) {
            problems.add(
                    option.key()
                            + ": must be at least "
                            + TimeUtils.formatWithHighestUnit(min)
                            + ", got "
                            + TimeUtils.formatWithHighestUnit(c.get(option)));
        }
    }

    private static String typeName(ConfigOption<?> option) {
        Class<?> type =
                option.defaultValue() != null ? option.defaultValue().getClass() : String.class;
        if (type == Duration.class) {
            return "a duration (e.g. 500 ms, 5 s, 10 min)";
        }
        if (type.isEnum()) {
            return "one of " + List.of(type.getEnumConstants());
        }
        return "a value of type " + type.getSimpleName();
    }

    /** Hides the password in a URI like {@code redis://user:secret@host}. */
    static String redact(String uri) {
        int start = uri.indexOf("://");
        int at = uri.lastIndexOf('@');
        if (start < 0 || at < start) {
            return uri;
        }
        String userInfo = uri.substring(start + 3, at);
        int colon = userInfo.indexOf(':');
        String shown = colon < 0 ? "***" : userInfo.substring(0, colon) + ":***";
        return uri.substring(0, start + 3) + shown + uri.substring(at);
    }

    public <T> T get(ConfigOption<T> option) {
        return options.get(option);
    }

    /** The value of an option without a default, if set. */
    public <T> Optional<T> getOptional(ConfigOption<T> option) {
        return options.getOptional(option);
    }

    /** The model choice at start: the configured version and shadow version. */
    public ModelChoice modelChoice() {
        return new ModelChoice(model.name(), model.version(), shadowVersion());
    }

    private String shadowVersion() {
        return get(MODEL_SHADOW_VERSION).isEmpty() ? null : get(MODEL_SHADOW_VERSION);
    }

    /** The feature spec, checked. */
    public FeatureSpec spec() {
        return spec;
    }

    /**
     * The model artifact the options select, already checked against the features ({@code null}
     * when loaded {@link #loadWithoutModel without one}).
     */
    public ModelArtifact model() {
        return model;
    }

    public InferenceSettings inference() {
        return new InferenceSettings(
                Path.of(get(MODEL_REPOSITORY)).toAbsolutePath().toString(),
                model.name(),
                model.version(),
                shadowVersion(),
                get(INFERENCE_DEVICE),
                spec.id(),
                spec.columns(),
                get(INFERENCE_BATCH_SIZE),
                get(INFERENCE_BATCH_DELAY),
                get(INFERENCE_THREADS),
                get(INFERENCE_CAPACITY),
                get(INFERENCE_FALLBACK_SCORE),
                get(INFERENCE_FALLBACK_DECISION));
    }

    /** SASL and TLS for Kafka, AUTH and TLS for Redis; Kafka clients get it via KafkaClients. */
    ConnectionSecurity security() {
        return security;
    }

    public RedisSettings redis() {
        return new RedisSettings(
                get(REDIS_URI),
                get(REDIS_KEY_PREFIX),
                get(REDIS_TTL),
                get(REDIS_BATCH_SIZE),
                get(REDIS_BATCH_DELAY),
                get(REDIS_MAX_BUFFERED_WRITES),
                security.redis());
    }

    /** Every option and its effective value, one per line, secrets redacted: for the log. */
    public String describe() {
        StringBuilder text = new StringBuilder();
        for (ConfigOption<?> option : RtmlOptions.ALL) {
            Object value = options.get(option);
            String shown =
                    value == null
                            ? "(unset)"
                            : value instanceof Duration
                                    ? TimeUtils.formatWithHighestUnit((Duration) value)
                                    : String.valueOf(value);
            if (option == REDIS_URI) {
                shown = redact(shown);
            }
            if (ConnectionSecurity.SECRETS.contains(option)
                    && !shown.isEmpty()
                    && !ConnectionSecurity.isReference(shown)) {
                shown = "***";
            }
            text.append("\n  ").append(option.key()).append(": ").append(shown);
        }
        return text.toString();
    }
}
