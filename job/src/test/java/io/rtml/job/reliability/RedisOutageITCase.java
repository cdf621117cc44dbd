package io.rtml.job.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtml.event.TransactionEvent;
import io.rtml.inference.Prediction;
import io.rtml.job.cli.FlinkCluster;
import io.rtml.job.testing.Delivery;
import io.rtml.job.testing.Figures;
import io.rtml.job.testing.JobRun;
import io.rtml.testing.KafkaBroker;
import io.rtml.testing.TestServices;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.flink.client.program.ClusterClient;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.InjectClusterClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * Redis killed mid-stream (SIGKILL) and back 20 s later on the same port: the job retries with
 * backoff, holding what it could not write in its bounded buffer (then backpressuring), never fails
 * and never drops. Redis keeps its writes in an append-only file (appendfsync always), as a
 * production Redis that must survive a restart does; what the job promises is that every write it
 * was given reaches Redis once Redis is back, newest wins.
 */
class RedisOutageITCase {
    private static final Duration WAIT = Duration.ofMinutes(4);
    private static final Duration OUTAGE = Duration.ofSeconds(20);
    private static final int BEFORE = 2_000;
    private static final int DURING = 2_000;
    private static final int AFTER = 1_000;

    @RegisterExtension
    static final TestServices SERVICES =
            TestServices.builder().kafka().persistentRedis().flink().build();

    @TempDir Path checkpoints;

    @Test
    void retriesThroughAnOutageAndEndsWithEveryCardsNewestPrediction(
            @InjectClusterClient ClusterClient<?> cluster) throws Exception {
        List<TransactionEvent> events = JobRun.generate(13, BEFORE + DURING + AFTER);
        JobRun run = new JobRun(SERVICES, checkpoints, "redis-outage");
        // A small buffer, so that the outage fills it and the job backpressures.
        run.options.put("redis.max-buffered-writes", "1000");

        JobClient job = run.start();
        String jobId = job.getJobID().toHexString();
        List<Prediction> committed;
        int committedWhenDown;
        int committedWhenBack;
        double retries;
        long restarts;
        try (FlinkCluster rest = new FlinkCluster(URI.create(cluster.getWebInterfaceURL()));
                KafkaBroker.CommittedReader reader = SERVICES.kafka().reader(run.predictions)) {
            run.produce(events.subList(0, BEFORE));
            reader.awaitAtLeast(BEFORE, WAIT);

            SERVICES.killRedis();
            committedWhenDown = reader.readFor(Duration.ofMillis(200)).size();
            run.produce(events.subList(BEFORE, BEFORE + DURING));
            committedWhenBack = reader.readFor(OUTAGE).size();
            SERVICES.restartRedis();

            run.produce(events.subList(BEFORE + DURING, events.size()));
            reader.awaitAtLeast(events.size(), WAIT);
            committed = JobRun.predictions(reader.readFor(Duration.ofSeconds(3)));
            retries = retriesSeen(rest, jobId);
            restarts = rest.restarts(jobId);
        } finally {
            job.cancel().get();
        }

        assertThat(restarts).as("the job never failed").isZero();
        assertThat(retries).as("Redis writes retried").isPositive();
        // Checkpoints wait for the Redis sink's writes, so no prediction made while Redis was
        // down is committed to Kafka before it is back (the events during the outage came after
        // the first count).
        assertThat(committedWhenDown).as("committed when Redis died").isEqualTo(BEFORE);
        assertThat(committedWhenBack).as("committed when Redis came back").isEqualTo(BEFORE);
        Delivery.Outcome outcome = Delivery.assertExactlyOnce(committed, events);
        int cards;
        try (Jedis jedis = SERVICES.redis().client()) {
            cards =
                    Delivery.assertRedisHoldsNewest(
                            jedis, run.keyPrefix, events, committed, card -> true);
            assertThat(jedis.keys(run.keyPrefix + "card:*")).hasSize(cards);
        }
        Figures.record(
                "Redis killed (SIGKILL), back after " + OUTAGE.toSeconds() + " s (AOF on)",
                1,
                outcome,
                "job restarts "
                        + restarts
                        + ", Redis retries "
                        + (long) retries
                        + "; committed predictions "
                        + committedWhenDown
                        + " when Redis died, "
                        + committedWhenBack
                        + " when it came back (checkpoints wait for the Redis sink); Redis"
                        + " newest for all "
                        + cards
                        + " cards");
    }

    /**
     * The Redis sink's retry count. Flink's REST API serves metrics from a cache it refreshes in
     * the background when asked (at most every 10 s), so the first answers may predate the outage.
     */
    private static double retriesSeen(FlinkCluster rest, String jobId) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        double retries = rest.operatorMetricSum(jobId, "Redis", "redis_retries");
        while (retries == 0 && System.nanoTime() < deadline) {
            Thread.sleep(500);
            retries = rest.operatorMetricSum(jobId, "Redis", "redis_retries");
        }
        return retries;
    }
}
