package io.rtml.event;

import static io.rtml.testing.TestEvents.event;
import static org.assertj.core.api.Assertions.assertThat;

import io.rtml.dlq.DeadLetter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.flink.api.common.functions.util.ListCollector;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class EventDeserializerTest {
    private static final String TOPIC = "events";
    private static final int PARTITION = 3;
    private static final long OFFSET = 12_345L;
    private static final long KAFKA_TIMESTAMP_MS = 1_767_225_601_234L;

    private final EventDeserializer deserializer = new EventDeserializer();

    @Test
    void passesAValidRecordOnWithTheKafkaTimestampAsIngestTime() throws Exception {
        TransactionEvent sent = event("e-1").device("d-1").ingestedAt(0).build();

        List<DecodedRecord> out = deserialize(utf8("card-1"), EventJson.write(sent));

        assertThat(out).hasSize(1);
        DecodedRecord decoded = out.get(0);
        assertThat(decoded.deadLetter).isNull();
        TransactionEvent expected =
                event("e-1").device("d-1").ingestedAt(KAFKA_TIMESTAMP_MS).build();
        assertThat(decoded.event).isEqualTo(expected);
        assertThat(decoded.timestampMs()).isEqualTo(sent.eventTimeMs);
    }

    @Test
    void turnsAnInvalidRecordIntoADeadLetterWithItsSourceAndBytes() throws Exception {
        byte[] key = {(byte) 0xff, 0x00, (byte) 0xc3, 0x28}; // not UTF-8
        byte[] value =
                utf8(
                        "{\"event_id\":\"e-1\",\"card_id\":\"card-1\",\"merchant_id\":\"m-1\","
                                + "\"amount\":\"12\",\"currency\":\"EUR\",\"country\":\"DE\","
                                + "\"channel\":\"pos\",\"event_time\":1767225600000}");

        List<DecodedRecord> out = deserialize(key, value);

        assertThat(out).hasSize(1);
        DecodedRecord decoded = out.get(0);
        assertThat(decoded.event).isNull();
        DeadLetter letter = decoded.deadLetter;
        assertThat(letter.stage).isEqualTo(EventDeserializer.STAGE).isEqualTo("parse");
        assertThat(letter.field).isEqualTo("amount");
        assertThat(letter.reason).isEqualTo("amount: expected a number, got the string \"12\"");
        assertThat(letter.sourceTopic).isEqualTo(TOPIC);
        assertThat(letter.sourcePartition).isEqualTo(PARTITION);
        assertThat(letter.sourceOffset).isEqualTo(OFFSET);
        assertThat(letter.sourceTimestampMs).isEqualTo(KAFKA_TIMESTAMP_MS);
        assertThat(letter.key).containsExactly(key);
        assertThat(letter.value).containsExactly(value);
        // A dead letter does not move the watermark.
        assertThat(decoded.timestampMs()).isEqualTo(Long.MIN_VALUE);
    }

    @Test
    void turnsARecordThatIsNotJsonIntoADeadLetterWithoutAField() throws Exception {
        byte[] value = {(byte) 0x89, 'P', 'N', 'G', 0x0d, 0x0a};

        DeadLetter letter = deserialize(null, value).get(0).deadLetter;

        assertThat(letter.field).isNull();
        assertThat(letter.reason).startsWith("malformed JSON: ");
        assertThat(letter.key).isNull();
        assertThat(letter.value).containsExactly(value);
    }

    @Test
    void turnsATombstoneIntoADeadLetter() throws Exception {
        DeadLetter letter = deserialize(utf8("card-1"), null).get(0).deadLetter;

        assertThat(letter.field).isNull();
        assertThat(letter.reason).isEqualTo("empty record");
        assertThat(letter.key).containsExactly(utf8("card-1"));
        assertThat(letter.value).isNull();
    }

    @Test
    void producesDecodedRecordsAsAFlinkPojo() {
        assertThat(deserializer.getProducedType()).isInstanceOf(PojoTypeInfo.class);
    }

    private List<DecodedRecord> deserialize(byte[] key, byte[] value) throws Exception {
        ConsumerRecord<byte[], byte[]> record =
                new ConsumerRecord<>(
                        TOPIC,
                        PARTITION,
                        OFFSET,
                        KAFKA_TIMESTAMP_MS,
                        TimestampType.CREATE_TIME,
                        key == null ? -1 : key.length,
                        value == null ? -1 : value.length,
                        key,
                        value,
                        new RecordHeaders(),
                        Optional.empty());
        List<DecodedRecord> out = new ArrayList<>();
        deserializer.deserialize(record, new ListCollector<>(out));
        return out;
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
