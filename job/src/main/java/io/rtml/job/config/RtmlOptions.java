package io.rtml.job.config;

import static org.apache.flink.configuration.ConfigOptions.key;

import io.rtml.event.EventDeserializer;
import io.rtml.inference.InferenceDevice;
import java.time.Duration;
import java.util.List;
import org.apache.flink.configuration.ConfigOption;

/**
 * Every option of the job, typed, with its default and description. docs/configuration.md's table
 * lists the same keys (a test keeps them in step).
 */
public final class RtmlOptions {
    /** Where the job reads events from when its consumer group has no committed offsets yet. */
    public enum StartingOffsets {
        EARLIEST,
        LATEST
    }

    public static final ConfigOption<String> JOB_NAME =
            key("job.name").stringType().defaultValue("rtml").withDescription("Flink job name.");

    public static final ConfigOption<Integer> PARALLELISM =
            key("job.parallelism")
                    .intType()
                    .defaultValue(-1)
                    .withDescription(
                            "Parallelism of every operator; -1 takes the cluster's default.");

    public static final ConfigOption<Integer> MAX_PARALLELISM =
            key("job.max-parallelism")
                    .intType()
                    .defaultValue(128)
                    .withDescription(
                            "Upper bound for rescaling keyed state; fixed for the life of the"
                                    + " state.");

    public static final ConfigOption<Duration> BUFFER_TIMEOUT =
            key("job.buffer-timeout")
                    .durationType()
                    .defaultValue(Duration.ofMillis(5))
                    .withDescription(
                            "Longest time a record waits in a network buffer before it is sent"
                                    + " on: lower is lower latency, higher is more throughput.");

