package io.rtml.job.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rtml.event.EventJson;
import io.rtml.event.TransactionEvent;
import io.rtml.inference.Prediction;
import io.rtml.job.generator.GeneratedTransaction;
import io.rtml.job.generator.TransactionGenerator;
import io.rtml.job.testing.KafkaBroker;
import io.rtml.job.testing.Repository;
import io.rtml.sink.PredictionJson;
import io.rtml.sink.RedisSink;
import io.rtml.testing.RedisServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
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

    private static KafkaBroker kafka;
    private static RedisServer redis;
    private static StandaloneCluster cluster;

    @BeforeAll
    static void startEverything() throws Exception {
        kafka = KafkaBroker.start();
        redis = RedisServer.start();
        Path target = Repository.root().resolve("job/target");
        Path jobJar = target.resolve("rtml-job-0.1.0-SNAPSHOT-flink.jar");
        assertThat(jobJar).as("the shaded jar (mvn package builds it)").isRegularFile();
        cluster =
                StandaloneCluster.start(
                        Files.createTempDirectory(target, "standalone-cluster-"), jobJar);
    }

    @AfterAll
    static void stopEverything() throws Exception {
        try {
            if (cluster != null) {
                cluster.close();
            }
        } finally {
            if (kafka != null) {
                kafka.close();
            }
            if (redis != null) {
                redis.close();
            }
        }
    }

    @Test
    void scoresEveryEventExactlyOnceWhenSubmittedWithTheFlinkClient() throws Exception {
        kafka.createTopics(4, "events", "predictions", "events-dlq", "predictions-shadow");
        kafka.createTopics(1, "model-control");
        List<TransactionEvent> events = generate(8, EVENTS);
        List<Map.Entry<byte[], byte[]>> records = new ArrayList<>();
        for (TransactionEvent event : events) {
            records.add(
                    Map.entry(
                            event.cardId.getBytes(StandardCharsets.UTF_8), EventJson.write(event)));
        }
        // One record the job cannot use, so the dead-letter path and its metric run too.
        records.add(
                EVENTS / 2,
                Map.entry(
                        "c-1".getBytes(StandardCharsets.UTF_8),
                        "{\"event_id\":\"bad-1\",".getBytes(StandardCharsets.UTF_8)));
        kafka.produce("events", records);

        String jobId =
                cluster.submit(
                        "-D", "kafka.bootstrap-servers=" + kafka.bootstrapServers(),
                        "-D", "redis.uri=" + redis.uri(),
                        "-D", "redis.key-prefix=" + KEY_PREFIX,
                        "-D", "model.repository=" + Repository.modelArtifacts(),
                        "-D", "checkpoints.interval=1 s");
        try (KafkaBroker.CommittedReader predictions = kafka.reader("predictions");
                KafkaBroker.CommittedReader deadLetters = kafka.reader("events-dlq")) {
            predictions.awaitAtLeast(EVENTS, WAIT);
            assertThat(cluster.status()).contains("cluster: job " + jobId + " RUNNING rtml");
            List<Prediction> committed =
                    predictions.readFor(Duration.ofSeconds(3)).stream()
                            .map(r -> PredictionJson.read(r.value()))
                            .toList();
            assertExactlyOnePredictionPerEvent(committed, events);
            assertThat(committed).allSatisfy(p -> assertThat(p.fallbackReason).isNull());

            List<ConsumerRecord<byte[], byte[]>> letters = deadLetters.awaitAtLeast(1, WAIT);
            assertThat(letters).hasSize(1);
            JsonNode letter = new ObjectMapper().readTree(letters.get(0).value());
            assertThat(letter.get("source").get("topic").asText()).isEqualTo("events");

            assertTheDashboardsMetricsAreServed();
        } finally {
            cluster.cancel(jobId);
        }
        assertRedisHoldsTheNewestPredictionPerCard(KEY_PREFIX, events);
    }

    /**
     * The TaskManager process killed with SIGKILL while events flow, a new one started: the job
     * restarts from its last checkpoint on it and every event still has exactly one committed
     * prediction, every hostile record exactly one dead letter, and Redis each card's newest.
     */
    @Test
    void scoresEveryEventExactlyOnceThroughATaskManagerKilledMidStream() throws Exception {
        String name = "crash";
        kafka.createTopics(
                4,
                name + "-events",
                name + "-predictions",
                name + "-dlq",
                name + "-predictions-shadow");
        kafka.createTopics(1, name + "-model-control");
        List<TransactionEvent> events = generate(9, CRASH_EVENTS);
        List<Map.Entry<byte[], byte[]>> records = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            TransactionEvent event = events.get(i);
            records.add(
                    Map.entry(
                            event.cardId.getBytes(StandardCharsets.UTF_8), EventJson.write(event)));
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
        kafka.produce(name + "-events", records.subList(0, half));

        String jobId =
                cluster.submit(
                        "-D", "kafka.bootstrap-servers=" + kafka.bootstrapServers(),
                        "-D", "kafka.group-id=" + name,
                        "-D", "kafka.transactional-id-prefix=" + name,
                        "-D", "kafka.topics.events=" + name + "-events",
                        "-D", "kafka.topics.predictions=" + name + "-predictions",
                        "-D", "kafka.topics.dead-letters=" + name + "-dlq",
                        "-D", "kafka.topics.model-control=" + name + "-model-control",
                        "-D", "kafka.topics.shadow-predictions=" + name + "-predictions-shadow",
                        "-D", "redis.uri=" + redis.uri(),
                        "-D", "redis.key-prefix=" + name + ":",
                        "-D", "model.repository=" + Repository.modelArtifacts(),
                        "-D", "checkpoints.interval=1 s");
        int committedAtKill;
        try (KafkaBroker.CommittedReader predictions = kafka.reader(name + "-predictions");
                KafkaBroker.CommittedReader deadLetters = kafka.reader(name + "-dlq")) {
            committedAtKill = predictions.awaitAtLeast(CRASH_EVENTS / 4, WAIT).size();
            // The second half arrives while the TaskManager dies and its successor starts.
            Thread producer =
                    new Thread(
                            () -> {
                                try {
                                    for (int i = half; i < records.size(); i += 100) {
                                        kafka.produce(
                                                name + "-events",
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
            List<Prediction> committed =
                    predictions.readFor(Duration.ofSeconds(3)).stream()
                            .map(r -> PredictionJson.read(r.value()))
                            .toList();
            assertExactlyOnePredictionPerEvent(committed, events);

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
        int cards = assertRedisHoldsTheNewestPredictionPerCard(name + ":", events);
        System.out.println(
                "reliability: TaskManager killed (SIGKILL) with "
                        + committedAtKill
                        + " of "
                        + CRASH_EVENTS
                        + " predictions committed; after a new TaskManager: "
                        + CRASH_EVENTS
                        + " committed, 0 lost, 0 duplicated; "
                        + CRASH_HOSTILE
                        + " dead letters, once each; Redis newest for all "
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

    private static void assertExactlyOnePredictionPerEvent(
            List<Prediction> committed, List<TransactionEvent> events) {
        Set<String> expectedIds = events.stream().map(e -> e.eventId).collect(Collectors.toSet());
        List<String> ids = committed.stream().map(p -> p.eventId).toList();
        assertThat(ids).as("committed predictions").hasSize(events.size());
        assertThat(new HashSet<>(ids)).as("distinct predicted event ids").isEqualTo(expectedIds);
        Map<String, TransactionEvent> byId = new HashMap<>();
        events.forEach(e -> byId.put(e.eventId, e));
        for (Prediction prediction : committed) {
            TransactionEvent event = byId.get(prediction.eventId);
            assertThat(prediction.cardId).isEqualTo(event.cardId);
            assertThat(prediction.eventTimeMs).isEqualTo(event.eventTimeMs);
        }
    }

    /**
     * Each card's hash holds the prediction of its newest event: latest time, then largest id.
     * Returns the number of cards.
     */
    private static int assertRedisHoldsTheNewestPredictionPerCard(
            String keyPrefix, List<TransactionEvent> events) {
        Map<String, TransactionEvent> newest = new HashMap<>();
        Comparator<TransactionEvent> order =
                Comparator.<TransactionEvent>comparingLong(e -> e.eventTimeMs)
                        .thenComparing(e -> e.eventId);
        for (TransactionEvent event : events) {
            newest.merge(event.cardId, event, (a, b) -> order.compare(a, b) >= 0 ? a : b);
        }
        try (Jedis jedis = redis.client()) {
            for (TransactionEvent event : newest.values()) {
                Map<String, String> hash = jedis.hgetAll(RedisSink.key(keyPrefix, event.cardId));
                assertThat(hash.get(RedisSink.FIELD_EVENT_ID))
                        .as(event.cardId)
                        .isEqualTo(event.eventId);
                Prediction stored =
                        PredictionJson.read(
                                hash.get(RedisSink.FIELD_PREDICTION)
                                        .getBytes(StandardCharsets.UTF_8));
                assertThat(stored.eventId).isEqualTo(event.eventId);
            }
            assertThat(jedis.keys(keyPrefix + "card:*")).hasSize(newest.size());
        }
        return newest.size();
    }

    private static List<TransactionEvent> generate(long seed, int count) {
        TransactionGenerator generator =
                new TransactionGenerator(
                        new TransactionGenerator.Settings(
                                seed, 400, 100, 200, 0.01, 1_767_225_600_000L));
        List<TransactionEvent> events = new ArrayList<>();
        for (GeneratedTransaction transaction : generator.take(count)) {
            events.add(transaction.event());
        }
        return events;
    }
}
