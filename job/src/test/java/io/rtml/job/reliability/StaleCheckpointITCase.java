package io.rtml.job.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtml.event.TransactionEvent;
import io.rtml.inference.Prediction;
import io.rtml.job.cli.FlinkCluster;
import io.rtml.job.testing.Delivery;
import io.rtml.job.testing.Figures;
import io.rtml.job.testing.JobRun;
import io.rtml.job.testing.RtmlCli;
import io.rtml.testing.KafkaBroker;
import io.rtml.testing.TestServices;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rtml resume} from retained checkpoints, as after two crashes: each run writes a job-id
 * folder of its own under the checkpoints directory. Given the directory, resume takes the newest
 * completed checkpoint and nothing is repeated; given the older run's checkpoint, it refuses,
 * saying how many records it would replay, unless --allow-replay, which then commits exactly that
 * many predictions a second time.
 */
class StaleCheckpointITCase {
    private static final Duration WAIT = Duration.ofMinutes(4);
    private static final int PART = 1_000;
    private static final Pattern JOB_ID =
            Pattern.compile("Job has been submitted with JobID ([0-9a-f]{32})");

    @RegisterExtension
    static final TestServices SERVICES =
            TestServices.builder()
                    .kafka()
                    .redis()
                    .flinkOverRest(JobRun.jarSubmittingCluster())
                    .build();

    private static URI rest;
    private static FlinkCluster flinkRest;

    @TempDir Path directory;

    @BeforeAll
    static void connect() throws Exception {
        rest = SERVICES.flinkRest();
        flinkRest = new FlinkCluster(rest);
    }

    @AfterAll
    static void disconnect() throws Exception {
        flinkRest.close();
    }

    @Test
    void resumesFromTheNewestCheckpointAndRefusesAStaleOneUnlessReplayIsAllowed() throws Exception {
        List<TransactionEvent> events = JobRun.generate(29, 3 * PART);
        Path checkpoints = directory.resolve("checkpoints");
        JobRun run = new JobRun(SERVICES, checkpoints, "stale");
        List<String> options = run.arguments(Map.of());
        try (KafkaBroker.CommittedReader reader = SERVICES.kafka().reader(run.predictions)) {
            // The first run: a third of the events, then it dies (cancelled: its last checkpoint
            // stays).
            String first = run.submit(rest);
            run.produce(events.subList(0, PART));
            reader.awaitAtLeast(PART, WAIT);
            awaitCommittedOffsets(run, PART);
            stop(first);
            Path stale = completedCheckpoint(checkpoints.resolve(first));

            // The second run, from the checkpoints directory: the first run's checkpoint.
            RtmlCli second = resume(options, checkpoints.toString());
            assertThat(second.exitCode()).as(second.toString()).isZero();
            assertThat(second.err())
                    .contains(
                            "resume: the newest completed checkpoint in "
                                    + checkpoints
                                    + " is file:"
                                    + stale);
            String secondId = second.find(JOB_ID);
            run.produce(events.subList(PART, 2 * PART));
            reader.awaitAtLeast(2 * PART, WAIT);
            awaitCommittedOffsets(run, 2 * PART);
            stop(secondId);

            // The first run's checkpoint is stale now: refused, saying what it would replay.
            RtmlCli refused = resume(options, stale.toString());
            assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(2);
            assertThat(refused.err())
                    .startsWith(
                            "rtml: file:"
                                    + stale
                                    + " is behind the offsets consumer group "
                                    + run.name
                                    + " has committed ("
                                    + run.events
                                    + "-")
                    .contains(
                            "): resuming from it replays 1,000 records of "
                                    + run.events
                                    + " whose predictions are already committed, and commits them"
                                    + " again; resume from a newer checkpoint or savepoint, or pass"
                                    + " --allow-replay");
            assertThat(refused.out()).doesNotContain("Job has been submitted");

            // From the directory again: the second run's checkpoint, the newest; the last third of
            // the events, and nothing repeated.
            RtmlCli third = resume(options, checkpoints.toString());
            assertThat(third.exitCode()).as(third.toString()).isZero();
            assertThat(third.err())
                    .contains(
                            "resume: the newest completed checkpoint in "
                                    + checkpoints
                                    + " is file:"
                                    + completedCheckpoint(checkpoints.resolve(secondId)));
            String thirdId = third.find(JOB_ID);
            run.produce(events.subList(2 * PART, 3 * PART));
            reader.awaitAtLeast(3 * PART, WAIT);
            List<Prediction> resumed = JobRun.predictions(reader.readFor(Duration.ofSeconds(3)));
            awaitCommittedOffsets(run, 3 * PART);
            stop(thirdId);
            Delivery.Outcome outcome = Delivery.assertExactlyOnce(resumed, events);

            // Allowed, the stale checkpoint replays exactly what it said: the second and third
            // parts' predictions are committed again.
            RtmlCli replayed = resume(options, stale.toString(), "--allow-replay");
            assertThat(replayed.exitCode()).as(replayed.toString()).isZero();
            assertThat(replayed.err())
                    .contains(
                            "resuming from it replays 2,000 records of "
                                    + run.events
                                    + " whose predictions are already committed, and commits them"
                                    + " again (--allow-replay)");
            String fourthId = replayed.find(JOB_ID);
            reader.awaitAtLeast(5 * PART, WAIT);
            List<Prediction> all = JobRun.predictions(reader.readFor(Duration.ofSeconds(3)));
            stop(fourthId);
            Delivery.Outcome replay = Delivery.compare(all, events);
            assertThat(replay.lost()).isZero();
            assertThat(replay.duplicated()).isEqualTo(2 * PART);

            Figures.record(
                    "resume from a stale checkpoint (two runs' folders; rtml resume)",
                    1,
                    outcome,
                    "the directory resumed from the newest checkpoint: nothing repeated; the older"
                            + " run's checkpoint refused (\"replays 1,000 records\"); with"
                            + " --allow-replay it committed exactly the "
                            + replay.duplicated()
                            + " predictions it announced a second time");
        }
    }

