package io.rtml.job.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rtml.event.EventParser;
import io.rtml.testing.KafkaBroker;
import io.rtml.testing.TestServices;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The commands that write and read the job's topics, each with its Kafka clients set up from the
 * job's options: {@code rtml topics} creates the topics, {@code rtml produce} writes events, and
 * {@code rtml bench-drain}, {@code rtml watch} and {@code rtml evaluate} read the committed
 * predictions from the beginning (an aborted transaction's record never counts).
 */
class CommandsOverKafkaITCase {
    @RegisterExtension static final TestServices SERVICES = TestServices.builder().kafka().build();

    private static final int EVENTS = 300;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path dir;

    @Test
    void topicsProduceAndTheReadersAccountForEveryEventExactlyOnce() throws Exception {
        KafkaBroker kafka = SERVICES.kafka();
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

        // One prediction per event, committed, flagging every tenth; one more in a
        // transaction that aborts.
        StringBuilder labels = new StringBuilder("event_id,label,pattern\n");
        try (KafkaProducer<byte[], byte[]> producer = transactionalProducer(kafka)) {
            producer.initTransactions();
            producer.beginTransaction();
            for (int i = 0; i < EVENTS; i++) {
                send(producer, eventIds.get(i), i % 10 == 0);
                labels.append(eventIds.get(i)).append(i % 10 == 0 ? ",1,x\n" : ",0,\n");
            }
            producer.commitTransaction();
            producer.beginTransaction();
            send(producer, "e-aborted", true);
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

        String watched =
                printed(
                        () ->
                                assertThat(
                                                rtml(
                                                        topics,
                                                        "watch",
                                                        "--expect",
                                                        Integer.toString(EVENTS),
                                                        "--plain",
                                                        "--grace",
                                                        "0 s",
                                                        "--timeout",
                                                        "30 s"))
                                        .isZero());
        assertThat(watched)
                .endsWith("summary: produced=300 committed=300 missing=0 duplicated=0 dlq=0\n");

        Path labelsFile = Files.writeString(dir.resolve("labels.csv"), labels);
        Path figures = dir.resolve("evaluate.json");
        printed(
                () ->
                        assertThat(
                                        rtml(
                                                topics,
                                                "evaluate",
                                                "--labels",
                                                labelsFile.toString(),
                                                "--timeout",
                                                "2 s",
                                                "--out",
                                                figures.toString()))
                                .isZero());
        JsonNode evaluated = JSON.readTree(figures.toFile());
        assertThat(evaluated.get("labelled").asLong()).isEqualTo(EVENTS);
        assertThat(evaluated.get("positives").asLong()).isEqualTo(EVENTS / 10);
        assertThat(evaluated.get("precision").asDouble()).isEqualTo(1.0);
        assertThat(evaluated.get("recall").asDouble()).isEqualTo(1.0);
    }

    /** What {@code command} prints to standard output (watch and evaluate print there). */
    private static String printed(Runnable command) {
        PrintStream original = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            command.run();
        } finally {
            System.setOut(original);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void producesAnEventsFileAsItIsWithoutWaitingForTheEventsTimes() throws Exception {
        // A file's events carry their own times (here a day in 2026-01, long past): produce
        // sends each line once, at once, as scripts/parity does.
        Path file = dir.resolve("events.jsonl");
        assertThat(rtml(new String[0], "generate", "--events", "50", "--out", file.toString()))
                .isZero();
        List<String> lines = Files.readAllLines(file);
        KafkaBroker kafka = SERVICES.kafka();
        String[] connection = {"--bootstrap-servers", kafka.bootstrapServers()};
        assertThat(rtml(connection, "topics")).isZero();
        assertThat(
                        rtml(
                                connection,
                                "produce",
                                "--from-file",
                                file.toString(),
                                "--rate",
                                "0",
                                "--labels-topic",
                                ""))
                .isZero();
        List<String> sent = new ArrayList<>();
        try (KafkaBroker.CommittedReader events = kafka.reader("events")) {
            for (ConsumerRecord<byte[], byte[]> record :
                    events.awaitAtLeast(lines.size(), Duration.ofSeconds(30))) {
                sent.add(new String(record.value(), StandardCharsets.UTF_8));
            }
        }
        assertThat(sent).containsExactlyInAnyOrderElementsOf(lines);
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

    /** A prediction as the job writes it. */
    private static void send(KafkaProducer<byte[], byte[]> producer, String eventId, boolean flag) {
        String prediction =
                "{\"event_id\":\""
                        + eventId
                        + "\",\"card_id\":\"c-1\",\"event_time_ms\":1795436063834,"
                        + "\"ingest_time_ms\":1795434834239,\"scored_time_ms\":1795434836275,"
                        + (flag
                                ? "\"score\":0.9,\"decision\":\"flag\","
                                : "\"score\":0.1,\"decision\":\"pass\",")
                        + "\"model\":\"fraud\",\"model_version\":\"4\",\"feature_set\":\"fraud-v3\","
                        + "\"fallback\":null}";
        producer.send(
                new ProducerRecord<>(
                        "scores",
                        eventId.getBytes(StandardCharsets.UTF_8),
                        prediction.getBytes(StandardCharsets.UTF_8)));
    }
}
