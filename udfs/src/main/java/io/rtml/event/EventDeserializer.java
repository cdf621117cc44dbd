package io.rtml.event;

import io.rtml.dlq.DeadLetter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.flink.util.TimeUtils;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Decodes Kafka records in the source, so that watermarks follow each partition's event time. It
 * never throws: a record that is not a valid event becomes a {@link DeadLetter} carrying the
 * reason, the raw bytes and the record's topic, partition and offset.
 *
 * <p>An event whose time is more than {@code maxFuture} ahead of its record's arrival is a dead
 * letter too: one such event would otherwise move its partition's watermark (firing timers and
 * closing windows early) and, as the card's newest prediction, freeze its Redis entry. The arrival
 * is the record's Kafka timestamp, or the clock when that is earlier (a producer's clock ahead of
 * ours): a replay after a failure, reading a record whose timestamp is in the past, decides as the
 * first reading did.
 */
public class EventDeserializer implements KafkaRecordDeserializationSchema<DecodedRecord> {
    private static final long serialVersionUID = 1L;

    /** The stage name dead letters from here carry. */
    public static final String STAGE = "parse";

    /** The default of how far an event may be ahead of its arrival (watermarks.max-future). */
    public static final Duration DEFAULT_MAX_FUTURE = Duration.ofMinutes(5);

    private final Duration maxFuture;
    private final Clock clock;

    /** Refuses events more than {@code maxFuture} ahead of their arrival, by the system clock. */
    public EventDeserializer(Duration maxFuture) {
        this(maxFuture, Clock.systemUTC());
    }

    public EventDeserializer(Duration maxFuture, Clock clock) {
        this.maxFuture = maxFuture;
        this.clock = clock;
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<DecodedRecord> out) {
        try {
            TransactionEvent event = EventParser.parse(record.value(), record.timestamp());
            checkNotAheadOfArrival(event.eventTimeMs, record.timestamp());
            out.collect(DecodedRecord.valid(event));
        } catch (InvalidEventException e) {
            out.collect(
                    DecodedRecord.invalid(
                            DeadLetter.of(
                                    STAGE,
                                    e.field(),
                                    e.getMessage(),
                                    record.topic(),
                                    record.partition(),
                                    record.offset(),
                                    record.timestamp(),
                                    record.key(),
                                    record.value())));
        }
    }

    private void checkNotAheadOfArrival(long eventTimeMs, long kafkaTimestampMs)
            throws InvalidEventException {
        long now = clock.millis();
        // A record without a timestamp (-1, an old message format) arrives now.
        long arrivalMs = kafkaTimestampMs < 0 ? now : Math.min(kafkaTimestampMs, now);
        if (eventTimeMs - arrivalMs > maxFuture.toMillis()) {
            throw new InvalidEventException(
                    EventFields.EVENT_TIME,
                    Instant.ofEpochMilli(eventTimeMs)
                            + " is more than "
                            + TimeUtils.formatWithHighestUnit(maxFuture)
                            + " (watermarks.max-future) ahead of the record's arrival at "
                            + Instant.ofEpochMilli(arrivalMs));
        }
    }

    @Override
    public TypeInformation<DecodedRecord> getProducedType() {
        return TypeInformation.of(DecodedRecord.class);
    }
}