    /** Cancels a job (its last checkpoint is retained) and waits until it has ended. */
    private static void stop(String jobId) throws Exception {
        flinkRest.cancel(jobId);
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!flinkRest.jobState(jobId).equals("CANCELED")) {
            assertThat(System.nanoTime()).as("%s cancelled in time", jobId).isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    /** The one completed checkpoint a cancelled run retained in its job-id folder. */
    private static Path completedCheckpoint(Path jobFolder) throws Exception {
        try (Stream<Path> checkpoints = Files.list(jobFolder)) {
            List<Path> completed =
                    checkpoints
                            .filter(p -> p.getFileName().toString().startsWith("chk-"))
                            .filter(p -> Files.exists(p.resolve("_metadata")))
                            .toList();
            assertThat(completed).as("completed checkpoints in %s", jobFolder).hasSize(1);
            return completed.get(0);
        }
    }

    /**
     * Waits until the run's consumer group has committed {@code count} offsets on the events topic
     * (the source commits them when a checkpoint completes).
     */
    private static void awaitCommittedOffsets(JobRun run, long count) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        try (Admin admin = Admin.create(SERVICES.kafka().clientProperties())) {
            long committed = 0;
            while (committed < count) {
                assertThat(System.nanoTime())
                        .as("%s offsets committed by %s (%s so far)", count, run.name, committed)
                        .isLessThan(deadline);
                Thread.sleep(100);
                committed =
                        admin
                                .listConsumerGroupOffsets(run.name)
                                .partitionsToOffsetAndMetadata()
                                .get(30, TimeUnit.SECONDS)
                                .entrySet()
                                .stream()
                                .filter(e -> e.getKey().topic().equals(run.events))
                                .mapToLong(e -> e.getValue().offset())
                                .sum();
            }
        }
    }

    /** {@code rtml resume --from <from> [flags]} against the test's cluster, with the options. */
    private static RtmlCli resume(List<String> options, String from, String... flags) {
        List<String> args =
                new ArrayList<>(List.of("resume", "--from", from, "--rest-url", rest.toString()));
        args.addAll(List.of(flags));
        args.addAll(options);
        return RtmlCli.run(args);
    }
}
