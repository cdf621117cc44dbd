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

/**
 * Redis killed for longer than the checkpoint timeout: the checkpoints that wait for the Redis sink
 * expire and the job restarts from its last checkpoint until Redis is back (RedisOutageITCase has
 * the outage the checkpoints outlast). A class of its own: its own mini cluster, broker and Redis.
 */
class RedisLongOutageITCase {
    private static final Duration WAIT = Duration.ofMinutes(4);
    private static final Duration OUTAGE = Duration.ofSeconds(20);
    private static final Duration LONG_OUTAGE_CHECKPOINT_TIMEOUT = Duration.ofSeconds(3);
    private static final int BEFORE = 2_000;
    private static final int DURING = 2_000;
    private static final int AFTER = 1_000;

    @RegisterExtension
    static final TestServices SERVICES =
            TestServices.builder().kafka().persistentRedis().flink().build();

    @TempDir Path checkpoints;

    @Test
    void restartsThroughAnOutageLongerThanTheCheckpointTimeoutAndLosesNothing(
            @InjectClusterClient ClusterClient<?> cluster) throws Exception {
        List<TransactionEvent> events = JobRun.generate(17, BEFORE + DURING + AFTER);
        JobRun run = new JobRun(SERVICES, checkpoints, "redis-long-outage");
        run.options.put("redis.max-buffered-writes", "1000");
        run.options.put("checkpoints.timeout", LONG_OUTAGE_CHECKPOINT_TIMEOUT.toSeconds() + " s");
        run.options.put("checkpoints.tolerable-failures", "0");

        JobClient job = run.start();
        String jobId = job.getJobID().toHexString();
        List<Prediction> committed;
        int committedWhenBack;
        long restartsWhenBack;
        long restarts;
        try (FlinkCluster rest = new FlinkCluster(URI.create(cluster.getWebInterfaceURL()));
                KafkaBroker.CommittedReader reader = SERVICES.kafka().reader(run.predictions)) {
            run.produce(events.subList(0, BEFORE));
            reader.awaitAtLeast(BEFORE, WAIT);

            SERVICES.killRedis();
            run.produce(events.subList(BEFORE, BEFORE + DURING));
            committedWhenBack = reader.readFor(OUTAGE).size();
            restartsWhenBack = rest.restarts(jobId);
            SERVICES.restartRedis();

            run.produce(events.subList(BEFORE + DURING, events.size()));
            reader.awaitAtLeast(events.size(), WAIT);
            committed = JobRun.predictions(reader.readFor(Duration.ofSeconds(3)));
            restarts = rest.restarts(jobId);
            assertThat(rest.jobState(jobId)).isEqualTo("RUNNING");
        } finally {
            job.cancel().get();
        }

        assertThat(committedWhenBack).as("committed while Redis was down").isEqualTo(BEFORE);
        assertThat(restartsWhenBack).as("restarts while Redis was down").isPositive();
        Delivery.Outcome outcome = Delivery.assertExactlyOnce(committed, events);
        int cards =
                Delivery.assertRedisHoldsNewest(SERVICES.redis(), run.keyPrefix, events, committed);
        Figures.record(
                "Redis killed (SIGKILL) for "
                        + OUTAGE.toSeconds()
                        + " s, longer than the checkpoint timeout ("
                        + LONG_OUTAGE_CHECKPOINT_TIMEOUT.toSeconds()
                        + " s, none tolerated)",
                1,
                outcome,
                "job restarts "
                        + restartsWhenBack
                        + " while Redis was down, "
                        + restarts
                        + " in all; committed predictions stayed at "
                        + committedWhenBack
                        + "; Redis newest for all "
                        + cards
                        + " cards");
    }
}