    public static final ConfigOption<Duration> CHECKPOINT_INTERVAL =
            key("checkpoints.interval")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(5))
                    .withDescription(
                            "Exactly-once checkpoint interval: predictions become visible to"
                                    + " read_committed consumers when a checkpoint completes.");

    public static final ConfigOption<String> CHECKPOINT_DIRECTORY =
            key("checkpoints.directory")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Durable URI for checkpoints (file://, s3://, ...); unset takes the"
                                    + " cluster's execution.checkpointing.dir.");

    public static final ConfigOption<Duration> CHECKPOINT_TIMEOUT =
            key("checkpoints.timeout")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(2))
                    .withDescription("A checkpoint that takes longer is abandoned.");

    public static final ConfigOption<Integer> CHECKPOINT_TOLERABLE_FAILURES =
            key("checkpoints.tolerable-failures")
                    .intType()
                    .defaultValue(3)
                    .withDescription(
                            "Consecutive failed checkpoints tolerated before the job restarts.");

    public static final ConfigOption<String> KAFKA_BOOTSTRAP_SERVERS =
            key("kafka.bootstrap-servers")
                    .stringType()
                    .defaultValue("127.0.0.1:9092")
                    .withDescription("Kafka brokers, host:port[,host:port...].");

    public static final ConfigOption<KafkaSecurityProtocol> KAFKA_SECURITY_PROTOCOL =
            key("kafka.security.protocol")
                    .enumType(KafkaSecurityProtocol.class)
                    .defaultValue(KafkaSecurityProtocol.PLAINTEXT)
                    .withDescription(
                            "How the job reaches Kafka: PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL.");

    public static final ConfigOption<String> KAFKA_SASL_MECHANISM =
            key("kafka.sasl.mechanism")
                    .stringType()
                    .defaultValue("SCRAM-SHA-512")
                    .withDescription(
                            "SASL mechanism for the SASL_* protocols: SCRAM-SHA-512, SCRAM-SHA-256"
                                    + " or PLAIN.");

    public static final ConfigOption<String> KAFKA_SASL_USERNAME =
            key("kafka.sasl.username")
                    .stringType()
                    .defaultValue("")
                    .withDescription(
                            "SASL user: the name, env:VARIABLE or file:/path (read at start).");

    public static final ConfigOption<String> KAFKA_SASL_PASSWORD =
            key("kafka.sasl.password")
                    .stringType()
                    .defaultValue("")
                    .withDescription(
                            "SASL password, as env:VARIABLE or file:/path (read at start; never"
                                    + " the password itself).");

    public static final ConfigOption<String> KAFKA_SSL_TRUSTSTORE_LOCATION =
            key("kafka.ssl.truststore.location")
                    .stringType()
                    .defaultValue("")
                    .withDescription(
                            "Trust store (PKCS12 or JKS file) with the brokers' CA for SSL and"
                                    + " SASL_SSL; empty trusts the JVM's CAs.");

    public static final ConfigOption<String> KAFKA_SSL_TRUSTSTORE_PASSWORD =
            key("kafka.ssl.truststore.password")
                    .stringType()
                    .defaultValue("")
                    .withDescription(
                            "The trust store's password, as env:VARIABLE or file:/path; empty for"
                                    + " none.");

    public static final ConfigOption<String> KAFKA_SSL_TRUSTSTORE_TYPE =
            key("kafka.ssl.truststore.type")
                    .stringType()
                    .defaultValue("PKCS12")
                    .withDescription("The trust store's format: PKCS12 or JKS.");

    public static final ConfigOption<String> KAFKA_GROUP_ID =
            key("kafka.group-id")
                    .stringType()
                    .defaultValue("rtml")
                    .withDescription("Consumer group; offsets are committed on checkpoints.");

    public static final ConfigOption<StartingOffsets> KAFKA_STARTING_OFFSETS =
            key("kafka.starting-offsets")
                    .enumType(StartingOffsets.class)
                    .defaultValue(StartingOffsets.EARLIEST)
                    .withDescription(
                            "Where to start when the group has no committed offsets: EARLIEST or"
                                    + " LATEST.");

    public static final ConfigOption<String> EVENTS_TOPIC =
            key("kafka.topics.events")
                    .stringType()
                    .defaultValue("events")
                    .withDescription("Topic the events are read from.");

    public static final ConfigOption<String> PREDICTIONS_TOPIC =
            key("kafka.topics.predictions")
                    .stringType()
                    .defaultValue("predictions")
                    .withDescription("Topic predictions are written to, exactly once.");

    public static final ConfigOption<String> DEAD_LETTER_TOPIC =
            key("kafka.topics.dead-letters")
                    .stringType()
                    .defaultValue("events-dlq")
                    .withDescription(
                            "Topic for records the job cannot use, with the reason, exactly once.");

    public static final ConfigOption<String> MODEL_CONTROL_TOPIC =
            key("kafka.topics.model-control")
                    .stringType()
                    .defaultValue("model-control")
                    .withDescription(
                            "Topic that says which model version is active (hot swap); read from"
                                    + " its beginning at a fresh start.");

    public static final ConfigOption<String> SHADOW_PREDICTIONS_TOPIC =
            key("kafka.topics.shadow-predictions")
                    .stringType()
                    .defaultValue("predictions-shadow")
                    .withDescription(
                            "Topic for the challenger's predictions when a shadow version is"
                                    + " active, exactly once.");

    public static final ConfigOption<String> LABELS_TOPIC =
            key("kafka.topics.labels")
                    .stringType()
                    .defaultValue("")
                    .withDescription(
                            "Topic of the events' labels (ground truth, arriving later), joined with"
                                    + " the predictions for the live evaluation; empty (the"
                                    + " default) turns the evaluation off. The topic must exist.");

    public static final ConfigOption<String> EVALUATION_TOPIC =
            key("kafka.topics.evaluation")
                    .stringType()
                    .defaultValue("evaluation")
                    .withDescription("Topic of the live evaluation, one record per window.");

    public static final ConfigOption<String> KAFKA_TRANSACTIONAL_ID_PREFIX =
            key("kafka.transactional-id-prefix")
                    .stringType()
                    .defaultValue("rtml")
                    .withDescription(
                            "Prefix of the sinks' transactional ids; unique per job on a cluster.");

    public static final ConfigOption<Duration> KAFKA_TRANSACTION_TIMEOUT =
            key("kafka.transaction-timeout")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(10))
                    .withDescription(
                            "Producer transaction timeout; at most"
                                    + " kafka.transaction-max-timeout and well above the"
                                    + " checkpoint interval.");

    public static final ConfigOption<Duration> KAFKA_TRANSACTION_MAX_TIMEOUT =
            key("kafka.transaction-max-timeout")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(15))
                    .withDescription(
                            "The brokers' transaction.max.timeout.ms (Kafka's default: 15 min):"
                                    + " a broker refuses a producer whose transaction timeout"
                                    + " exceeds it, so kafka.transaction-timeout may not. Raise"
                                    + " it only with the brokers' own setting.");

    public static final ConfigOption<Duration> WATERMARK_OUT_OF_ORDERNESS =
            key("watermarks.out-of-orderness")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(5))
                    .withDescription("How far event time may go back within a partition.");

    public static final ConfigOption<Duration> WATERMARK_MAX_FUTURE =
            key("watermarks.max-future")
                    .durationType()
                    .defaultValue(EventDeserializer.DEFAULT_MAX_FUTURE)
                    .withDescription(
                            "How far an event's time may be ahead of its record's arrival (its"
                                    + " Kafka timestamp, or the job's clock when that is earlier);"
                                    + " a later event goes to the dead-letter topic, so it never"
                                    + " moves the watermark or the card's newest prediction.");

    public static final ConfigOption<Duration> WATERMARK_IDLENESS =
            key("watermarks.idleness")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(30))
                    .withDescription("A partition silent this long stops holding watermarks back.");

    public static final ConfigOption<Duration> WATERMARK_INTERVAL =
            key("watermarks.interval")
                    .durationType()
                    .defaultValue(Duration.ofMillis(50))
                    .withDescription(
                            "How often watermarks advance: entities read from many partitions are"
                                    + " scored once the watermark passes their windows.");

    public static final ConfigOption<String> FEATURE_SPEC =
            key("features.spec")
                    .stringType()
                    .defaultValue("classpath:feature-specs/fraud.yaml")
                    .withDescription(
                            "The feature spec: a YAML file path, or classpath:<resource> for one in"
                                    + " the job's jar.");

    public static final ConfigOption<Duration> FEATURE_MAX_WAIT =
            key("features.max-wait")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(2))
                    .withDescription(
                            "When neither the watermark moved nor an event arrived for this long"
                                    + " (a quiet input), events waiting for the watermark to pass"
                                    + " the windows of an entity read from many partitions are"
                                    + " scored with the events at hand.");

    public static final ConfigOption<Duration> FEATURE_STATE_TTL =
            key("features.state-ttl")
                    .durationType()
                    .defaultValue(Duration.ofDays(7))
                    .withDescription(
                            "An entity whose state was not written for this long (processing"
                                    + " time) starts afresh, and RocksDB's compaction drops its"
                                    + " state. At least each entity's lifetime (its longest window,"
                                    + " bucket and settle); what it adds to that is how long the"
                                    + " job may be down or behind and still compute every feature"
                                    + " exactly on catching up.");

    public static final ConfigOption<Integer> FEATURE_STATE_CACHE_ENTRIES =
            key("features.state-cache-entries")
                    .intType()
                    .defaultValue(10_000)
                    .withDescription(
                            "Entities per feature stage and subtask kept decoded between their"
                                    + " events and written to RocksDB when evicted and before each"
                                    + " checkpoint, instead of a read and a write per event; 0"
                                    + " reads and writes each event's entity.");

    public static final ConfigOption<String> FEATURE_LOG_TOPIC =
            key("features.log-topic")
                    .stringType()
                    .defaultValue("")
                    .withDescription(
                            "When set, every served feature vector also goes to this topic (exactly"
                                    + " once), so training data can be taken as served.");

    public static final ConfigOption<String> MODEL_REPOSITORY =
            key("model.repository")
                    .stringType()
                    .defaultValue("model-artifacts")
                    .withDescription(
                            "Directory of model artifacts, <repository>/<name>/<version>/, as the"
                                    + " task managers see it.");

    public static final ConfigOption<String> MODEL_NAME =
            key("model.name").stringType().defaultValue("fraud").withDescription("Model to serve.");

    public static final ConfigOption<String> MODEL_VERSION =
            key("model.version")
                    .stringType()
                    .defaultValue("4")
                    .withDescription("Version of the model to serve.");

    public static final ConfigOption<String> MODEL_SHADOW_VERSION =
            key("model.shadow-version")
                    .stringType()
                    .defaultValue("")
                    .withDescription(
                            "A challenger version of the model, scored alongside the active one;"
                                    + " empty for none.");

    public static final ConfigOption<InferenceDevice> INFERENCE_DEVICE =
            key("inference.device")
                    .enumType(InferenceDevice.class)
                    .defaultValue(InferenceDevice.AUTO)
                    .withDescription(
                            "AUTO uses a GPU when DJL finds one, else the CPU; CPU and GPU force it"
                                    + " (GPU without one fails at start).");

    public static final ConfigOption<Integer> INFERENCE_BATCH_SIZE =
            key("inference.batch-size")
                    .intType()
                    .defaultValue(256)
                    .withDescription(
                            "Rows per inference batch at most: a batch is scored when full or when its"
                                    + " first row has waited inference.batch-delay.");

    public static final ConfigOption<Duration> INFERENCE_BATCH_DELAY =
            key("inference.batch-delay")
                    .durationType()
                    .defaultValue(Duration.ofMillis(5))
                    .withDescription("Longest time a row waits for its batch to fill.");

    public static final ConfigOption<Integer> INFERENCE_THREADS =
            key("inference.threads")
                    .intType()
                    .defaultValue(1)
                    .withDescription("Inference threads per subtask, each with its own predictor.");

    public static final ConfigOption<Integer> INFERENCE_CAPACITY =
            key("inference.capacity")
                    .intType()
                    .defaultValue(1024)
                    .withDescription(
                            "Rows in flight per subtask; beyond it the stage backpressures.");

    public static final ConfigOption<Duration> INFERENCE_TIMEOUT =
            key("inference.timeout")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(5))
                    .withDescription("A row not scored by then gets the fallback score.");

    public static final ConfigOption<Float> INFERENCE_FALLBACK_SCORE =
            key("inference.fallback-score")
                    .floatType()
                    .defaultValue(0f)
                    .withDescription(
                            "Score of a row the model could not score (flagged with the reason).");

    public static final ConfigOption<String> INFERENCE_FALLBACK_DECISION =
            key("inference.fallback-decision")
                    .stringType()
                    .defaultValue("flag")
                    .withDescription(
                            "Decision on a row the model could not score (a timeout, a model"
                                    + " error, a version that cannot be loaded), whatever its"
                                    + " fallback score: flag (held for review) or pass.");

    public static final ConfigOption<Duration> EVALUATION_WINDOW =
            key("evaluation.window")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(10))
                    .withDescription(
                            "Length of the sliding window (processing time) of labelled predictions"
                                    + " the live precision, recall and PR-AUC are computed over.");

    public static final ConfigOption<Duration> EVALUATION_SLIDE =
            key("evaluation.slide")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(1))
                    .withDescription("How often the live evaluation is computed and written.");

    public static final ConfigOption<Duration> EVALUATION_JOIN_TTL =
            key("evaluation.join-ttl")
                    .durationType()
                    .defaultValue(Duration.ofHours(1))
                    .withDescription(
                            "How long a prediction waits for its label (or a label for its"
                                    + " prediction) before it leaves the join.");

    public static final ConfigOption<String> REDIS_URI =
            key("redis.uri")
                    .stringType()
                    .defaultValue("redis://127.0.0.1:6380")
                    .withDescription("redis://host:port[/database] (rediss:// for TLS).");

    public static final ConfigOption<String> REDIS_USERNAME =
            key("redis.username")
                    .stringType()
                    .defaultValue("")
                    .withDescription(
                            "Redis ACL user: the name, env:VARIABLE or file:/path; empty for the"
                                    + " default user.");

    public static final ConfigOption<String> REDIS_PASSWORD =
            key("redis.password")
                    .stringType()
                    .defaultValue("")
                    .withDescription(
                            "Redis AUTH password, as env:VARIABLE or file:/path (read at start;"
                                    + " never the password itself); empty for no AUTH.");

    public static final ConfigOption<String> REDIS_TRUSTSTORE_LOCATION =
            key("redis.truststore.location")
                    .stringType()
                    .defaultValue("")
                    .withDescription(
                            "Trust store (PKCS12 or JKS file) with Redis's CA for rediss://; empty"
                                    + " trusts the JVM's CAs.");

    public static final ConfigOption<String> REDIS_TRUSTSTORE_PASSWORD =
            key("redis.truststore.password")
                    .stringType()
                    .defaultValue("")
                    .withDescription(
                            "The trust store's password, as env:VARIABLE or file:/path; empty for"
                                    + " none.");

    public static final ConfigOption<String> REDIS_TRUSTSTORE_TYPE =
            key("redis.truststore.type")
                    .stringType()
                    .defaultValue("PKCS12")
                    .withDescription("The trust store's format: PKCS12 or JKS.");

    public static final ConfigOption<String> REDIS_KEY_PREFIX =
            key("redis.key-prefix")
                    .stringType()
                    .defaultValue("rtml:")
                    .withDescription("Prefix of every key the job writes.");

    public static final ConfigOption<Duration> REDIS_TTL =
            key("redis.ttl")
                    .durationType()
                    .defaultValue(Duration.ofDays(7))
                    .withDescription(
                            "A card's entry expires this long after its last write; 0 keeps it.");

    public static final ConfigOption<Integer> REDIS_BATCH_SIZE =
            key("redis.batch-size")
                    .intType()
                    .defaultValue(500)
                    .withDescription("Writes pipelined in one round trip at most.");

    public static final ConfigOption<Duration> REDIS_BATCH_DELAY =
            key("redis.batch-delay")
                    .durationType()
                    .defaultValue(Duration.ofMillis(5))
                    .withDescription("How long a write may wait for its batch to fill.");

    public static final ConfigOption<Integer> REDIS_MAX_BUFFERED_WRITES =
            key("redis.max-buffered-writes")
                    .intType()
                    .defaultValue(10_000)
                    .withDescription(
                            "Writes buffered per subtask (while Redis is slow or down) before the"
                                    + " job backpressures.");

    /** All options, in the order docs/configuration.md lists them. */
    public static final List<ConfigOption<?>> ALL =
            List.of(
                    JOB_NAME,
                    PARALLELISM,
                    MAX_PARALLELISM,
                    BUFFER_TIMEOUT,
                    CHECKPOINT_INTERVAL,
                    CHECKPOINT_DIRECTORY,
                    CHECKPOINT_TIMEOUT,
                    CHECKPOINT_TOLERABLE_FAILURES,
                    KAFKA_BOOTSTRAP_SERVERS,
                    KAFKA_SECURITY_PROTOCOL,
                    KAFKA_SASL_MECHANISM,
                    KAFKA_SASL_USERNAME,
                    KAFKA_SASL_PASSWORD,
                    KAFKA_SSL_TRUSTSTORE_LOCATION,
                    KAFKA_SSL_TRUSTSTORE_PASSWORD,
                    KAFKA_SSL_TRUSTSTORE_TYPE,
                    KAFKA_GROUP_ID,
                    KAFKA_STARTING_OFFSETS,
                    EVENTS_TOPIC,
                    PREDICTIONS_TOPIC,
                    DEAD_LETTER_TOPIC,
                    MODEL_CONTROL_TOPIC,
                    SHADOW_PREDICTIONS_TOPIC,
                    LABELS_TOPIC,
                    EVALUATION_TOPIC,
                    KAFKA_TRANSACTIONAL_ID_PREFIX,
                    KAFKA_TRANSACTION_TIMEOUT,
                    KAFKA_TRANSACTION_MAX_TIMEOUT,
                    WATERMARK_OUT_OF_ORDERNESS,
                    WATERMARK_MAX_FUTURE,
                    WATERMARK_IDLENESS,
                    WATERMARK_INTERVAL,
                    FEATURE_SPEC,
                    FEATURE_MAX_WAIT,
                    FEATURE_STATE_TTL,
                    FEATURE_STATE_CACHE_ENTRIES,
                    FEATURE_LOG_TOPIC,
                    MODEL_REPOSITORY,
                    MODEL_NAME,
                    MODEL_VERSION,
                    MODEL_SHADOW_VERSION,
                    INFERENCE_DEVICE,
                    INFERENCE_BATCH_SIZE,
                    INFERENCE_BATCH_DELAY,
                    INFERENCE_THREADS,
                    INFERENCE_CAPACITY,
                    INFERENCE_TIMEOUT,
                    INFERENCE_FALLBACK_SCORE,
                    INFERENCE_FALLBACK_DECISION,
                    EVALUATION_WINDOW,
                    EVALUATION_SLIDE,
                    EVALUATION_JOIN_TTL,
                    REDIS_URI,
                    REDIS_USERNAME,
                    REDIS_PASSWORD,
                    REDIS_TRUSTSTORE_LOCATION,
                    REDIS_TRUSTSTORE_PASSWORD,
                    REDIS_TRUSTSTORE_TYPE,
                    REDIS_KEY_PREFIX,
                    REDIS_TTL,
                    REDIS_BATCH_SIZE,
                    REDIS_BATCH_DELAY,
                    REDIS_MAX_BUFFERED_WRITES);

    private RtmlOptions() {}
}
