package io.rtml.dlq;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes a {@link DeadLetter} as a JSON record (documented in docs/contracts.md) keyed by the
 * source record's key. The raw value travels base64-encoded, so any bytes survive the trip exactly;
 * a record over {@link DeadLetter#MAX_RAW_BYTES} keeps its start, and its full size is given.
 */
public class DeadLetterSerializer implements KafkaRecordSerializationSchema<DeadLetter> {
    /** The record's layout version (schemas/dead-letter.schema.json). */
    public static final int RECORD_VERSION = 1;

    private static final long serialVersionUID = 1L;
    private static final JsonFactory JSON = new JsonFactory();

    private final String topic;

    public DeadLetterSerializer(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
            DeadLetter letter, KafkaSinkContext context, Long timestamp) {
        // The source record's timestamp: the stream's is not the record's (see DecodedRecord).
        return new ProducerRecord<>(
                topic, null, letter.sourceTimestampMs, letter.key, toJson(letter));
    }

    public static byte[] toJson(DeadLetter letter) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            json.writeNumberField("schema_version", RECORD_VERSION);
            json.writeStringField("stage", letter.stage);
            json.writeStringField("field", letter.field);
            json.writeStringField("reason", letter.reason);
            json.writeObjectFieldStart("source");
            json.writeStringField("topic", letter.sourceTopic);
            json.writeNumberField("partition", letter.sourcePartition);
            json.writeNumberField("offset", letter.sourceOffset);
            json.writeNumberField("timestamp", letter.sourceTimestampMs);
            json.writeEndObject();
            json.writeStringField(
                    "key",
                    letter.key == null ? null : new String(letter.key, StandardCharsets.UTF_8));
            json.writeFieldName("value_base64");
            if (letter.value == null) {
                json.writeNull();
            } else {
                json.writeBinary(letter.value);
            }
            // Only for a record refused for its size: the full sizes of what was cut.
            if (letter.keyTruncated()) {
                json.writeNumberField("key_bytes", letter.keyBytes);
            }
            if (letter.valueTruncated()) {
                json.writeNumberField("value_bytes", letter.valueBytes);
            }
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
