package io.rtml.job;

import static io.rtml.job.config.RtmlOptions.*;

import io.rtml.dlq.DeadLetter;
import io.rtml.dlq.DeadLetterSerializer;
import io.rtml.evaluation.EvaluationInputs;
import io.rtml.evaluation.EvaluationRecord;
import io.rtml.evaluation.ScoredLabel;
import io.rtml.event.DecodedRecord;
import io.rtml.event.EventDeserializer;
import io.rtml.features.FeatureVector;
import io.rtml.inference.ModelControl;
import io.rtml.inference.Prediction;
import io.rtml.job.config.KafkaClients;
import io.rtml.job.config.RtmlConfig;
import io.rtml.sink.AbortTolerantKafkaSink;
import io.rtml.sink.FeatureVectorJson;
import io.rtml.sink.PredictionSerializer;
import io.rtml.sink.RedisSink;
import io.rtml.sink.ShadowPredictionSerializer;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/** The production sources and sinks, built from the configuration. */
public final class Connectors {
    private Connectors() {}

    /**
     * The events topic; records are decoded in the source (see {@link EventDeserializer}), events
     * more than watermarks.max-future ahead of their arrival refused there.
     */
    public static KafkaSource<DecodedRecord> events(RtmlConfig config) {
        return events(config, new EventDeserializer(config.get(WATERMARK_MAX_FUTURE)));
    }

    /** The events topic, decoded by {@code deserializer}: for tests that inject faults. */
    public static KafkaSource<DecodedRecord> events(
            RtmlConfig config, KafkaRecordDeserializationSchema<DecodedRecord> deserializer) {
        OffsetResetStrategy reset =
                config.get(KAFKA_STARTING_OFFSETS) == StartingOffsets.LATEST
                        ? OffsetResetStrategy.LATEST
                        : OffsetResetStrategy.EARLIEST;
        return committed(
                config,
                config.get(KAFKA_GROUP_ID),
                "events",
                OffsetsInitializer.committedOffsets(reset),
                deserializer,
                config.get(EVENTS_TOPIC));
    }

    /** The predictions topic, written in transactions committed on checkpoints. */
    public static AbortTolerantKafkaSink<Prediction> predictions(RtmlConfig config) {
        return exactlyOnce(
                config, "predictions", new PredictionSerializer(config.get(PREDICTIONS_TOPIC)));
    }

    /** The dead-letter topic, also exactly once: a replay never repeats a dead letter. */
    public static AbortTolerantKafkaSink<DeadLetter> deadLetters(RtmlConfig config) {
        return exactlyOnce(
                config, "dead-letters", new DeadLetterSerializer(config.get(DEAD_LETTER_TOPIC)));
    }

    /**
     * The model-control topic, from its beginning: at a fresh start the last record wins; on a
     * restore the choice and the offsets come from the checkpoint.
     */
    public static KafkaSource<ModelControl> modelControl(RtmlConfig config) {
        return committed(
                config,
                config.get(KAFKA_GROUP_ID) + "-model-control",
                "model-control",
                OffsetsInitializer.earliest(),
                new ModelControl.Deserializer(),
                config.get(MODEL_CONTROL_TOPIC));
    }

    /** The challenger's predictions, exactly once. */
    public static AbortTolerantKafkaSink<Prediction> shadowPredictions(RtmlConfig config) {
        return exactlyOnce(
                config,
                "shadow-predictions",
                new ShadowPredictionSerializer(config.get(SHADOW_PREDICTIONS_TOPIC)));
    }

    /**
     * The live evaluation's input: the committed predictions (read_committed: what downstream
     * consumers see) and the labels topic ({@code kafka.topics.labels}), from the evaluation's
     * committed offsets or the topics' beginning.
     */
    public static KafkaSource<ScoredLabel> evaluationInputs(RtmlConfig config) {
        return committed(
                config,
                config.get(KAFKA_GROUP_ID) + "-evaluation",
                "evaluation",
                OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST),
                new EvaluationInputs(config.get(PREDICTIONS_TOPIC)),
                config.get(PREDICTIONS_TOPIC),
                config.get(LABELS_TOPIC));
    }

    /** The live evaluation's records. */
    public static AbortTolerantKafkaSink<EvaluationRecord> evaluation(RtmlConfig config) {
        return exactlyOnce(
                config,
                "evaluation",
                new EvaluationRecord.Serializer(config.get(EVALUATION_TOPIC)));
    }

    /** Each card's latest prediction and features in Redis. */
    public static RedisSink latestPredictions(RtmlConfig config) {
        return new RedisSink(config.redis());
    }

    /** The feature log, exactly once, or {@code null} when {@code features.log-topic} is unset. */
    public static AbortTolerantKafkaSink<FeatureVector> featureLog(RtmlConfig config) {
        String topic = config.get(FEATURE_LOG_TOPIC);
        return topic.isEmpty()
                ? null
                : exactlyOnce(
                        config,
                        "feature-log",
                        new FeatureVectorJson(topic, config.spec().columns()));
    }

    /**
     * A source of {@code topics}' committed records (read_committed: what downstream consumers
     * see), its clients set up by {@link KafkaClients}; its consumers' ids start with the group id
     * and {@code name}.
     */
    private static <T> KafkaSource<T> committed(
            RtmlConfig config,
            String group,
            String name,
            OffsetsInitializer start,
            KafkaRecordDeserializationSchema<T> deserializer,
            String... topics) {
        String clientIdPrefix = config.get(KAFKA_GROUP_ID) + "-" + name;
        return KafkaSource.<T>builder()
                .setProperties(KafkaClients.committedConsumer(config, clientIdPrefix))
                .setProperty("client.id.prefix", clientIdPrefix)
                .setTopics(topics)
                .setGroupId(group)
                .setStartingOffsets(start)
                .setDeserializer(deserializer)
                .build();
    }

    /**
     * A Kafka sink written in transactions committed on checkpoints, its producers set up by {@link
     * KafkaClients}; see {@link AbortTolerantKafkaSink} for why it is wrapped.
     */
    private static <T> AbortTolerantKafkaSink<T> exactlyOnce(
            RtmlConfig config, String name, KafkaRecordSerializationSchema<T> serializer) {
        return new AbortTolerantKafkaSink<>(
                KafkaSink.<T>builder()
                        .setKafkaProducerConfig(KafkaClients.transactionalProducer(config))
                        .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                        .setTransactionalIdPrefix(
                                config.get(KAFKA_TRANSACTIONAL_ID_PREFIX) + "-" + name)
                        .setRecordSerializer(serializer)
                        .build());
    }
}
