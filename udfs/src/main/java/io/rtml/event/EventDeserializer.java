package io.rtml.event;

import io.rtml.dlq.DeadLetter;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Decodes Kafka records in the source, so that watermarks follow each partition's event time. It
 * never throws: a record that is not a valid event becomes a {@link DeadLetter} carrying the
 * reason, the raw bytes and the record's topic, partition and offset.
 */
public class EventDeserializer implements KafkaRecordDeserializationSchema<DecodedRecord> {
    private static final long serialVersionUID = 1L;

    /** The stage name dead letters from here carry. */
    public static final String STAGE = "parse";

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<DecodedRecord> out) {
        try {
            out.collect(DecodedRecord.valid(EventParser.parse(record.value(), record.timestamp())));
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

    @Override
    public TypeInformation<DecodedRecord> getProducedType() {
        return TypeInformation.of(DecodedRecord.class);
    }
}
