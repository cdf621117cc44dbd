package io.rtml.dlq;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rtml.testing.Schemas;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

class DeadLetterSerializerTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Not valid UTF-8: a lone 0xff, a NUL, and a lead byte followed by a non-continuation. */
    private static final byte[] BINARY = {(byte) 0xff, 0x00, (byte) 0xc3, 0x28, (byte) 0x80};

    @Test
    void writesTheDocumentedLayout() throws Exception {
        DeadLetter letter =
                DeadLetter.of(
                        "parse",
                        "amount",
                        "amount: expected a number, got the string \"12\"",
                        "events",
                        2,
                        41L,
                        1_767_225_600_123L,
                        "card-1".getBytes(StandardCharsets.UTF_8),
                        "{\"amount\":\"12\"}".getBytes(StandardCharsets.UTF_8));

        JsonNode json = JSON.readTree(DeadLetterSerializer.toJson(letter));

        assertThat(fieldNames(json))
                .containsExactly(
                        "schema_version",
                        "stage",
                        "field",
                        "reason",
                        "source",
                        "key",
                        "value_base64");
        assertThat(json.get("schema_version").isInt()).isTrue();
        assertThat(json.get("schema_version").asInt()).isEqualTo(1);
        assertThat(json.get("stage").asText()).isEqualTo("parse");
        assertThat(json.get("field").asText()).isEqualTo("amount");
        assertThat(json.get("reason").asText())
                .isEqualTo("amount: expected a number, got the string \"12\"");
        JsonNode source = json.get("source");
        assertThat(fieldNames(source)).containsExactly("topic", "partition", "offset", "timestamp");
        assertThat(source.get("topic").asText()).isEqualTo("events");
        assertThat(source.get("partition").isInt()).isTrue();
        assertThat(source.get("partition").asInt()).isEqualTo(2);
        assertThat(source.get("offset").asLong()).isEqualTo(41L);
        assertThat(source.get("timestamp").asLong()).isEqualTo(1_767_225_600_123L);
        assertThat(json.get("key").asText()).isEqualTo("card-1");
        assertThat(json.get("value_base64").asText()).isEqualTo("eyJhbW91bnQiOiIxMiJ9");
    }

    @Test
    void writesAbsentFieldKeyAndValueAsJsonNull() throws Exception {
        DeadLetter letter =
                DeadLetter.of("parse", null, "empty record", "events", 0, 0L, 0L, null, null);

        JsonNode json = JSON.readTree(DeadLetterSerializer.toJson(letter));

        assertThat(fieldNames(json))
                .containsExactly(
                        "schema_version",
                        "stage",
                        "field",
                        "reason",
                        "source",
                        "key",
                        "value_base64");
        assertThat(json.get("field").isNull()).isTrue();
        assertThat(json.get("key").isNull()).isTrue();
        assertThat(json.get("value_base64").isNull()).isTrue();
    }

    @Test
    void carriesAnyValueBytesExactlyAsBase64() throws Exception {
        DeadLetter letter =
                DeadLetter.of("parse", null, "malformed JSON", "events", 0, 1L, 2L, null, BINARY);

        JsonNode json = JSON.readTree(DeadLetterSerializer.toJson(letter));

        assertThat(json.get("value_base64").asText()).isEqualTo("/wDDKIA=");
        assertThat(Base64.getDecoder().decode(json.get("value_base64").asText()))
                .containsExactly(BINARY);
    }

    @Test
    void keepsTheStartOfAMegabyteRecordAndItsFullSizeSoTheDeadLetterFitsTheTopic()
            throws Exception {
        byte[] huge = new byte[1024 * 1024];
        java.util.Arrays.fill(huge, (byte) 'x');
        byte[] hugeKey = new byte[200 * 1024];
        java.util.Arrays.fill(hugeKey, (byte) 'k');
        DeadLetter letter =
                DeadLetter.of(
                        "parse",
                        null,
                        "record of 1048576 bytes exceeds the 65536-byte limit",
                        "events",
                        0,
                        7L,
                        2L,
                        hugeKey,
                        huge);

        byte[] bytes = DeadLetterSerializer.toJson(letter);
        JsonNode json = JSON.readTree(bytes);

        assertThat(fieldNames(json))
                .containsExactly(
                        "schema_version",
                        "stage",
                        "field",
                        "reason",
                        "source",
                        "key",
                        "value_base64",
                        "key_bytes",
                        "value_bytes");
        assertThat(Base64.getDecoder().decode(json.get("value_base64").asText()))
                .containsExactly(java.util.Arrays.copyOf(huge, DeadLetter.MAX_RAW_BYTES));
        assertThat(json.get("value_bytes").asInt()).isEqualTo(huge.length);
        assertThat(json.get("key").asText()).hasSize(DeadLetter.MAX_RAW_BYTES);
        assertThat(json.get("key_bytes").asInt()).isEqualTo(hugeKey.length);
        assertThat(letter.key).hasSize(DeadLetter.MAX_RAW_BYTES);
        assertThat(bytes.length + letter.key.length).isLessThan(256 * 1024);
    }

    @Test
    void keepsARecordOfExactlyTheLimitWhole() throws Exception {
        byte[] value = new byte[DeadLetter.MAX_RAW_BYTES];
        DeadLetter letter =
                DeadLetter.of("parse", null, "too large", "events", 0, 0L, 0L, null, value);

        JsonNode json = JSON.readTree(DeadLetterSerializer.toJson(letter));

        assertThat(json.has("value_bytes")).isFalse();
        assertThat(Base64.getDecoder().decode(json.get("value_base64").asText()))
                .containsExactly(value);
    }

    @Test
    void carriesAnEmptyValueAsAnEmptyBase64String() throws Exception {
        DeadLetter letter =
                DeadLetter.of(
                        "parse", null, "empty record", "events", 0, 1L, 2L, null, new byte[0]);

        JsonNode json = JSON.readTree(DeadLetterSerializer.toJson(letter));

        assertThat(json.get("value_base64").asText()).isEmpty();
    }

    @Test
    void keysTheDeadLetterRecordByTheSourceKeyBytesAndStampsItWithTheSourceRecordsTime() {
        DeadLetter letter =
                DeadLetter.of(
                        "parse", null, "not a JSON object", "events", 0, 1L, 2L, BINARY, BINARY);

        ProducerRecord<byte[], byte[]> record =
                new DeadLetterSerializer("events-dlq").serialize(letter, null, 9_999L);

        assertThat(record.topic()).isEqualTo("events-dlq");
        assertThat(record.partition()).isNull();
        // Not the stream's timestamp: dead letters carry none (see DecodedRecord).
        assertThat(record.timestamp()).isEqualTo(2L);
        assertThat(record.key()).containsExactly(BINARY);
        assertThat(record.value()).containsExactly(DeadLetterSerializer.toJson(letter));
    }

    @Test
    void writesDeadLettersTheSchemaAccepts() {
        byte[] huge = new byte[DeadLetter.MAX_RAW_BYTES + 1];
        DeadLetter[] letters = {
            DeadLetter.of(
                    "parse",
                    "amount",
                    "amount: expected a number, got the string \"12\"",
                    "events",
                    3,
                    1187L,
                    1_795_434_834_239L,
                    "c-1".getBytes(StandardCharsets.UTF_8),
                    "{\"amount\":\"12\"}".getBytes(StandardCharsets.UTF_8)),
            DeadLetter.of("parse", null, "empty record", "events", 0, 0L, 0L, null, null),
            DeadLetter.of("parse", null, "malformed JSON", "events", 1, 2L, 3L, BINARY, BINARY),
            DeadLetter.of("parse", null, "too large", "events", 0, 5L, 6L, huge, huge)
        };
        for (DeadLetter letter : letters) {
            assertThat(Schemas.errors("dead-letter", DeadLetterSerializer.toJson(letter)))
                    .as(letter.reason)
                    .isEmpty();
        }
    }

    @Test
    void theSchemaRefusesADeadLetterWithoutItsOrigin() throws Exception {
        ObjectNode json =
                (ObjectNode)
                        JSON.readTree(
                                DeadLetterSerializer.toJson(
                                        DeadLetter.of(
                                                "parse",
                                                null,
                                                "empty record",
                                                "events",
                                                0,
                                                0L,
                                                0L,
                                                null,
                                                null)));
        json.remove("source");

        assertThat(Schemas.errors("dead-letter", json.toString()))
                .containsExactly(": required property 'source' not found");
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
