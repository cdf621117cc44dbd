package io.rtml.sink;

import io.rtml.inference.Prediction;
import io.rtml.metrics.MetricNames;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes predictions to the predictions topic, keyed by card so a card's predictions stay in order,
 * and measures the latency to the topic's producer (the records become visible to {@code
 * read_committed} consumers when the checkpoint that covers them completes).
 */
public class PredictionSerializer implements KafkaRecordSerializationSchema<Prediction> {
    private static final long serialVersionUID = 1L;

    /** Latency samples each histogram keeps (its quantiles are over these). */
    private static final int LATENCY_SAMPLES = 10_000;

    private final String topic;

    private transient Histogram eventToKafka;
    private transient Histogram ingestToKafka;

    public PredictionSerializer(String topic) {
        this.topic = topic;
    }

    @Override
    public void open(
            SerializationSchema.InitializationContext context, KafkaSinkContext sinkContext) {
        if (eventToKafka != null) {
            return; // the exactly-once Kafka writer opens its serializer twice
        }
        MetricGroup group = context.getMetricGroup().addGroup(MetricNames.GROUP);
        eventToKafka =
                group.histogram(
                        MetricNames.LATENCY_EVENT_TO_KAFKA_MS,
                        new DescriptiveStatisticsHistogram(LATENCY_SAMPLES));
        ingestToKafka =
                group.histogram(
                        MetricNames.LATENCY_INGEST_TO_KAFKA_MS,
                        new DescriptiveStatisticsHistogram(LATENCY_SAMPLES));
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
            Prediction prediction, KafkaSinkContext context, Long timestamp) {
        if (eventToKafka != null) {
            long now = System.currentTimeMillis();
            eventToKafka.update(now - prediction.eventTimeMs);
            ingestToKafka.update(now - prediction.ingestTimeMs);
        }
        // The event's own time, not the stream's: a feature stage may emit from a timer.
        return new ProducerRecord<>(
                topic,
                null,
                prediction.eventTimeMs,
                prediction.cardId.getBytes(StandardCharsets.UTF_8),
                PredictionJson.writeOnce(prediction));
    }
}
