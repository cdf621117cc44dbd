package io.rtml.job.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rtml.event.TransactionEvent;
import io.rtml.inference.Prediction;
import io.rtml.job.testing.Delivery;
import io.rtml.job.testing.Figures;
import io.rtml.job.testing.JobRun;
import io.rtml.job.testing.Repository;
import io.rtml.testing.KafkaBroker;
import io.rtml.testing.TestServices;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * The shaded job jar on a real standalone Flink session cluster, submitted through Flink's
 * command-line client as {@code flink run -d} does: JobManager and TaskManager are separate JVMs
 * started by {@code scripts/cluster} from flink-conf/cluster/config.yaml, with DJL on their parent
 * classpath. Kafka runs in this JVM (listening on localhost, which the cluster's JVMs on this
 * machine reach) and Redis is a redis-server process.
 */
class StandaloneClusterITCase {
    private static final int EVENTS = 3_000;
    private static final Duration WAIT = Duration.ofMinutes(3);
    private static final String KEY_PREFIX = "cluster-it:";

    /** Events, and hostile records among them, of the run whose TaskManager is killed. */
    private static final int CRASH_EVENTS = 4_000;

    private static final int CRASH_HOSTILE = 20;

    /**
     * The live evaluation's series, which the dashboard selects from the evaluation's own job
     * ({@code job_name=~"${job}_evaluation"}): this cluster runs the scoring job alone, so they are
     * checked where both jobs run, in DashboardMetricsITCase.
     */
    private static final Pattern EVALUATION_JOB_SERIES =
            Pattern.compile("(flink_[A-Za-z0-9_]+)\\{job_name=~\\\\\"\\$\\{job\\}_evaluation");

    @RegisterExtension
    static final TestServices SERVICES = TestServices.builder().kafka().redis().build();

    private static StandaloneCluster cluster;

    @TempDir Path checkpoints;

