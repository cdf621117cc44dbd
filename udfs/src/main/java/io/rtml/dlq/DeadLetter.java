package io.rtml.dlq;

/**
 * A record the job could not use, with why and where it came from. Written to the dead-letter topic
 * by {@link DeadLetterSerializer}; nothing the job receives is dropped without one.
 */
public class DeadLetter {
    /** The stage that refused the record, e.g. {@code parse}. */
    public String stage;

    /** The offending field, or {@code null} when the record as a whole is unusable. */
    public String field;

    /** Human-readable reason, naming the field first when there is one. */
    public String reason;

    public String sourceTopic;
    public int sourcePartition;
    public long sourceOffset;

    /** The source record's Kafka timestamp. */
    public long sourceTimestampMs;

    /** The source record's key and value, byte for byte ({@code null} when absent). */
    public byte[] key;

    public byte[] value;

    public DeadLetter() {}

    public static DeadLetter of(
            String stage,
            String field,
            String reason,
            String topic,
            int partition,
            long offset,
            long timestampMs,
            byte[] key,
            byte[] value) {
        DeadLetter letter = new DeadLetter();
        letter.stage = stage;
        letter.field = field;
        letter.reason = reason;
        letter.sourceTopic = topic;
        letter.sourcePartition = partition;
        letter.sourceOffset = offset;
        letter.sourceTimestampMs = timestampMs;
        letter.key = key;
        letter.value = value;
        return letter;
    }
}
