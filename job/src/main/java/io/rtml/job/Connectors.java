package io.rtml.job;

import static io.rtml.job.config.RtmlOptions.*;

import io.rtml.dlq.DeadLetter;
import io.rtml.dlq.DeadLetterSerializer;
import io.rtml.event.DecodedRecord;
import io.rtml.event.EventDeserializer;
import io.rtml.features.FeatureVector;
import io.rtml.inference.Prediction;
import io.rtml.job.config.RtmlConfig;
import io.rtml.sink.FeatureVectorJson;
import io.rtml.sink.PredictionSerializer;
import io.rtml.sink.RedisSink;
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

    /** The events topic; records are decoded in the source (see {@link EventDeserializer}). */
    public static KafkaSource<DecodedRecord> events(RtmlConfig config) {
        return events(config, new EventDeserializer());
    }

    /** The events topic, decoded by {@code deserializer}: for tests that inject faults. */
    public static KafkaSource<DecodedRecord> events(
            RtmlConfig config, KafkaRecordDeserializationSchema<DecodedRecord> deserializer) {
        OffsetResetStrategy reset =
                config.get(KAFKA_STARTING_OFFSETS) == StartingOffsets.LATEST
                        ? OffsetResetStrategy.LATEST
                        : OffsetResetStrategy.EARLIEST;
        return KafkaSource.<DecodedRecord>builder()
                .setBootstrapServers(config.get(KAFKA_BOOTSTRAP_SERVERS))
                .setTopics(config.get(EVENTS_TOPIC))
                .setGroupId(config.get(KAFKA_GROUP_ID))
                .setStartingOffsets(OffsetsInitializer.committedOffsets(reset))
                .setDeserializer(deserializer)
                .setProperty("isolation.level", "read_committed")
                .setProperty("client.id.prefix", config.get(KAFKA_GROUP_ID) + "-events")
                .build();
    }

    /** The predictions topic, written in transactions committed on checkpoints. */
    public static KafkaSink<Prediction> predictions(RtmlConfig config) {
        return exactlyOnce(
                config, "predictions", new PredictionSerializer(config.get(PREDICTIONS_TOPIC)));
    }

    /** The dead-letter topic, also exactly once: a replay never repeats a dead letter. */
    public static KafkaSink<DeadLetter> deadLetters(RtmlConfig config) {
        return exactlyOnce(
                config, "dead-letters", new DeadLetterSerializer(config.get(DEAD_LETTER_TOPIC)));
    }

    /** Each card's latest prediction and features in Redis. */
    public static RedisSink latestPredictions(RtmlConfig config) {
        return new RedisSink(config.redis(), config.spec().columns());
    }

    /** The feature log, exactly once, or {@code null} when {@code features.log-topic} is unset. */
    public static KafkaSink<FeatureVector> featureLog(RtmlConfig config) {
        String topic = config.get(FEATURE_LOG_TOPIC);
        return topic.isEmpty()
                ? null
                : exactlyOnce(
                        config,
                        "feature-log",
                        new FeatureVectorJson(topic, config.spec().columns()));
    }

    private static <T> KafkaSink<T> exactlyOnce(
            RtmlConfig config, String name, KafkaRecordSerializationSchema<T> serializer) {
        return KafkaSink.<T>builder()
                .setBootstrapServers(config.get(KAFKA_BOOTSTRAP_SERVERS))
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(config.get(KAFKA_TRANSACTIONAL_ID_PREFIX) + "-" + name)
                .setProperty(
                        "transaction.timeout.ms",
                        Long.toString(config.get(KAFKA_TRANSACTION_TIMEOUT).toMillis()))
                .setProperty("linger.ms", "2")
                .setRecordSerializer(serializer)
                .build();
    }
}
