package io.rtml.job.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rtml.event.EventParser;
import io.rtml.job.testing.KafkaBroker;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The commands that write and read the job's topics, each with its Kafka clients set up from the
 * job's options: {@code rtml topics} creates the topics, {@code rtml produce} writes events, and
 * {@code rtml bench-drain} reads the committed output from the beginning (an aborted transaction's
 * record never counts) and checks it against the events exactly once.
 */
class CommandsOverKafkaITCase {
    private static final int EVENTS = 300;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path dir;

    @Test
    void topicsProduceAndDrainAccountForEveryEventExactlyOnce() throws Exception {
        try (KafkaBroker kafka = KafkaBroker.start()) {
            String[] topics = {
                "--bootstrap-servers", kafka.bootstrapServers(),
                "--events-topic", "tx",
                "--predictions-topic", "scores",
                "--dead-letter-topic", "tx-dlq"
            };
            assertThat(rtml(topics, "topics", "--partitions", "3")).isZero();
            try (Admin admin = Admin.create(kafka.clientProperties())) {
                assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS))
                        .contains("tx", "scores", "tx-dlq", "model-control");
            }

            assertThat(
                            rtml(
                                    topics,
                                    "produce",
                                    "--events",
                                    Integer.toString(EVENTS),
                                    "--rate",
                                    "0",
                                    "--labels-topic",
                                    ""))
                    .isZero();
            List<String> eventIds = new ArrayList<>();
            try (KafkaBroker.CommittedReader events = kafka.reader("tx")) {
                for (ConsumerRecord<byte[], byte[]> record :
                        events.awaitAtLeast(EVENTS, Duration.ofSeconds(30))) {
                    eventIds.add(EventParser.parse(record.value(), 0).eventId);
                }
            }
            assertThat(eventIds).hasSize(EVENTS).doesNotHaveDuplicates();

            // One output record per event, committed; one more in a transaction that aborts.
            try (KafkaProducer<byte[], byte[]> producer = transactionalProducer(kafka)) {
                producer.initTransactions();
                producer.beginTransaction();
                for (String id : eventIds) {
                    send(producer, id);
                }
                producer.commitTransaction();
                producer.beginTransaction();
                send(producer, "e-aborted");
                producer.flush();
                producer.abortTransaction();
            }

            Path results = dir.resolve("drain.json");
            assertThat(
                            rtml(
                                    topics,
                                    "bench-drain",
                                    "--expect",
                                    Integer.toString(EVENTS),
                                    "--check-copies",
                                    "1",
                                    "--timeout-s",
                                    "30",
                                    "--out",
                                    results.toString()))
                    .isZero();
            JsonNode drained = JSON.readTree(results.toFile());
            assertThat(drained.get("topic").asText()).isEqualTo("scores");
            assertThat(drained.get("committed").asLong()).isEqualTo(EVENTS);
            JsonNode check = drained.get("exactly_once");
            assertThat(check.get("events").asLong()).isEqualTo(EVENTS);
            assertThat(check.get("output_records").asLong()).isEqualTo(EVENTS);
            assertThat(check.get("exactly_once").asLong()).isEqualTo(EVENTS);
            assertThat(check.get("unknown").asLong()).isZero();
            assertThat(check.get("holds").asBoolean()).isTrue();
        }
    }

    private static int rtml(String[] connection, String command, String... args) {
        List<String> all = new ArrayList<>(List.of(command));
        all.addAll(List.of(connection));
        all.addAll(List.of(args));
        CommandLine commandLine = Rtml.commandLine();
        StringWriter err = new StringWriter();
        commandLine.setErr(new PrintWriter(err, true));
        int exitCode = commandLine.execute(all.toArray(String[]::new));
        if (exitCode != 0) {
            System.err.println(err);
        }
        return exitCode;
    }

    private static KafkaProducer<byte[], byte[]> transactionalProducer(KafkaBroker kafka) {
        Properties properties = kafka.clientProperties();
        properties.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "drain-test-" + UUID.randomUUID());
        return new KafkaProducer<>(
                properties, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, String eventId) {
        producer.send(
                new ProducerRecord<>(
                        "scores",
                        eventId.getBytes(StandardCharsets.UTF_8),
                        ("{\"event_id\":\"" + eventId + "\",\"score\":0.5}")
                                .getBytes(StandardCharsets.UTF_8)));
    }
}
