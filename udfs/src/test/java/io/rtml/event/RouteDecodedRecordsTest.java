package io.rtml.event;

import static io.rtml.testing.TestEvents.event;
import static org.assertj.core.api.Assertions.assertThat;

import io.rtml.dlq.DeadLetter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.util.ListCollector;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RouteDecodedRecordsTest {
    private OneInputStreamOperatorTestHarness<DecodedRecord, TransactionEvent> harness;

    @BeforeEach
    void openHarness() throws Exception {
        harness = ProcessFunctionTestHarnesses.forProcessFunction(new RouteDecodedRecords());
    }

    @AfterEach
    void closeHarness() throws Exception {
        harness.close();
    }

    @Test
    void passesValidEventsOnInOrderWithTheirTimestamps() throws Exception {
        TransactionEvent first = event("e-1").at(1_000_000).build();
        TransactionEvent second = event("e-2").at(2_000_000).card("card-2").build();

        harness.processElement(DecodedRecord.valid(first), first.eventTimeMs);
        harness.processElement(DecodedRecord.valid(second), second.eventTimeMs);

        assertThat(harness.extractOutputValues()).containsExactly(first, second);
        assertThat(harness.extractOutputStreamRecords())
                .extracting(StreamRecord::getTimestamp)
                .containsExactly(1_000_000L, 2_000_000L);
        assertThat(harness.getSideOutput(RouteDecodedRecords.DEAD_LETTERS)).isNull();
    }

    @Test
    void sendsDeadLettersToTheSideOutputUnchanged() throws Exception {
        byte[] key = {(byte) 0xfe, 'k'};
        byte[] value = "{\"event_id\":".getBytes(StandardCharsets.UTF_8);
        DeadLetter letter =
                DeadLetter.of(
                        "parse",
                        null,
                        "malformed JSON: Unexpected end-of-input",
                        "events",
                        1,
                        77L,
                        5_000L,
                        key,
                        value);
        DeadLetter other =
                DeadLetter.of(
                        "parse",
                        "card_id",
                        "card_id: required field is missing",
                        "events",
                        0,
                        78L,
                        6_000L,
                        null,
                        new byte[] {'{', '}'});
        TransactionEvent valid = event("e-1").build();

        harness.processElement(DecodedRecord.invalid(letter), 5_000L);
        harness.processElement(DecodedRecord.valid(valid), valid.eventTimeMs);
        harness.processElement(DecodedRecord.invalid(other), 6_000L);

        assertThat(harness.extractOutputValues()).containsExactly(valid);
        List<DeadLetter> letters =
                harness.getSideOutput(RouteDecodedRecords.DEAD_LETTERS).stream()
                        .map(StreamRecord::getValue)
                        .toList();
        assertThat(letters)
                .usingRecursiveFieldByFieldElementComparator()
                .containsExactly(letter, other);
        DeadLetter routed = letters.get(0);
        assertThat(routed.stage).isEqualTo("parse");
        assertThat(routed.field).isNull();
        assertThat(routed.reason).isEqualTo("malformed JSON: Unexpected end-of-input");
        assertThat(routed.sourceTopic).isEqualTo("events");
        assertThat(routed.sourcePartition).isEqualTo(1);
        assertThat(routed.sourceOffset).isEqualTo(77L);
        assertThat(routed.sourceTimestampMs).isEqualTo(5_000L);
        assertThat(routed.key).containsExactly(key);
        assertThat(routed.value).containsExactly(value);
        assertThat(letters.get(1).field).isEqualTo("card_id");
        assertThat(harness.getSideOutput(RouteDecodedRecords.DEAD_LETTERS))
                .extracting(StreamRecord::getTimestamp)
                .containsExactly(5_000L, 6_000L);
    }

    @Test
    void routesWhatTheDeserializerDecodesEndToEnd() throws Exception {
        // The deserializer's output, fed through the route: one event, one dead letter.
        TransactionEvent sent = event("e-9").build();
        List<DecodedRecord> decoded = new ArrayList<>();
        EventDeserializer deserializer =
                new EventDeserializer(EventDeserializer.DEFAULT_MAX_FUTURE);
        ListCollector<DecodedRecord> out = new ListCollector<>(decoded);
        deserializer.deserialize(record(0, EventJson.write(sent)), out);
        deserializer.deserialize(record(1, "[]".getBytes(StandardCharsets.UTF_8)), out);

        for (DecodedRecord record : decoded) {
            harness.processElement(record, record.timestampMs());
        }

        assertThat(harness.extractOutputValues()).extracting(e -> e.eventId).containsExactly("e-9");
        assertThat(harness.getSideOutput(RouteDecodedRecords.DEAD_LETTERS))
                .extracting(r -> r.getValue().reason, r -> r.getValue().sourceOffset)
                .containsExactly(Tuple.tuple("not a JSON object", 1L));
    }

    private static ConsumerRecord<byte[], byte[]> record(long offset, byte[] value) {
        return new ConsumerRecord<>("events", 0, offset, null, value);
    }
}
