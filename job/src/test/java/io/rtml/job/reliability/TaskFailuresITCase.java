package io.rtml.job.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.rtml.event.TransactionEvent;
import io.rtml.inference.Prediction;
import io.rtml.job.Connectors;
import io.rtml.job.cli.FlinkCluster;
import io.rtml.job.config.RtmlConfig;
import io.rtml.job.reliability.InjectedFailures.FailingDeserializer;
import io.rtml.job.reliability.InjectedFailures.FailingRedisSink;
import io.rtml.job.reliability.InjectedFailures.Plan;
import io.rtml.job.testing.Delivery;
import io.rtml.job.testing.Figures;
import io.rtml.job.testing.JobRun;
import io.rtml.sink.PredictionJson;
import io.rtml.sink.RedisSink;
import io.rtml.testing.KafkaBroker;
import io.rtml.testing.TestServices;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.client.program.ClusterClient;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.InjectClusterClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * Task failures injected at seeded random points of one run, in the source and in the Redis sink:
 * the committed predictions are exactly the events, and predictions and Redis end as a clean run of
 * the same events leaves them.
 */
class TaskFailuresITCase {
    private static final Duration WAIT = Duration.ofMinutes(4);
    private static final int EVENTS = 4_000;
    private static final long SEED = 20_261_123L;

    @RegisterExtension
    static final TestServices SERVICES = TestServices.builder().kafka().redis().flink().build();

    @TempDir Path checkpoints;

    @Test
    void repeatedTaskFailuresLoseAndDuplicateNothingAndEndAsACleanRun(
            @InjectClusterClient ClusterClient<?> cluster) throws Exception {
        List<TransactionEvent> events = JobRun.generate(SEED, EVENTS);

        JobRun clean = new JobRun(SERVICES, checkpoints.resolve("clean"), "clean");
        clean.produce(events);
        List<Prediction> cleanPredictions;
        JobClient cleanJob = clean.start();
        try (KafkaBroker.CommittedReader reader = SERVICES.kafka().reader(clean.predictions)) {
            reader.awaitAtLeast(EVENTS, WAIT);
            cleanPredictions = JobRun.predictions(reader.readFor(Duration.ofSeconds(2)));
        } finally {
            cleanJob.cancel().get();
        }
        Delivery.assertExactlyOnce(cleanPredictions, events);

        JobRun run = new JobRun(SERVICES, checkpoints.resolve("faulty"), "faulty");
        RtmlConfig config = run.config();
        // Counted over every attempt: replays after a restart move the later points on.
        Plan source = InjectedFailures.plan(run.name + "-source", SEED, 3, 200, EVENTS);
        Plan sink = InjectedFailures.plan(run.name + "-redis-sink", SEED + 1, 2, 200, EVENTS);
        JobClient job =
                run.start(
                        pipeline ->
                                pipeline.events(
                                                Connectors.events(
                                                        config,
                                                        new FailingDeserializer(source.name)))
                                        .latestPredictions(
                                                new FailingRedisSink(config.redis(), sink.name)));
        List<Prediction> committed;
        long restarts;
        try (KafkaBroker.CommittedReader reader = SERVICES.kafka().reader(run.predictions)) {
            // Live traffic in four parts, each produced once the job is on with the last.
            int part = EVENTS / 4;
            for (int i = 0; i < 4; i++) {
                run.produce(events.subList(i * part, (i + 1) * part));
                reader.awaitAtLeast(i * part + part / 2, WAIT);
            }
            reader.awaitAtLeast(EVENTS, WAIT);
            committed = JobRun.predictions(reader.readFor(Duration.ofSeconds(3)));
            try (FlinkCluster rest = new FlinkCluster(URI.create(cluster.getWebInterfaceURL()))) {
                restarts = rest.restarts(jobId(job));
            }
        } finally {
            job.cancel().get();
        }

        assertThat(source.happened).as("injected source failures").hasSize(source.planned());
        assertThat(sink.happened).as("injected Redis sink failures").hasSize(sink.planned());
        assertThat(restarts).as("restarts: one per injected failure").isEqualTo(5);
        Delivery.Outcome outcome = Delivery.assertExactlyOnce(committed, events);

        // Every prediction as in the clean run.
        Map<String, Prediction> cleanById = new HashMap<>();
        cleanPredictions.forEach(p -> cleanById.put(p.eventId, p));
        for (Prediction prediction : committed) {
            Prediction reference = cleanById.get(prediction.eventId);
            assertThat((double) prediction.score)
                    .as(prediction.eventId)
                    .isCloseTo(reference.score, within(Delivery.SCORE_TOLERANCE));
        }

        // Redis as the clean run left it: each card's newest prediction.
        int cards;
        try (Jedis jedis = SERVICES.redis().client()) {
            cards =
                    Delivery.assertRedisHoldsNewest(
                            jedis, run.keyPrefix, events, committed, card -> true);
            for (String card : Delivery.newestPerCard(events).keySet()) {
                Map<String, String> faulty = jedis.hgetAll(RedisSink.key(run.keyPrefix, card));
                Map<String, String> reference = jedis.hgetAll(RedisSink.key(clean.keyPrefix, card));
                assertThat(faulty.get(RedisSink.FIELD_EVENT_ID))
                        .isEqualTo(reference.get(RedisSink.FIELD_EVENT_ID));
                assertThat(faulty.get(RedisSink.FIELD_EVENT_TIME_MS))
                        .isEqualTo(reference.get(RedisSink.FIELD_EVENT_TIME_MS));
                assertThat(faulty.get(RedisSink.FIELD_FEATURES))
                        .isEqualTo(reference.get(RedisSink.FIELD_FEATURES));
                assertThat((double) score(faulty))
                        .isCloseTo(score(reference), within(Delivery.SCORE_TOLERANCE));
            }
            assertThat(jedis.keys(run.keyPrefix + "card:*")).hasSize(cards);
        }
        Figures.record(
                "task failure (source ×3, Redis sink ×2, seeded points)",
                source.happened.size() + sink.happened.size(),
                outcome,
                "restarts "
                        + restarts
                        + "; Redis equal to a clean run's for all "
                        + cards
                        + " cards");
    }

    private static float score(Map<String, String> hash) {
        return PredictionJson.read(
                        hash.get(RedisSink.FIELD_PREDICTION).getBytes(StandardCharsets.UTF_8))
                .score;
    }

    static String jobId(JobClient job) {
        return job.getJobID().toHexString();
    }
}
