package io.rtml.job.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtml.event.TransactionEvent;
import io.rtml.inference.Prediction;
import io.rtml.job.cli.FlinkCluster;
import io.rtml.job.testing.Delivery;
import io.rtml.job.testing.Figures;
import io.rtml.job.testing.JobRun;
import io.rtml.testing.KafkaBroker;
import io.rtml.testing.RedisServer;
import io.rtml.testing.TestServices;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.client.program.ClusterClient;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.InjectClusterClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Kafka broker (the cluster's only one) shut down mid-stream and started again on its data, on
 * the same port: the job gets through it by itself, exactly once.
 */
class KafkaBrokerRestartITCase {
    private static final Duration WAIT = Duration.ofMinutes(4);
    private static final Duration DOWNTIME = Duration.ofSeconds(10);
    private static final int EVENTS = 4_000;

    /** The broker on a fixed port, so that clients find it again after its restart. */
    @RegisterExtension
    static final TestServices SERVICES =
            TestServices.builder()
                    .kafka(
                            () ->
                                    KafkaBroker.start(
                                            Map.of(
                                                    "listeners",
                                                    "EXTERNAL://localhost:"
                                                            + RedisServer.freePort()
                                                            + ",CONTROLLER://localhost:0"),
                                            Map.of()))
                    .redis()
                    .flink()
                    .build();

    @TempDir Path checkpoints;

    @Test
    void recoversByItselfFromABrokerRestartWithoutLosingOrRepeatingAPrediction(
            @InjectClusterClient ClusterClient<?> cluster) throws Exception {
        List<TransactionEvent> events = JobRun.generate(11, EVENTS);
        JobRun run = new JobRun(SERVICES, checkpoints, "broker-restart");

        JobClient job = run.start();
        String jobId = job.getJobID().toHexString();
        List<Prediction> committed;
        long restarts;
        int committedBeforeRestart;
        try (FlinkCluster rest = new FlinkCluster(URI.create(cluster.getWebInterfaceURL()));
                KafkaBroker.CommittedReader reader = SERVICES.kafka().reader(run.predictions)) {
            run.produce(events.subList(0, EVENTS / 2));
            committedBeforeRestart = reader.awaitAtLeast(EVENTS / 4, WAIT).size();

            // The second half keeps coming, 100 events every 200 ms, through the restarts.
            Thread producer =
                    new Thread(
                            () -> {
                                try {
                                    for (int i = EVENTS / 2; i < EVENTS; i += 100) {
                                        run.produce(events.subList(i, i + 100));
                                        Thread.sleep(200);
                                    }
                                } catch (Exception e) {
                                    throw new IllegalStateException(e);
                                }
                            },
                            "produce-during-restarts");
            producer.start();
            SERVICES.kafka().restart(DOWNTIME);
            reader.awaitAtLeast(EVENTS * 3 / 4, WAIT);
            SERVICES.kafka().restart(DOWNTIME.dividedBy(2));
            producer.join();

            reader.awaitAtLeast(EVENTS, WAIT);
            committed = JobRun.predictions(reader.readFor(Duration.ofSeconds(3)));
            restarts = rest.restarts(jobId);
            assertThat(rest.jobState(jobId)).isEqualTo("RUNNING");
        } finally {
            job.cancel().get();
        }

        // The clients reconnect by themselves: the job never fails over.
        assertThat(restarts).as("job restarts").isZero();
        Delivery.Outcome outcome = Delivery.assertExactlyOnce(committed, events);
        int cards =
                Delivery.assertRedisHoldsNewest(SERVICES.redis(), run.keyPrefix, events, committed);
        Figures.record(
                "Kafka broker restart (clean shutdown, "
                        + DOWNTIME.toSeconds()
                        + " s then "
                        + DOWNTIME.dividedBy(2).toSeconds()
                        + " s down, events flowing)",
                2,
                outcome,
                "job restarts "
                        + restarts
                        + "; "
                        + committedBeforeRestart
                        + " committed before the restart; Redis newest for all "
                        + cards
                        + " cards");
    }
}
