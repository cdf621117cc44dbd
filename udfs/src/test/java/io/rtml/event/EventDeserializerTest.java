package io.rtml.event;

import static io.rtml.testing.TestEvents.event;
import static org.assertj.core.api.Assertions.assertThat;

import io.rtml.dlq.DeadLetter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
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
    private static final Duration MAX_FUTURE = Duration.ofMinutes(5);

    /** Read a second after the record reached Kafka. */
    private final EventDeserializer deserializer = readAt(KAFKA_TIMESTAMP_MS + 1_000);

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

    // ---- bounded event time ----

    @Test
    void passesAnEventExactlyMaxFutureAheadOfItsArrival() throws Exception {
        TransactionEvent sent = event("e-1").at(KAFKA_TIMESTAMP_MS + MAX_FUTURE.toMillis()).build();

        DecodedRecord decoded = deserialize(utf8("card-1"), EventJson.write(sent)).get(0);

        assertThat(decoded.deadLetter).isNull();
        assertThat(decoded.timestampMs()).isEqualTo(KAFKA_TIMESTAMP_MS + MAX_FUTURE.toMillis());
    }

    @Test
    void deadLettersAnEventMoreThanMaxFutureAheadOfItsKafkaTimestamp() throws Exception {
        byte[] value =
                EventJson.write(
                        event("e-1").at(KAFKA_TIMESTAMP_MS + MAX_FUTURE.toMillis() + 1).build());

        DecodedRecord decoded = deserialize(utf8("card-1"), value).get(0);

        assertThat(decoded.event).isNull();
        DeadLetter letter = decoded.deadLetter;
        assertThat(letter.field).isEqualTo("event_time");
        assertThat(letter.reason)
                .isEqualTo(
                        "event_time: 2026-01-01T00:05:01.235Z is more than 5 min"
                                + " (watermarks.max-future) ahead of the record's arrival at"
                                + " 2026-01-01T00:00:01.234Z");
        assertThat(letter.sourceOffset).isEqualTo(OFFSET);
        assertThat(letter.value).containsExactly(value);
        // It never moves the watermark.
        assertThat(decoded.timestampMs()).isEqualTo(Long.MIN_VALUE);
    }

    @Test
    void deadLettersAnEventDatedNearTheEndOfTheValidRange() throws Exception {
        DeadLetter letter =
                deserialize(
                                utf8("card-1"),
                                EventJson.write(event("e-1").at("2099-12-31T23:59:59Z").build()))
                        .get(0)
                        .deadLetter;

        assertThat(letter.reason)
                .isEqualTo(
                        "event_time: 2099-12-31T23:59:59Z is more than 5 min"
                                + " (watermarks.max-future) ahead of the record's arrival at"
                                + " 2026-01-01T00:00:01.234Z");
    }

    @Test
    void measuresFromTheClockWhenTheKafkaTimestampIsAheadOfIt() throws Exception {
        // A producer whose clock runs an hour ahead stamps the record and the event alike.
        long now = KAFKA_TIMESTAMP_MS - 3_600_000;
        EventDeserializer reader = readAt(now);
        byte[] value = EventJson.write(event("e-1").at(KAFKA_TIMESTAMP_MS).build());

        DeadLetter letter = deserialize(reader, KAFKA_TIMESTAMP_MS, value).deadLetter;

        assertThat(letter.reason)
                .isEqualTo(
                        "event_time: 2026-01-01T00:00:01.234Z is more than 5 min"
                                + " (watermarks.max-future) ahead of the record's arrival at"
                                + " 2025-12-31T23:00:01.234Z");
    }

    @Test
    void measuresFromTheClockWhenTheRecordHasNoTimestamp() throws Exception {
        EventDeserializer reader = readAt(KAFKA_TIMESTAMP_MS);
        long onTime = KAFKA_TIMESTAMP_MS + MAX_FUTURE.toMillis();

        assertThat(deserialize(reader, -1, EventJson.write(event("e-1").at(onTime).build())).event)
                .isNotNull();
        assertThat(
                        deserialize(
                                        reader,
                                        -1,
                                        EventJson.write(event("e-2").at(onTime + 1).build()))
                                .deadLetter
                                .field)
                .isEqualTo("event_time");
    }

    @Test
    void decidesARecordReadAgainLaterAsItDidTheFirstTime() throws Exception {
        // A replay after a failure reads the record a day later: its arrival is still the record's.
        byte[] value = EventJson.write(event("e-1").at(KAFKA_TIMESTAMP_MS + 600_000).build());

        DecodedRecord first = deserialize(readAt(KAFKA_TIMESTAMP_MS), KAFKA_TIMESTAMP_MS, value);
        DecodedRecord replayed =
                deserialize(readAt(KAFKA_TIMESTAMP_MS + 86_400_000), KAFKA_TIMESTAMP_MS, value);

        assertThat(first.deadLetter.reason).isEqualTo(replayed.deadLetter.reason);
    }

    @Test
    void producesDecodedRecordsAsAFlinkPojo() {
        assertThat(deserializer.getProducedType()).isInstanceOf(PojoTypeInfo.class);
    }

    private static EventDeserializer readAt(long nowMs) {
        return new EventDeserializer(
                MAX_FUTURE, Clock.fixed(Instant.ofEpochMilli(nowMs), ZoneOffset.UTC));
    }

    private List<DecodedRecord> deserialize(byte[] key, byte[] value) throws Exception {
        return deserialize(deserializer, KAFKA_TIMESTAMP_MS, key, value);
    }

    private static DecodedRecord deserialize(
            EventDeserializer reader, long kafkaTimestampMs, byte[] value) throws Exception {
        List<DecodedRecord> out = deserialize(reader, kafkaTimestampMs, utf8("card-1"), value);
        assertThat(out).hasSize(1);
        return out.get(0);
    }

    private static List<DecodedRecord> deserialize(
            EventDeserializer reader, long kafkaTimestampMs, byte[] key, byte[] value)
            throws Exception {
        ConsumerRecord<byte[], byte[]> record =
                new ConsumerRecord<>(
                        TOPIC,
                        PARTITION,
                        OFFSET,
                        kafkaTimestampMs,
                        kafkaTimestampMs < 0
                                ? TimestampType.NO_TIMESTAMP_TYPE
                                : TimestampType.CREATE_TIME,
                        key == null ? -1 : key.length,
                        value == null ? -1 : value.length,
                        key,
                        value,
                        new RecordHeaders(),
                        Optional.empty());
        List<DecodedRecord> out = new ArrayList<>();
        reader.deserialize(record, new ListCollector<>(out));
        return out;
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
