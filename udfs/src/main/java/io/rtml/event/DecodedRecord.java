package io.rtml.event;

import io.rtml.dlq.DeadLetter;

/**
 * What the Kafka source hands on for each record: exactly one of a valid {@link #event} or the
 * {@link #deadLetter} that says why the record is not one.
 */
public class DecodedRecord {
    public TransactionEvent event;
    public DeadLetter deadLetter;

    public DecodedRecord() {}

    public static DecodedRecord valid(TransactionEvent event) {
        DecodedRecord record = new DecodedRecord();
        record.event = event;
        return record;
    }

    public static DecodedRecord invalid(DeadLetter deadLetter) {
        DecodedRecord record = new DecodedRecord();
        record.deadLetter = deadLetter;
        return record;
    }

    /** The event time for watermarks: the event's own, else the Kafka record's timestamp. */
    public long timestampMs() {
        return event != null ? event.eventTimeMs : deadLetter.sourceTimestampMs;
    }
}
