package io.rtml.job.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtml.testing.TestServices;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import picocli.CommandLine;

/**
 * {@code rtml tail} against a real broker: committed predictions only (an aborted transaction's
 * records never show), exact table and JSON output, filters, limit, and following from the end.
 */
class TailCommandITCase {
    @RegisterExtension static final TestServices SERVICES = TestServices.builder().kafka().build();

    private static final String FLAGGED =
            "{\"event_id\":\"e-1\",\"card_id\":\"c-1\",\"event_time_ms\":1795436063834,"
                    + "\"ingest_time_ms\":1795434834239,\"scored_time_ms\":1795434836275,"
                    + "\"score\":0.93,\"decision\":\"flag\",\"model\":\"fraud\","
                    + "\"model_version\":\"4\",\"feature_set\":\"fraud-v3\",\"fallback\":null}";
    private static final String PASSED =
            "{\"event_id\":\"e-2\",\"card_id\":\"c-2\",\"event_time_ms\":1795436064000,"
                    + "\"ingest_time_ms\":1795434835000,\"scored_time_ms\":1795434835100,"
                    + "\"score\":1.2E-7,\"decision\":\"pass\",\"model\":\"fraud\","
                    + "\"model_version\":\"4\",\"feature_set\":\"fraud-v3\",\"fallback\":null}";
    private static final String FALLBACK =
            "{\"event_id\":\"e-3\",\"card_id\":\"c-1\",\"event_time_ms\":1795436065001,"
                    + "\"ingest_time_ms\":1795434836000,\"scored_time_ms\":1795434841000,"
                    + "\"score\":0.0,\"decision\":\"pass\",\"model\":\"fraud\","
                    + "\"model_version\":\"4\",\"feature_set\":\"fraud-v3\","
                    + "\"fallback\":\"timeout\"}";
    private static final String ABORTED =
            "{\"event_id\":\"e-aborted\",\"card_id\":\"c-1\",\"event_time_ms\":1795436066000,"
                    + "\"ingest_time_ms\":1795434837000,\"scored_time_ms\":1795434837100,"
                    + "\"score\":0.99,\"decision\":\"flag\",\"model\":\"fraud\","
                    + "\"model_version\":\"4\",\"feature_set\":\"fraud-v3\",\"fallback\":null}";

    private static final String HEADER =
            "EVENT TIME (UTC)         CARD          SCORE       DECISION  MODEL       EVENT ID"
                    + "          FALLBACK\n";
    private static final String FLAGGED_ROW =
            "2026-11-23 12:14:23.834  c-1           0.9300      flag      fraud/4     e-1"
                    + "               -\n";
    private static final String PASSED_ROW =
            "2026-11-23 12:14:24.000  c-2           1.20e-07    pass      fraud/4     e-2"
                    + "               -\n";
    private static final String FALLBACK_ROW =
            "2026-11-23 12:14:25.001  c-1           0.0000      pass      fraud/4     e-3"
                    + "               timeout\n";

    private String topic;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    /** Each test its own one-partition topic: a committed, an aborted, a committed transaction. */
    @BeforeEach
    void writePredictions() throws Exception {
        topic = "predictions-" + UUID.randomUUID();
        SERVICES.kafka().createTopics(1, topic);
        try (KafkaProducer<byte[], byte[]> producer = transactionalProducer()) {
            producer.initTransactions();
            producer.beginTransaction();
            send(producer, FLAGGED, PASSED);
            producer.commitTransaction();
            producer.beginTransaction();
            send(producer, ABORTED);
            producer.flush();
            producer.abortTransaction();
            producer.beginTransaction();
            send(producer, FALLBACK);
            producer.commitTransaction();
        }
    }

    private int rtml(String... args) {
        CommandLine commandLine = Rtml.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        List<String> all = new ArrayList<>(List.of("tail"));
        all.addAll(List.of(args));
        return commandLine.execute(all.toArray(String[]::new));
    }

    private int tail(String... args) {
        List<String> all =
                new ArrayList<>(
                        List.of(
                                "--bootstrap-servers",
                                SERVICES.kafka().bootstrapServers(),
                                "--predictions-topic",
                                topic));
        all.addAll(List.of(args));
        return rtml(all.toArray(String[]::new));
    }

