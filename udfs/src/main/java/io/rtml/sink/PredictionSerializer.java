package io.rtml.sink;

import io.rtml.inference.Prediction;
import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes predictions to the predictions topic, keyed by card so a card's predictions stay in order.
 */
public class PredictionSerializer implements KafkaRecordSerializationSchema<Prediction> {
    private static final long serialVersionUID = 1L;

    private final String topic;

    public PredictionSerializer(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
            Prediction prediction, KafkaSinkContext context, Long timestamp) {
        // The event's own time, not the stream's: a feature stage may emit from a timer.
        return new ProducerRecord<>(
                topic,
                null,
                prediction.eventTimeMs,
                prediction.cardId.getBytes(StandardCharsets.UTF_8),
                PredictionJson.write(prediction));
    }
}
