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

    /**
     * The event time for watermarks: the event's own. A dead letter has none and must not move the
     * watermark (its Kafka timestamp, when producers' event times lag it, would make the valid
     * events after it late and change their features), so it gets the smallest time; {@link
     * EventTimeWatermarks} does not count it as activity either.
     */
    public long timestampMs() {
        return event != null ? event.eventTimeMs : Long.MIN_VALUE;
    }
}