    @Test
    void printsTheCommittedPredictionsAsATable() {
        assertThat(tail("--from-beginning", "--no-follow")).as(err.toString()).isZero();

        assertThat(out.toString()).isEqualTo(HEADER + FLAGGED_ROW + PASSED_ROW + FALLBACK_ROW);
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void printsTheRecordsAsWrittenInJsonLines() {
        assertThat(tail("--from-beginning", "--no-follow", "--format", "json"))
                .as(err.toString())
                .isZero();

        assertThat(out.toString()).isEqualTo(FLAGGED + "\n" + PASSED + "\n" + FALLBACK + "\n");
    }

    @Test
    void keepsPredictionsWithAtLeastTheMinimumScore() {
        assertThat(tail("--from-beginning", "--no-follow", "--min-score", "0.5")).isZero();

        assertThat(out.toString()).isEqualTo(HEADER + FLAGGED_ROW);
    }

    @Test
    void keepsPredictionsWithTheDecision() {
        assertThat(tail("--from-beginning", "--no-follow", "--decision", "pass")).isZero();

        assertThat(out.toString()).isEqualTo(HEADER + PASSED_ROW + FALLBACK_ROW);
    }

    @Test
    void keepsTheCardsPredictions() {
        assertThat(tail("--from-beginning", "--no-follow", "--card", "c-1", "--format", "json"))
                .isZero();

        assertThat(out.toString()).isEqualTo(FLAGGED + "\n" + FALLBACK + "\n");
    }

    @Test
    void combinesFilters() {
        assertThat(tail("--from-beginning", "--no-follow", "--card", "c-1", "--decision", "pass"))
                .isZero();

        assertThat(out.toString()).isEqualTo(HEADER + FALLBACK_ROW);
    }

    @Test
    void stopsAfterTheLimit() {
        assertThat(tail("--from-beginning", "--limit", "2")).isZero();

        assertThat(out.toString()).isEqualTo(HEADER + FLAGGED_ROW + PASSED_ROW);
    }

    @Test
    void startsAtTheEndWithoutFromBeginning() {
        assertThat(tail("--no-follow")).isZero();

        assertThat(out.toString()).isEqualTo(HEADER);
    }

    @Test
    void followsPredictionsCommittedAfterItStarted() throws Exception {
        CompletableFuture<Integer> tail =
                CompletableFuture.supplyAsync(() -> tail("--format", "json", "--limit", "1"));
        List<String> sent = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = transactionalProducer()) {
            producer.initTransactions();
            // The command may not have found the end yet: keep committing until it shows one.
            for (int i = 0; !tail.isDone() && i < 150; i++) {
                String prediction = PASSED.replace("\"e-2\"", "\"e-new-" + i + "\"");
                sent.add(prediction);
                producer.beginTransaction();
                send(producer, prediction);
                producer.commitTransaction();
                Thread.sleep(200);
            }
        }

        assertThat(tail.get(30, TimeUnit.SECONDS)).as(err.toString()).isZero();
        assertThat(out.toString().lines().toList()).hasSize(1).allMatch(sent::contains);
    }

    @Test
    void skipsRecordsThatAreNotPredictions() throws Exception {
        SERVICES.kafka().produce(topic, List.of(Map.entry(new byte[0], "not json".getBytes())));

        assertThat(tail("--from-beginning", "--no-follow", "--decision", "flag")).isZero();

        assertThat(out.toString()).isEqualTo(HEADER + FLAGGED_ROW);
        assertThat(err.toString())
                .isEqualTo(
                        "rtml tail: skipped " + topic + "-0 offset 7: not a prediction record\n");
    }

    @Test
    void saysWhatToDoWhenTheTopicIsMissing() {
        assertThat(
                        rtml(
                                "--bootstrap-servers",
                                SERVICES.kafka().bootstrapServers(),
                                "--predictions-topic",
                                "no-such-topic"))
                .isEqualTo(1);

        assertThat(err.toString())
                .isEqualTo(
                        "rtml tail: topic 'no-such-topic' does not exist at "
                                + SERVICES.kafka().bootstrapServers()
                                + ": start the job, or create the topics with scripts/rtml"
                                + " topics\n");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void saysWhatToDoWhenKafkaIsUnreachable() throws Exception {
        String nowhere = "127.0.0.1:" + freePort();

        assertThat(rtml("--bootstrap-servers", nowhere, "--connect-timeout", "2 s")).isEqualTo(1);

        assertThat(err.toString())
                .isEqualTo(
                        "rtml tail: cannot reach Kafka at "
                                + nowhere
                                + ": is it running? (scripts/stack start)\n");
    }

    private static KafkaProducer<byte[], byte[]> transactionalProducer() {
        Properties properties = SERVICES.kafka().clientProperties();
        properties.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "tail-test-" + UUID.randomUUID());
        return new KafkaProducer<>(
                properties, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private void send(KafkaProducer<byte[], byte[]> producer, String... predictions) {
        for (String prediction : predictions) {
            producer.send(
                    new ProducerRecord<>(
                            topic,
                            "key".getBytes(StandardCharsets.UTF_8),
                            prediction.getBytes(StandardCharsets.UTF_8)));
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
