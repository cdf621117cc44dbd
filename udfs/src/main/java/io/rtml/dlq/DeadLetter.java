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

    /**
     * The source record's key and value, byte for byte ({@code null} when absent), each cut to its
     * first {@link #MAX_RAW_BYTES} bytes: a dead letter must fit where the record came from.
     */
    public byte[] key;

    public byte[] value;

    /** The key's and the value's full sizes in bytes; -1 when absent. */
    public int keyBytes = -1;

    public int valueBytes = -1;

    /**
     * How much of a refused record's key and value a dead letter keeps. Records the parser can
     * accept are no larger ({@code EventParser.MAX_EVENT_BYTES}), so only a record refused for its
     * size is cut.
     */
    public static final int MAX_RAW_BYTES = 64 * 1024;

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
        letter.key = cut(key);
        letter.keyBytes = key == null ? -1 : key.length;
        letter.value = cut(value);
        letter.valueBytes = value == null ? -1 : value.length;
        return letter;
    }

    /** Whether the key or the value is only the start of the record's. */
    public boolean keyTruncated() {
        return key != null && keyBytes > key.length;
    }

    public boolean valueTruncated() {
        return value != null && valueBytes > value.length;
    }

    private static byte[] cut(byte[] bytes) {
        return bytes == null || bytes.length <= MAX_RAW_BYTES
                ? bytes
                : java.util.Arrays.copyOf(bytes, MAX_RAW_BYTES);
    }
}