    @BeforeAll
    static void startCluster() throws Exception {
        Path target = Repository.root().resolve("job/target");
        Path jobJar = target.resolve("rtml-job-0.1.0-SNAPSHOT-flink.jar");
        assertThat(jobJar).as("the shaded jar (mvn package builds it)").isRegularFile();
        cluster =
                StandaloneCluster.start(
                        Files.createTempDirectory(target, "standalone-cluster-"), jobJar);
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void scoresEveryEventExactlyOnceWhenSubmittedWithTheFlinkClient() throws Exception {
        SERVICES.kafka()
                .createTopics(4, "events", "predictions", "events-dlq", "predictions-shadow");
        SERVICES.kafka().createTopics(1, "model-control");
        List<TransactionEvent> events = JobRun.generate(8, EVENTS);
        List<Map.Entry<byte[], byte[]>> records = KafkaBroker.keyedByCard(events);
        // One record the job cannot use, so the dead-letter path and its metric run too.
        records.add(
                EVENTS / 2,
                Map.entry(
                        "c-1".getBytes(StandardCharsets.UTF_8),
                        "{\"event_id\":\"bad-1\",".getBytes(StandardCharsets.UTF_8)));
        SERVICES.kafka().produce("events", records);

        String jobId =
                cluster.submit(
                        "-D", "kafka.bootstrap-servers=" + SERVICES.kafka().bootstrapServers(),
                        "-D", "redis.uri=" + SERVICES.redis().uri(),
                        "-D", "redis.key-prefix=" + KEY_PREFIX,
                        "-D", "model.repository=" + Repository.modelArtifacts(),
                        "-D", "checkpoints.interval=1 s");
        List<Prediction> committed;
        try (KafkaBroker.CommittedReader predictions = SERVICES.kafka().reader("predictions");
                KafkaBroker.CommittedReader deadLetters = SERVICES.kafka().reader("events-dlq")) {
            predictions.awaitAtLeast(EVENTS, WAIT);
            assertThat(cluster.status()).contains("cluster: job " + jobId + " RUNNING rtml");
            committed = JobRun.predictions(predictions.readFor(Duration.ofSeconds(3)));
            Delivery.assertExactlyOnce(committed, events);
            assertThat(committed).allSatisfy(p -> assertThat(p.fallbackReason).isNull());

            List<ConsumerRecord<byte[], byte[]>> letters = deadLetters.awaitAtLeast(1, WAIT);
            assertThat(letters).hasSize(1);
            JsonNode letter = new ObjectMapper().readTree(letters.get(0).value());
            assertThat(letter.get("source").get("topic").asText()).isEqualTo("events");

            assertTheDashboardsMetricsAreServed();
        } finally {
            cluster.cancel(jobId);
        }
        assertRedisHoldsTheNewestPredictionPerCard(KEY_PREFIX, events, committed);
    }

    /**
     * The TaskManager process killed with SIGKILL while events flow, a new one started: the job
     * restarts from its last checkpoint on it and every event still has exactly one committed
     * prediction, every hostile record exactly one dead letter, and Redis each card's newest.
     */
    @Test
    void scoresEveryEventExactlyOnceThroughATaskManagerKilledMidStream() throws Exception {
        JobRun run = new JobRun(SERVICES, checkpoints, "crash");
        List<TransactionEvent> events = JobRun.generate(9, CRASH_EVENTS);
        List<Map.Entry<byte[], byte[]>> records = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            TransactionEvent event = events.get(i);
            records.addAll(KafkaBroker.keyedByCard(List.of(event)));
            if (i % (CRASH_EVENTS / CRASH_HOSTILE) == 0) {
                // Cut short: a dead letter, which must be written once however often it is read.
                records.add(
                        Map.entry(
                                event.cardId.getBytes(StandardCharsets.UTF_8),
                                ("{\"event_id\":\"hostile-" + i + "\",")
                                        .getBytes(StandardCharsets.UTF_8)));
            }
        }
        int half = records.size() / 2;
        SERVICES.kafka().produce(run.events, records.subList(0, half));

        String jobId =
                cluster.submit(
                        run.arguments(Map.of("checkpoints.interval", "1 s"))
                                .toArray(String[]::new));
        int committedAtKill;
        List<Prediction> committed;
        Delivery.Outcome outcome;
        try (KafkaBroker.CommittedReader predictions = SERVICES.kafka().reader(run.predictions);
                KafkaBroker.CommittedReader deadLetters =
                        SERVICES.kafka().reader(run.deadLetters)) {
            committedAtKill = predictions.awaitAtLeast(CRASH_EVENTS / 4, WAIT).size();
            // The second half arrives while the TaskManager dies and its successor starts.
            Thread producer =
                    new Thread(
                            () -> {
                                try {
                                    for (int i = half; i < records.size(); i += 100) {
                                        run.kafka.produce(
                                                run.events,
                                                records.subList(
                                                        i, Math.min(records.size(), i + 100)));
                                        Thread.sleep(100);
                                    }
                                } catch (Exception e) {
                                    throw new IllegalStateException(e);
                                }
                            },
                            "produce-through-the-crash");
            producer.start();
            cluster.killTaskManager();
            cluster.startTaskManager();
            producer.join();

            predictions.awaitAtLeast(CRASH_EVENTS, WAIT);
            committed = JobRun.predictions(predictions.readFor(Duration.ofSeconds(3)));
            outcome = Delivery.assertExactlyOnce(committed, events);

            deadLetters.awaitAtLeast(CRASH_HOSTILE, WAIT);
            List<ConsumerRecord<byte[], byte[]>> letters =
                    deadLetters.readFor(Duration.ofSeconds(1));
            Set<String> sources = new HashSet<>();
            for (ConsumerRecord<byte[], byte[]> letter : letters) {
                JsonNode source = new ObjectMapper().readTree(letter.value()).get("source");
                sources.add(source.get("partition").asInt() + "@" + source.get("offset").asLong());
            }
            assertThat(letters).as("dead letters").hasSize(CRASH_HOSTILE);
            assertThat(sources).as("distinct records dead-lettered").hasSize(CRASH_HOSTILE);
        } finally {
            cluster.cancel(jobId);
        }
        assertThat(committedAtKill).as("committed before the kill").isLessThan(CRASH_EVENTS);
        int cards = assertRedisHoldsTheNewestPredictionPerCard(run.keyPrefix, events, committed);
        Figures.record(
                "TaskManager killed (SIGKILL) mid-stream on the standalone cluster, a new one"
                        + " started",
                1,
                outcome,
                committedAtKill
                        + " committed at the kill; "
                        + CRASH_HOSTILE
                        + " hostile records, one dead letter each; Redis newest for all "
                        + cards
                        + " cards");
    }

    /**
     * Every metric the Grafana dashboard in the chart queries of the scoring job is one the
     * cluster's Prometheus reporters serve, under the name the dashboard uses.
     */
    private static void assertTheDashboardsMetricsAreServed() throws Exception {
        String dashboard =
                Files.readString(Repository.root().resolve("helm/rtml/dashboards/rtml.json"));
        Set<String> queried = new TreeSet<>();
        Matcher name = Pattern.compile("flink_[A-Za-z0-9_]+").matcher(dashboard);
        while (name.find()) {
            queried.add(name.group());
        }
        Matcher evaluation = EVALUATION_JOB_SERIES.matcher(dashboard);
        int evaluationSeries = 0;
        while (evaluation.find()) {
            queried.remove(evaluation.group(1));
            evaluationSeries++;
        }
        assertThat(evaluationSeries).as("queries of the evaluation's job").isPositive();
        assertThat(queried).isNotEmpty();
        assertThat(cluster.prometheusMetricNames()).containsAll(queried);
    }

    /**
     * Each card's hash holds the prediction of its newest event (latest time, then largest id) and
     * no other card has one. Returns the number of cards.
     */
    private static int assertRedisHoldsTheNewestPredictionPerCard(
            String keyPrefix, List<TransactionEvent> events, List<Prediction> committed) {
        try (Jedis jedis = SERVICES.redis().client()) {
            int cards =
                    Delivery.assertRedisHoldsNewest(
                            jedis, keyPrefix, events, committed, card -> true);
            assertThat(jedis.keys(keyPrefix + "card:*")).hasSize(cards);
            return cards;
        }
    }
}
