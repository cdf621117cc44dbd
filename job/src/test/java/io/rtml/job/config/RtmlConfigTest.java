package io.rtml.job.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rtml.inference.InferenceDevice;
import io.rtml.inference.InferenceSettings;
import io.rtml.job.config.RtmlOptions.StartingOffsets;
import io.rtml.job.testing.Repository;
import io.rtml.sink.RedisSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.flink.configuration.ConfigOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RtmlConfigTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MODEL = "model.repository/model.name/model.version";

    /** Each option's default, as RtmlOptions documents it (and docs/configuration.md lists it). */
    private static final Map<String, Object> DOCUMENTED_DEFAULTS = documentedDefaults();

    @TempDir Path dir;

    private static Map<String, Object> documentedDefaults() {
        Map<String, Object> defaults = new LinkedHashMap<>();
        defaults.put("job.name", "rtml");
        defaults.put("job.parallelism", -1);
        defaults.put("job.max-parallelism", 128);
        defaults.put("job.buffer-timeout", Duration.ofMillis(5));
        defaults.put("checkpoints.interval", Duration.ofSeconds(5));
        defaults.put("checkpoints.directory", null);
        defaults.put("checkpoints.timeout", Duration.ofMinutes(2));
        defaults.put("checkpoints.tolerable-failures", 3);
        defaults.put("kafka.bootstrap-servers", "127.0.0.1:9092");
        defaults.put("kafka.security.protocol", KafkaSecurityProtocol.PLAINTEXT);
        defaults.put("kafka.sasl.mechanism", "SCRAM-SHA-512");
        defaults.put("kafka.sasl.username", "");
        defaults.put("kafka.sasl.password", "");
        defaults.put("kafka.ssl.truststore.location", "");
        defaults.put("kafka.ssl.truststore.password", "");
        defaults.put("kafka.ssl.truststore.type", "PKCS12");
        defaults.put("kafka.group-id", "rtml");
        defaults.put("kafka.starting-offsets", StartingOffsets.EARLIEST);
        defaults.put("kafka.topics.events", "events");
        defaults.put("kafka.topics.predictions", "predictions");
        defaults.put("kafka.topics.dead-letters", "events-dlq");
        defaults.put("kafka.topics.model-control", "model-control");
        defaults.put("kafka.topics.shadow-predictions", "predictions-shadow");
        defaults.put("kafka.topics.labels", "");
        defaults.put("kafka.topics.evaluation", "evaluation");
        defaults.put("kafka.transactional-id-prefix", "rtml");
        defaults.put("kafka.transaction-timeout", Duration.ofMinutes(10));
        defaults.put("kafka.transaction-max-timeout", Duration.ofMinutes(15));
        defaults.put("watermarks.out-of-orderness", Duration.ofSeconds(5));
        defaults.put("watermarks.max-future", Duration.ofMinutes(5));
        defaults.put("watermarks.idleness", Duration.ofSeconds(30));
        defaults.put("watermarks.interval", Duration.ofMillis(50));
        defaults.put("features.spec", "classpath:feature-specs/fraud.yaml");
        defaults.put("features.max-wait", Duration.ofSeconds(2));
        defaults.put("features.state-ttl", Duration.ofDays(7));
        defaults.put("features.state-cache-entries", 10_000);
        defaults.put("features.log-topic", "");
        defaults.put("model.repository", "model-artifacts");
        defaults.put("model.name", "fraud");
        defaults.put("model.version", "4");
        defaults.put("model.shadow-version", "");
        defaults.put("inference.device", InferenceDevice.AUTO);
        defaults.put("inference.batch-size", 256);
        defaults.put("inference.batch-delay", Duration.ofMillis(5));
        defaults.put("inference.threads", 1);
        defaults.put("inference.capacity", 1024);
        defaults.put("inference.timeout", Duration.ofSeconds(5));
        defaults.put("inference.fallback-score", 0f);
        defaults.put("inference.fallback-decision", "flag");
        defaults.put("evaluation.window", Duration.ofMinutes(10));
        defaults.put("evaluation.slide", Duration.ofMinutes(1));
        defaults.put("evaluation.join-ttl", Duration.ofHours(1));
        defaults.put("redis.uri", "redis://127.0.0.1:6380");
        defaults.put("redis.username", "");
        defaults.put("redis.password", "");
        defaults.put("redis.truststore.location", "");
        defaults.put("redis.truststore.password", "");
        defaults.put("redis.truststore.type", "PKCS12");
        defaults.put("redis.key-prefix", "rtml:");
        defaults.put("redis.ttl", Duration.ofDays(7));
        defaults.put("redis.batch-size", 500);
        defaults.put("redis.batch-delay", Duration.ofMillis(5));
        defaults.put("redis.max-buffered-writes", 10_000);
        return defaults;
    }

    /** The shipped model, wherever the tests run: the default path is relative to the root. */
    private static String shippedRepository() {
        return Repository.modelArtifacts().toString();
    }

    /** Loads with no file, the shipped model and {@code keyValues} as -D overrides. */
    private static RtmlConfig load(String... keyValues) {
        return RtmlConfig.load(null, overrides(keyValues));
    }

    private static Map<String, String> overrides(String... keyValues) {
        Map<String, String> overrides = new LinkedHashMap<>();
        overrides.put("model.repository", shippedRepository());
        for (int i = 0; i < keyValues.length; i += 2) {
            overrides.put(keyValues[i], keyValues[i + 1]);
        }
        return overrides;
    }

    private static List<String> problems(String... keyValues) {
        return catchThrowableOfType(ConfigException.class, () -> load(keyValues)).problems();
    }

    private Path yaml(String text) throws IOException {
        Path file = dir.resolve("rtml.yaml");
        Files.writeString(file, text);
        return file;
    }

    // ---- defaults ----

    @Test
    void documentsADefaultForEveryOptionAndNoOther() {
        assertThat(RtmlOptions.ALL)
                .extracting(ConfigOption::key)
                .containsExactlyElementsOf(DOCUMENTED_DEFAULTS.keySet());
        for (ConfigOption<?> option : RtmlOptions.ALL) {
            assertThat(option.defaultValue())
                    .as(option.key())
                    .isEqualTo(DOCUMENTED_DEFAULTS.get(option.key()));
            assertThat(option.description().toString()).as(option.key()).isNotBlank();
        }
    }

    @Test
    void loadsEveryDefaultWhenNothingIsSet() {
        RtmlConfig config = load();

        for (ConfigOption<?> option : RtmlOptions.ALL) {
            Object expected =
                    option == RtmlOptions.MODEL_REPOSITORY
                            ? shippedRepository()
                            : DOCUMENTED_DEFAULTS.get(option.key());
            assertThat((Object) config.get(option)).as(option.key()).isEqualTo(expected);
        }
        assertThat(config.getOptional(RtmlOptions.CHECKPOINT_DIRECTORY)).isEmpty();
    }

    @Test
    void loadsTheShippedModelCheckedAgainstTheFeatures() {
        RtmlConfig config = load();

        assertThat(config.model().name()).isEqualTo("fraud");
        assertThat(config.model().version()).isEqualTo("4");
        assertThat(config.model().inputs()).isEqualTo(config.spec().columns());
        assertThat(config.model().directory())
                .isEqualTo(Repository.modelArtifacts().resolve("fraud").resolve("4"));
    }

    @Test
    void derivesInferenceAndRedisSettingsFromTheOptions() {
        RtmlConfig config =
                load(
                        "inference.batch-size", "64",
                        "inference.batch-delay", "2 ms",
                        "inference.threads", "2",
                        "inference.capacity", "512",
                        "inference.fallback-score", "0.25",
                        "inference.fallback-decision", "pass",
                        "redis.uri", "rediss://cache:6379/2",
                        "redis.key-prefix", "fraud:",
                        "redis.ttl", "1 d",
                        "redis.batch-size", "100",
                        "redis.batch-delay", "3 ms",
                        "redis.max-buffered-writes", "2000");

        assertThat(config.inference())
                .isEqualTo(
                        new InferenceSettings(
                                Repository.modelArtifacts().toAbsolutePath().toString(),
                                "fraud",
                                "4",
                                null,
                                InferenceDevice.AUTO,
                                "fraud-v3",
                                config.spec().columns(),
                                64,
                                Duration.ofMillis(2),
                                2,
                                512,
                                0.25f,
                                "pass"));
        assertThat(config.redis())
                .isEqualTo(
                        new RedisSettings(
                                "rediss://cache:6379/2",
                                "fraud:",
                                Duration.ofDays(1),
                                100,
                                Duration.ofMillis(3),
                                2000));
    }

    // ---- the file and the overrides ----

    @Test
    void aYamlFileOfNestedMapsOverridesTheDefaults() throws IOException {
        Path file =
                yaml(
                        """
                        job:
                          name: fraud-scoring
                          parallelism: 4
                        checkpoints:
                          interval: 30 s
                          directory: s3://bucket/checkpoints
                        kafka:
                          starting-offsets: latest
                          topics:
                            events: card-events
                        inference:
                          fallback-score: 0.5
                        """);

        RtmlConfig config = RtmlConfig.load(file, overrides());

        assertThat(config.get(RtmlOptions.JOB_NAME)).isEqualTo("fraud-scoring");
        assertThat(config.get(RtmlOptions.PARALLELISM)).isEqualTo(4);
        assertThat(config.get(RtmlOptions.CHECKPOINT_INTERVAL)).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.getOptional(RtmlOptions.CHECKPOINT_DIRECTORY))
                .contains("s3://bucket/checkpoints");
        assertThat(config.get(RtmlOptions.KAFKA_STARTING_OFFSETS))
                .isEqualTo(StartingOffsets.LATEST);
        assertThat(config.get(RtmlOptions.EVENTS_TOPIC)).isEqualTo("card-events");
        assertThat(config.get(RtmlOptions.INFERENCE_FALLBACK_SCORE)).isEqualTo(0.5f);
        // What the file does not set keeps its default.
        assertThat(config.get(RtmlOptions.PREDICTIONS_TOPIC)).isEqualTo("predictions");
        assertThat(config.get(RtmlOptions.MAX_PARALLELISM)).isEqualTo(128);
    }

    @Test
    void aYamlFileOfDottedKeysOverridesTheDefaultsLikeNestedMaps() throws IOException {
        Path file =
                yaml(
                        """
                        job.name: fraud-scoring
                        kafka.topics.events: card-events
                        kafka:
                          group-id: scorers
                          transaction-timeout: 5 min
                        inference.batch-size: 64
                        """);

        RtmlConfig config = RtmlConfig.load(file, overrides());

        assertThat(config.get(RtmlOptions.JOB_NAME)).isEqualTo("fraud-scoring");
        assertThat(config.get(RtmlOptions.EVENTS_TOPIC)).isEqualTo("card-events");
        assertThat(config.get(RtmlOptions.KAFKA_GROUP_ID)).isEqualTo("scorers");
        assertThat(config.get(RtmlOptions.KAFKA_TRANSACTION_TIMEOUT))
                .isEqualTo(Duration.ofMinutes(5));
        assertThat(config.get(RtmlOptions.INFERENCE_BATCH_SIZE)).isEqualTo(64);
    }

    @Test
    void commandLineOverridesWinOverTheFile() throws IOException {
        Path file =
                yaml(
                        """
                        job.name: from-file
                        inference:
                          batch-size: 64
                          threads: 2
                        model:
                          repository: /nowhere
                        """);

        RtmlConfig config =
                RtmlConfig.load(
                        file, overrides("inference.batch-size", "32", "job.name", "from-flag"));

        assertThat(config.get(RtmlOptions.INFERENCE_BATCH_SIZE)).isEqualTo(32);
        assertThat(config.get(RtmlOptions.JOB_NAME)).isEqualTo("from-flag");
        assertThat(config.get(RtmlOptions.MODEL_REPOSITORY)).isEqualTo(shippedRepository());
        // The file still counts where no flag says otherwise.
        assertThat(config.get(RtmlOptions.INFERENCE_THREADS)).isEqualTo(2);
    }

    @Test
    void anEmptyFileLeavesTheDefaults() throws IOException {
        RtmlConfig config = RtmlConfig.load(yaml(""), overrides());

        assertThat(config.get(RtmlOptions.JOB_NAME)).isEqualTo("rtml");
        assertThat(config.get(RtmlOptions.INFERENCE_BATCH_SIZE)).isEqualTo(256);
    }

    @Test
    void refusesAMissingFile() {
        Path missing = dir.resolve("missing.yaml");

        assertThatThrownBy(() -> RtmlConfig.load(missing, overrides()))
                .isInstanceOf(ConfigException.class)
                .hasMessage("invalid configuration: config file " + missing + " does not exist");
    }

    @Test
    void refusesAFileThatIsAListNotAMap() throws IOException {
        Path file = yaml("- job.name\n- rtml\n");

        assertThatThrownBy(() -> RtmlConfig.load(file, overrides()))
                .isInstanceOf(ConfigException.class)
                .hasMessage(
                        "invalid configuration: config file " + file + " must be a map of options");
    }

    @Test
    void refusesAFileThatIsAScalarNotAMap() throws IOException {
        Path file = yaml("just some text\n");

        assertThatThrownBy(() -> RtmlConfig.load(file, overrides()))
                .isInstanceOf(ConfigException.class)
                .hasMessage(
                        "invalid configuration: config file " + file + " must be a map of options");
    }

    @Test
    void refusesAFileThatIsNotYaml() throws IOException {
        Path file = yaml("job: [rtml\n");

        assertThatThrownBy(() -> RtmlConfig.load(file, overrides()))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(
                        "invalid configuration: config file " + file + " is not valid YAML: ");
    }

    @Test
    void refusesAListOrEmptyValueInTheFileNamingTheKey() throws IOException {
        Path file =
                yaml(
                        """
                        kafka:
                          bootstrap-servers: [a:9092, b:9092]
                        job.name:
                        """);

        ConfigException e =
                catchThrowableOfType(
                        ConfigException.class, () -> RtmlConfig.load(file, overrides()));

        assertThat(e.problems())
                .containsExactly(
                        "kafka.bootstrap-servers: expected a single value, got"
                                + " [\"a:9092\",\"b:9092\"]",
                        "job.name: expected a single value, got null");
    }

    // ---- unknown keys and wrong types ----

    @Test
    void refusesAnUnknownOverrideNamingTheKey() {
        assertThat(problems("kafka.topic.events", "tx"))
                .singleElement()
                .asString()
                .startsWith("kafka.topic.events: unknown option (known: job.name, job.parallelism,")
                .endsWith(", redis.max-buffered-writes)");
    }

    @Test
    void refusesAnUnknownKeyInTheFileNamingTheFullKey() throws IOException {
        Path file = yaml("inference:\n  batch_size: 64\n");

        ConfigException e =
                catchThrowableOfType(
                        ConfigException.class, () -> RtmlConfig.load(file, overrides()));

        assertThat(e.problems())
                .singleElement()
                .asString()
                .startsWith("inference.batch_size: unknown option (known: ");
    }

    @Test
    void refusesAnIntegerOptionThatIsNotANumber() {
        assertThat(problems("job.parallelism", "four"))
                .containsExactly(
                        "job.parallelism: cannot read \"four\" as a value of type Integer");
    }

    @Test
    void refusesADurationOptionThatIsNotADuration() {
        assertThat(problems("checkpoints.interval", "soon"))
                .containsExactly(
                        "checkpoints.interval: cannot read \"soon\" as a duration (e.g. 500 ms, 5"
                                + " s, 10 min)");
    }

    @Test
    void refusesANegativeDurationAsUnreadable() {
        assertThat(problems("redis.ttl", "-1 s"))
                .containsExactly(
                        "redis.ttl: cannot read \"-1 s\" as a duration (e.g. 500 ms, 5 s, 10 min)");
    }

    @Test
    void refusesAnEnumOptionOutsideItsValues() {
        assertThat(problems("kafka.starting-offsets", "newest"))
                .containsExactly(
                        "kafka.starting-offsets: cannot read \"newest\" as one of [EARLIEST,"
                                + " LATEST]");
    }

    @Test
    void readsEnumValuesWhateverTheirCase() {
        assertThat(load("kafka.starting-offsets", "latest").get(RtmlOptions.KAFKA_STARTING_OFFSETS))
                .isEqualTo(StartingOffsets.LATEST);
    }

    @Test
    void refusesAFloatOptionThatIsNotANumber() {
        assertThat(problems("inference.fallback-score", "high"))
                .containsExactly(
                        "inference.fallback-score: cannot read \"high\" as a value of type Float");
    }

    @Test
    void reportsEveryUnreadableValueTogether() {
        assertThat(
                        problems(
                                "job.max-parallelism", "lots",
                                "watermarks.idleness", "a while",
                                "kafka.starting-offsets", "newest"))
                .containsExactly(
                        "job.max-parallelism: cannot read \"lots\" as a value of type Integer",
                        "kafka.starting-offsets: cannot read \"newest\" as one of [EARLIEST,"
                                + " LATEST]",
                        "watermarks.idleness: cannot read \"a while\" as a duration (e.g. 500 ms,"
                                + " 5 s, 10 min)");
    }

    // ---- ranges and consistency: one rule each ----

    @Test
    void refusesParallelismZero() {
        assertThat(problems("job.parallelism", "0"))
                .containsExactly("job.parallelism: must be -1 or at least 1, got 0");
    }

    @Test
    void refusesParallelismBelowMinusOne() {
        assertThat(problems("job.parallelism", "-2"))
                .containsExactly("job.parallelism: must be -1 or at least 1, got -2");
    }

    @Test
    void refusesParallelismAboveMaxParallelism() {
        assertThat(problems("job.parallelism", "16", "job.max-parallelism", "8"))
                .containsExactly("job.parallelism: 16 exceeds job.max-parallelism (8)");
    }

    @Test
    void refusesAStateTimeToLiveShorterThanTheCardsWindowsNeed() {
        // The shipped card: 24 h windows, 1 min buckets, no settle.
        assertThat(problems("features.state-ttl", "24 h"))
                .containsExactly(
                        "features.state-ttl: 1 d is shorter than the 1441 min that entity card's"
                                + " windows need of its state");
        assertThat(load("features.state-ttl", "1441 min").get(RtmlOptions.FEATURE_STATE_TTL))
                .isEqualTo(Duration.ofMinutes(1441));
    }

    @Test
    void refusesANegativeStateCacheAndTakesZeroForNone() {
        assertThat(problems("features.state-cache-entries", "-1"))
                .containsExactly("features.state-cache-entries: must be at least 0, got -1");
        assertThat(
                        load("features.state-cache-entries", "0")
                                .get(RtmlOptions.FEATURE_STATE_CACHE_ENTRIES))
                .isZero();
    }

    @Test
    void acceptsParallelismEqualToMaxParallelism() {
        assertThat(
                        load("job.parallelism", "8", "job.max-parallelism", "8")
                                .get(RtmlOptions.PARALLELISM))
                .isEqualTo(8);
    }

    @Test
    void refusesMaxParallelismZero() {
        assertThat(problems("job.max-parallelism", "0"))
                .containsExactly("job.max-parallelism: must be at least 1, got 0");
    }

    @Test
    void refusesABufferTimeoutUnderOneMillisecond() {
        assertThat(problems("job.buffer-timeout", "0 ms"))
                .containsExactly("job.buffer-timeout: must be at least 1 ms, got 0 ms");
    }

    @Test
    void refusesACheckpointIntervalUnder100Milliseconds() {
        assertThat(problems("checkpoints.interval", "50 ms"))
                .containsExactly("checkpoints.interval: must be at least 100 ms, got 50 ms");
    }

    @Test
    void refusesACheckpointTimeoutUnderOneSecond() {
        assertThat(problems("checkpoints.timeout", "500 ms"))
                .containsExactly("checkpoints.timeout: must be at least 1 s, got 500 ms");
    }

    @Test
    void refusesNegativeTolerableCheckpointFailures() {
        assertThat(problems("checkpoints.tolerable-failures", "-1"))
                .containsExactly("checkpoints.tolerable-failures: must be at least 0, got -1");
    }

    @Test
    void refusesACheckpointDirectoryWithoutAScheme() {
        assertThat(problems("checkpoints.directory", "/tmp/checkpoints"))
                .containsExactly("checkpoints.directory: \"/tmp/checkpoints\" needs a scheme");
    }

    @Test
    void refusesACheckpointDirectoryThatIsNotAUri() {
        assertThat(problems("checkpoints.directory", "s3://my bucket/checkpoints"))
                .containsExactly(
                        "checkpoints.directory: \"s3://my bucket/checkpoints\" is not a URI:"
                                + " Illegal character in authority");
    }

    @Test
    void refusesEmptyBootstrapServers() {
        assertThat(problems("kafka.bootstrap-servers", " "))
                .containsExactly("kafka.bootstrap-servers: must not be empty");
    }

    @Test
    void refusesABootstrapServerWithoutAPort() {
        assertThat(problems("kafka.bootstrap-servers", "kafka-1:9092, kafka-2"))
                .containsExactly("kafka.bootstrap-servers: \"kafka-2\" is not host:port");
    }

    @Test
    void acceptsSeveralBootstrapServers() {
        assertThat(
                        load("kafka.bootstrap-servers", "kafka-1:9092,kafka-2:9093")
                                .get(RtmlOptions.KAFKA_BOOTSTRAP_SERVERS))
                .isEqualTo("kafka-1:9092,kafka-2:9093");
    }

    @Test
    void refusesAnEmptyGroupId() {
        assertThat(problems("kafka.group-id", ""))
                .containsExactly("kafka.group-id: must not be empty");
    }

    @Test
    void refusesAnEmptyTransactionalIdPrefix() {
        assertThat(problems("kafka.transactional-id-prefix", ""))
                .containsExactly("kafka.transactional-id-prefix: must not be empty");
    }

    @Test
    void refusesATopicNameKafkaWouldRefuse() {
        assertThat(problems("kafka.topics.predictions", "fraud predictions"))
                .containsExactly(
                        "kafka.topics.predictions: \"fraud predictions\" is not a valid Kafka"
                                + " topic name");
    }

    @Test
    void refusesAnEmptyTopicName() {
        assertThat(problems("kafka.topics.events", ""))
                .containsExactly("kafka.topics.events: \"\" is not a valid Kafka topic name");
    }

    @Test
    void refusesPredictionsOnTheEventsTopic() {
        assertThat(problems("kafka.topics.predictions", "events"))
                .containsExactly(
                        "kafka.topics.predictions: topic \"events\" is also kafka.topics.events");
    }

    @Test
    void refusesDeadLettersOnThePredictionsTopic() {
        assertThat(problems("kafka.topics.dead-letters", "predictions"))
                .containsExactly(
                        "kafka.topics.dead-letters: topic \"predictions\" is also"
                                + " kafka.topics.predictions");
    }

    @Test
    void checksEveryTopicForClashesTheOptionalOnesWhenSet() {
        assertThat(problems("kafka.topics.labels", "predictions"))
                .containsExactly(
                        "kafka.topics.labels: topic \"predictions\" is also"
                                + " kafka.topics.predictions");
        assertThat(problems("features.log-topic", "model-control"))
                .containsExactly(
                        "features.log-topic: topic \"model-control\" is also"
                                + " kafka.topics.model-control");
        assertThat(problems("kafka.topics.evaluation", "predictions-shadow"))
                .containsExactly(
                        "kafka.topics.evaluation: topic \"predictions-shadow\" is also"
                                + " kafka.topics.shadow-predictions");
        assertThat(problems("kafka.topics.labels", "labels", "features.log-topic", "bad topic!"))
                .containsExactly(
                        "features.log-topic: \"bad topic!\" is not a valid Kafka topic name");
    }

    @Test
    void refusesATransactionTimeoutUnderTwiceTheCheckpointInterval() {
        assertThat(problems("checkpoints.interval", "6 min"))
                .containsExactly(
                        "kafka.transaction-timeout: 10 min must be at least twice"
                                + " checkpoints.interval");
    }

    @Test
    void acceptsATransactionTimeoutOfExactlyTwiceTheCheckpointInterval() {
        assertThat(load("checkpoints.interval", "5 min").get(RtmlOptions.KAFKA_TRANSACTION_TIMEOUT))
                .isEqualTo(Duration.ofMinutes(10));
    }

    @Test
    void refusesATransactionTimeoutOverKafkasFifteenMinuteLimit() {
        assertThat(problems("kafka.transaction-timeout", "16 min"))
                .containsExactly(
                        "kafka.transaction-timeout: 16 min exceeds kafka.transaction-max-timeout"
                                + " (15 min, the brokers' transaction.max.timeout.ms: raise both"
                                + " together)");
    }

    @Test
    void takesALongerTransactionTimeoutWhereTheBrokersAllowIt() {
        RtmlConfig config =
                load("kafka.transaction-timeout", "1 h", "kafka.transaction-max-timeout", "1 h");
        assertThat(config.get(RtmlOptions.KAFKA_TRANSACTION_TIMEOUT))
                .isEqualTo(Duration.ofHours(1));
        assertThat(
                        problems(
                                "kafka.transaction-timeout",
                                "2 h",
                                "kafka.transaction-max-timeout",
                                "1 h"))
                .containsExactly(
                        "kafka.transaction-timeout: 2 h exceeds kafka.transaction-max-timeout"
                                + " (1 h, the brokers' transaction.max.timeout.ms: raise both"
                                + " together)");
    }

    @Test
    void acceptsATransactionTimeoutOfExactlyFifteenMinutes() {
        assertThat(
                        load("kafka.transaction-timeout", "15 min")
                                .get(RtmlOptions.KAFKA_TRANSACTION_TIMEOUT))
                .isEqualTo(Duration.ofMinutes(15));
    }

    @Test
    void readsHowFarEventTimeMayBeAheadOfArrival() {
        assertThat(load("watermarks.max-future", "30 s").get(RtmlOptions.WATERMARK_MAX_FUTURE))
                .isEqualTo(Duration.ofSeconds(30));
        assertThat(load("watermarks.max-future", "0 ms").get(RtmlOptions.WATERMARK_MAX_FUTURE))
                .isZero();
    }

    @Test
    void refusesANegativeOrUnreadableMaxFuture() {
        assertThat(problems("watermarks.max-future", "-1 min"))
                .containsExactly(
                        "watermarks.max-future: cannot read \"-1 min\" as a duration (e.g. 500"
                                + " ms, 5 s, 10 min)");
        assertThat(problems("watermarks.max-future", "soon"))
                .containsExactly(
                        "watermarks.max-future: cannot read \"soon\" as a duration (e.g. 500 ms,"
                                + " 5 s, 10 min)");
    }

    @Test
    void refusesZeroWatermarkIdleness() {
        assertThat(problems("watermarks.idleness", "0 ms"))
                .containsExactly("watermarks.idleness: must be at least 1 ms, got 0 ms");
    }

    @Test
    void refusesInferenceBatchSizeZero() {
        assertThat(problems("inference.batch-size", "0"))
                .containsExactly("inference.batch-size: must be at least 1, got 0");
    }

    @Test
    void refusesInferenceBatchSizeOver65536() {
        assertThat(problems("inference.batch-size", "65537", "inference.capacity", "70000"))
                .containsExactly("inference.batch-size: must be at most 65536, got 65537");
    }

    @Test
    void refusesZeroInferenceThreads() {
        assertThat(problems("inference.threads", "0"))
                .containsExactly("inference.threads: must be at least 1, got 0");
    }

    @Test
    void refusesMoreThan64InferenceThreads() {
        assertThat(problems("inference.threads", "65"))
                .containsExactly("inference.threads: must be at most 64, got 65");
    }

    @Test
    void refusesAnInferenceCapacityBelowTheBatchSize() {
        assertThat(problems("inference.capacity", "100"))
                .containsExactly(
                        "inference.capacity: 100 is less than inference.batch-size (256), so"
                                + " batches could never fill");
    }

    @Test
    void refusesAnInferenceTimeoutEqualToTheBatchDelay() {
        assertThat(problems("inference.timeout", "5 ms"))
                .containsExactly("inference.timeout: must be longer than inference.batch-delay");
    }

    @Test
    void refusesAnInferenceTimeoutShorterThanTheBatchDelay() {
        assertThat(problems("inference.batch-delay", "10 s"))
                .containsExactly("inference.timeout: must be longer than inference.batch-delay");
    }

    @Test
    void refusesAFallbackScoreAboveOne() {
        assertThat(problems("inference.fallback-score", "1.5"))
                .containsExactly("inference.fallback-score: must be between 0 and 1, got 1.5");
    }

    @Test
    void refusesAFallbackDecisionOtherThanFlagOrPass() {
        assertThat(problems("inference.fallback-decision", "FLAG"))
                .containsExactly("inference.fallback-decision: must be flag or pass, got \"FLAG\"");
        assertThat(problems("inference.fallback-decision", "review"))
                .containsExactly(
                        "inference.fallback-decision: must be flag or pass, got \"review\"");
    }

    @Test
    void refusesANegativeFallbackScore() {
        assertThat(problems("inference.fallback-score", "-0.1"))
                .containsExactly("inference.fallback-score: must be between 0 and 1, got -0.1");
    }

    @Test
    void refusesANotANumberFallbackScore() {
        assertThat(problems("inference.fallback-score", "NaN"))
                .containsExactly("inference.fallback-score: must be between 0 and 1, got NaN");
    }

    @Test
    void acceptsFallbackScoresAtTheBounds() {
        assertThat(load("inference.fallback-score", "1").get(RtmlOptions.INFERENCE_FALLBACK_SCORE))
                .isEqualTo(1f);
        assertThat(load("inference.fallback-score", "0").get(RtmlOptions.INFERENCE_FALLBACK_SCORE))
                .isEqualTo(0f);
    }

    @Test
    void refusesARedisUriWithAnotherScheme() {
        // The allowed schemes come from a Set.of, whose order varies between JVM runs.
        assertThat(problems("redis.uri", "http://cache:6379"))
                .singleElement()
                .isIn(
                        "redis.uri: \"http://cache:6379\" needs a scheme among [redis, rediss]",
                        "redis.uri: \"http://cache:6379\" needs a scheme among [rediss, redis]");
    }

    @Test
    void refusesARedisUriThatIsNotAUri() {
        assertThat(problems("redis.uri", "127.0.0.1:6380"))
                .containsExactly(
                        "redis.uri: \"127.0.0.1:6380\" is not a URI: Illegal character in scheme"
                                + " name");
    }

    @Test
    void hidesTheRedisPasswordWhenRefusingItsUri() {
        assertThat(problems("redis.uri", "http://user:secret@cache:6379"))
                .singleElement()
                .asString()
                .startsWith("redis.uri: \"http://user:***@cache:6379\" needs a scheme among ")
                .doesNotContain("secret");
    }

    @Test
    void acceptsATlsRedisUri() {
        assertThat(load("redis.uri", "rediss://cache:6379/1").get(RtmlOptions.REDIS_URI))
                .isEqualTo("rediss://cache:6379/1");
    }

    @Test
    void refusesRedisBatchSizeZero() {
        assertThat(problems("redis.batch-size", "0"))
                .containsExactly("redis.batch-size: must be at least 1, got 0");
    }

    @Test
    void refusesRedisBufferedWritesBelowTheBatchSize() {
        assertThat(problems("redis.max-buffered-writes", "499"))
                .containsExactly("redis.max-buffered-writes: must be at least redis.batch-size");
    }

    @Test
    void reportsSeveralProblemsTogetherInOneException() {
        ConfigException e =
                catchThrowableOfType(
                        ConfigException.class,
                        () ->
                                load(
                                        "job.parallelism", "0",
                                        "inference.batch-size", "0",
                                        "inference.threads", "0",
                                        "redis.batch-size", "0"));

        assertThat(e.problems())
                .containsExactly(
                        "job.parallelism: must be -1 or at least 1, got 0",
                        "inference.batch-size: must be at least 1, got 0",
                        "inference.threads: must be at least 1, got 0",
                        "redis.batch-size: must be at least 1, got 0");
        assertThat(e)
                .hasMessage(
                        "invalid configuration:\n"
                                + "  - job.parallelism: must be -1 or at least 1, got 0\n"
                                + "  - inference.batch-size: must be at least 1, got 0\n"
                                + "  - inference.threads: must be at least 1, got 0\n"
                                + "  - redis.batch-size: must be at least 1, got 0");
    }

    @Test
    void reportsAModelProblemTogetherWithOptionProblems() {
        assertThat(problems("inference.threads", "0", "model.version", "9"))
                .containsExactly(
                        "inference.threads: must be at least 1, got 0",
                        MODEL
                                + ": no model at "
                                + Repository.modelArtifacts().resolve("fraud").resolve("9")
                                + ": metadata.json is missing");
    }

    @Test
    void reportsASingleProblemOnOneLine() {
        assertThatThrownBy(() -> load("inference.threads", "0"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("invalid configuration: inference.threads: must be at least 1, got 0");
    }

    // ---- the model ----

    @Test
    void refusesAModelVersionThatDoesNotExist() {
        assertThat(problems("model.version", "9"))
                .containsExactly(
                        MODEL
                                + ": no model at "
                                + Repository.modelArtifacts().resolve("fraud").resolve("9")
                                + ": metadata.json is missing");
    }

    @Test
    void refusesAModelNameThatDoesNotExist() {
        assertThat(problems("model.name", "churn"))
                .containsExactly(
                        MODEL
                                + ": no model at "
                                + Repository.modelArtifacts().resolve("churn").resolve("4")
                                + ": metadata.json is missing");
    }

    @Test
    void refusesAModelVersionThatIsNotAPlainName() {
        assertThat(problems("model.version", "../fraud/4"))
                .containsExactly(
                        MODEL
                                + ": model version \"../fraud/4\" is not a plain name (1 to 128"
                                + " letters, digits, '.', '_' or '-', starting with a letter or"
                                + " digit, without \"..\")");
    }

    @Test
    void refusesACopyOfAnotherVersionsArtifact() throws IOException {
        Path repository = variant("97", metadata -> metadata.put("version", "4"));

        assertThat(modelProblems(repository, "97"))
                .containsExactly(
                        MODEL
                                + ": "
                                + repository.resolve("fraud/97/metadata.json")
                                + " describes model \"fraud\" version \"4\", not fraud/97: the"
                                + " directory holds another artifact");
    }

    @Test
    void loadsAVariantArtifactFromAnotherRepository() throws IOException {
        Path repository = variant("4", metadata -> {});

        RtmlConfig config =
                RtmlConfig.load(
                        null,
                        Map.of("model.repository", repository.toString(), "model.version", "4"));

        assertThat(config.model().version()).isEqualTo("4");
        assertThat(config.model().directory()).isEqualTo(repository.resolve("fraud").resolve("4"));
    }

    @Test
    void refusesAModelThatLacksAFeature() throws IOException {
        Path repository = variant("4", metadata -> remove(inputs(metadata), "hour_cos"));

        assertThat(modelProblems(repository, "4"))
                .containsExactly(
                        MODEL
                                + ": model fraud/4 does not match feature set fraud-v3: it does not"
                                + " take [hour_cos]");
    }

    @Test
    void refusesAModelThatNeedsAnInputTheFeaturesLack() throws IOException {
        Path repository = variant("5", metadata -> inputs(metadata).add("merchant_risk"));

        assertThat(modelProblems(repository, "5"))
                .containsExactly(
                        MODEL
                                + ": model fraud/5 does not match feature set fraud-v3: it needs"
                                + " [merchant_risk], which the features lack");
    }

    @Test
    void refusesAModelWhoseInputsAreInAnotherOrder() throws IOException {
        Path repository =
                variant(
                        "7",
                        metadata -> {
                            ArrayNode inputs = inputs(metadata);
                            inputs.set(0, "channel_pos");
                            inputs.set(1, "amount_log1p");
                        });

        assertThat(modelProblems(repository, "7"))
                .containsExactly(
                        MODEL
                                + ": model fraud/7 does not match feature set fraud-v3: inputs are"
                                + " in another order: position 0 is channel_pos in the model and"
                                + " amount_log1p in the features");
    }

    private static List<String> modelProblems(Path repository, String version) {
        return catchThrowableOfType(
                        ConfigException.class,
                        () ->
                                RtmlConfig.load(
                                        null,
                                        Map.of(
                                                "model.repository",
                                                repository.toString(),
                                                "model.version",
                                                version)))
                .problems();
    }

    private static ArrayNode inputs(ObjectNode metadata) {
        return (ArrayNode) metadata.get("inputs");
    }

    private static void remove(ArrayNode inputs, String input) {
        for (int i = 0; i < inputs.size(); i++) {
            if (inputs.get(i).asText().equals(input)) {
                inputs.remove(i);
                return;
            }
        }
        throw new IllegalArgumentException("no input " + input);
    }

    /**
     * A copy of the shipped fraud/4 artifact as {@code fraud/<version>} in a repository under the
     * temporary directory, its metadata changed by {@code edit}.
     */
    private Path variant(String version, Consumer<ObjectNode> edit) throws IOException {
        Path shipped = Repository.modelArtifacts().resolve("fraud").resolve("4");
        Path repository = dir.resolve("models");
        Path target = repository.resolve("fraud").resolve(version);
        Files.createDirectories(target);
        try (Stream<Path> files = Files.list(shipped)) {
            for (Path file : files.toList()) {
                Files.copy(file, target.resolve(file.getFileName()));
            }
        }
        ObjectNode metadata = (ObjectNode) JSON.readTree(target.resolve("metadata.json").toFile());
        metadata.put("version", version);
        edit.accept(metadata);
        JSON.writeValue(target.resolve("metadata.json").toFile(), metadata);
        return repository;
    }

    // ---- describe ----

    @Test
    void refusesAPasswordInTheRedisUriWithoutShowingIt() {
        // A password belongs in redis.password, as env: or file: (ConnectionSecurityTest).
        assertThat(problems("redis.uri", "redis://user:secret@cache:6379"))
                .singleElement()
                .asString()
                .startsWith("redis.uri: holds a password")
                .doesNotContain("secret");
    }

    @Test
    void describeHidesTheRedisUser() {
        String description = load("redis.uri", "redis://user@cache:6379").describe();

        assertThat(description).contains("\n  redis.uri: redis://***@cache:6379");
    }

    @Test
    void describeListsEveryOptionOncePerLineWithTheValuesSet() {
        String description =
                load("job.name", "fraud-scoring", "checkpoints.interval", "30 s").describe();

        assertThat(description).startsWith("\n  job.name: fraud-scoring\n");
        for (ConfigOption<?> option : RtmlOptions.ALL) {
            assertThat(description).contains("\n  " + option.key() + ": ");
        }
        assertThat(description.lines().filter(line -> !line.isEmpty()))
                .hasSize(RtmlOptions.ALL.size());
        assertThat(description)
                .contains("\n  checkpoints.interval: 30 s")
                .contains("\n  checkpoints.directory: (unset)")
                .contains("\n  model.repository: " + shippedRepository());
    }

    @Test
    void describeShowsTheEffectiveValueOfOptionsLeftAtTheirDefault() {
        String description = load().describe();

        assertThat(description)
                .contains("\n  job.name: rtml")
                .contains("\n  checkpoints.interval: 5 s")
                .contains("\n  kafka.starting-offsets: EARLIEST")
                .contains("\n  inference.batch-size: 256")
                .contains("\n  redis.uri: redis://127.0.0.1:6380")
                .contains("\n  checkpoints.directory: (unset)");
    }
}
