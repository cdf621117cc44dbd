package io.rtml.job.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtml.event.TransactionEvent;
import io.rtml.inference.Prediction;
import io.rtml.job.cli.FlinkCluster;
import io.rtml.job.testing.Delivery;
import io.rtml.job.testing.Figures;
import io.rtml.job.testing.JobRun;
import io.rtml.job.testing.Repository;
import io.rtml.job.testing.RtmlCli;
import io.rtml.testing.KafkaBroker;
import io.rtml.testing.TestServices;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator's upgrade path, through the command line against a running Flink cluster's REST
 * endpoint: {@code rtml savepoint}, {@code rtml stop}, then {@code rtml resume} of a new job
 * (another job name, parallelism and batch size; the same uids) from the savepoint, with nothing
 * lost and nothing repeated; and a resume with a feature spec whose entity state layout differs,
 * which the job refuses with a message naming the cause.
 */
class SavepointUpgradeITCase {
    private static final Duration WAIT = Duration.ofMinutes(4);
    private static final int PART = 1_500;
    private static final Pattern SAVEPOINT = Pattern.compile("savepoint: (\\S+)");
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
    void stopsWithASavepointAndResumesANewJobFromItLosingAndRepeatingNothing() throws Exception {
        List<TransactionEvent> events = JobRun.generate(19, 3 * PART);
        JobRun run = new JobRun(SERVICES, directory.resolve("checkpoints"), "upgrade");
        String savepoints = directory.resolve("savepoints").toUri().toString();

        String firstId = run.submit(rest);
        List<Prediction> committed;
        String resumedId;
        try (KafkaBroker.CommittedReader reader = SERVICES.kafka().reader(run.predictions)) {
            run.produce(events.subList(0, PART));
            reader.awaitAtLeast(PART, WAIT);

            // A savepoint of the running job, which goes on.
            RtmlCli savepoint =
                    RtmlCli.run(
                            "savepoint",
                            firstId,
                            "--rest-url",
                            rest.toString(),
                            "--target-dir",
                            savepoints);
            assertThat(savepoint.exitCode()).as(savepoint.toString()).isZero();
            assertThat(savepoint.find(SAVEPOINT))
                    .contains(directory.resolve("savepoints").toString());
            assertThat(flinkRest.jobState(firstId)).isEqualTo("RUNNING");
            RtmlCli running = RtmlCli.run("jobs", "--rest-url", rest.toString());
            assertThat(running.exitCode()).as(running.toString()).isZero();
            assertThat(running.out().lines()).contains(firstId + " RUNNING " + run.name);

            run.produce(events.subList(PART, 2 * PART));
            reader.awaitAtLeast(2 * PART, WAIT);

            // Stop with a savepoint: the job finishes, its last transactions committed.
            RtmlCli stop =
                    RtmlCli.run(
                            "stop",
                            firstId,
                            "--rest-url",
                            rest.toString(),
                            "--target-dir",
                            savepoints);
            assertThat(stop.exitCode()).as(stop.toString()).isZero();
            String stopped = stop.find(SAVEPOINT);
            assertThat(flinkRest.jobState(firstId)).isEqualTo("FINISHED");
            assertThat(RtmlCli.run("jobs", "--rest-url", rest.toString()).out().lines())
                    .contains(firstId + " FINISHED " + run.name);

            // Traffic goes on while no job runs.
            run.produce(events.subList(2 * PART, 3 * PART));

            // A spec whose card state differs: refused, with the reason, on the first card.
            String refusal = refusedResume(run, stopped);
            assertThat(refusal)
                    .contains(
                            "entity state holds 1 numeric and 4 categorical fields, the feature spec"
                                    + " needs 1 and 3: a changed spec needs new operator uids");

            // The new job: same uids, other options; it takes over where the first stopped.
            RtmlCli resume =
                    RtmlCli.run(
                            concat(
                                    List.of(
                                            "resume",
                                            "--from",
                                            stopped,
                                            "--rest-url",
                                            rest.toString()),
                                    run.arguments(
                                            Map.of(
                                                    "job.name", run.name + "-v2",
                                                    "job.parallelism", "1",
                                                    "inference.batch-size", "64"))));
            assertThat(resume.exitCode()).as(resume.toString()).isZero();
            resumedId = resume.find(JOB_ID);

            reader.awaitAtLeast(3 * PART, WAIT);
            committed = JobRun.predictions(reader.readFor(Duration.ofSeconds(3)));
            assertThat(flinkRest.restarts(resumedId)).isZero();
        } finally {
            cancelQuietly(firstId);
        }
        RtmlCli finalStop =
                RtmlCli.run(
                        "stop",
                        resumedId,
                        "--rest-url",
                        rest.toString(),
                        "--target-dir",
                        savepoints);
        assertThat(finalStop.exitCode()).as(finalStop.toString()).isZero();

        Delivery.Outcome outcome = Delivery.assertExactlyOnce(committed, events);
        int cards =
                Delivery.assertRedisHoldsNewest(SERVICES.redis(), run.keyPrefix, events, committed);
        Figures.record(
                "upgrade: rtml savepoint, rtml stop, rtml resume of a new job (parallelism 2 → 1)",
                1,
                outcome,
                PART
                        + " events before the savepoint, "
                        + PART
                        + " before the stop, "
                        + PART
                        + " while stopped; a resume with a changed card state layout refused;"
                        + " Redis newest for all "
                        + cards
                        + " cards");
    }

    @Test
    void namesTheProblemWhenAJobIdOrAJobIsWrong() throws Exception {
        RtmlCli notAnId = RtmlCli.run("stop", "42", "--rest-url", rest.toString());
        assertThat(notAnId.exitCode()).isEqualTo(2);
        assertThat(notAnId.err()).contains("job id must be 32 hexadecimal digits");

        RtmlCli noDirectory =
                RtmlCli.run("savepoint", "0".repeat(32), "--rest-url", rest.toString());
        assertThat(noDirectory.exitCode()).isEqualTo(1);
        assertThat(noDirectory.err())
                .startsWith("rtml: ")
                .contains("Property [target-directory] must be provided");

        RtmlCli unknown =
                RtmlCli.run(
                        "savepoint",
                        "0".repeat(32),
                        "--rest-url",
                        rest.toString(),
                        "--target-dir",
                        directory.toUri().toString());
        assertThat(unknown.exitCode()).isEqualTo(1);
        assertThat(unknown.err()).startsWith("rtml: ").contains("Could not find Flink job");

        RtmlCli noCluster = RtmlCli.run("stop", "0".repeat(32), "--rest-url", "http://127.0.0.1:1");
        assertThat(noCluster.exitCode()).isEqualTo(1);
        assertThat(noCluster.err())
                .contains("cannot reach Flink's REST endpoint at http://127.0.0.1:1");

        RtmlCli noJobs = RtmlCli.run("jobs", "--rest-url", "http://127.0.0.1:1");
        assertThat(noJobs.exitCode()).isEqualTo(1);
        assertThat(noJobs.out()).isEmpty();
        assertThat(noJobs.err())
                .startsWith("rtml: ")
                .contains("cannot reach Flink's REST endpoint at http://127.0.0.1:1");
    }

    /**
     * Resumes with the changed spec, on topics and keys of its own so that nothing it might write
     * mixes with the run's; returns the reason Flink records once the job fails, and cancels it.
     */
    private String refusedResume(JobRun run, String savepoint) throws Exception {
        String scratch = run.name + "-refused";
        SERVICES.kafka()
                .createTopics(
                        4,
                        scratch + "-predictions",
                        scratch + "-dead-letters",
                        scratch + "-shadow");
        RtmlCli resume =
                RtmlCli.run(
                        concat(
                                List.of(
                                        "resume",
                                        "--from",
                                        savepoint,
                                        "--rest-url",
                                        rest.toString()),
                                run.arguments(
                                        Map.of(
                                                "features.spec",
                                                Repository.root()
                                                        .resolve(
                                                                "job/src/test/resources/reliability/"
                                                                        + "fraud-card-layout-changed.yaml")
                                                        .toString(),
                                                "kafka.topics.predictions",
                                                scratch + "-predictions",
                                                "kafka.topics.dead-letters",
                                                scratch + "-dead-letters",
                                                "kafka.topics.shadow-predictions",
                                                scratch + "-shadow",
                                                "kafka.transactional-id-prefix",
                                                scratch,
                                                "redis.key-prefix",
                                                scratch + ":"))));
        assertThat(resume.exitCode()).as(resume.toString()).isZero();
        String jobId = resume.find(JOB_ID);
        long deadline = System.nanoTime() + WAIT.toNanos();
        try {
            while (System.nanoTime() < deadline) {
                for (String exception : flinkRest.exceptions(jobId)) {
                    if (exception.contains("entity state holds")) {
                        return exception;
                    }
                }
                Thread.sleep(250);
            }
            throw new AssertionError("the job with the changed spec did not refuse the state");
        } finally {
            cancelQuietly(jobId);
        }
    }

    /** Cancels a job unless it has ended already. */
    private static void cancelQuietly(String jobId) {
        try {
            flinkRest.cancel(jobId);
        } catch (java.io.IOException | InterruptedException ended) {
            // it finished, failed or was cancelled
        }
    }

    private static List<String> concat(List<String> first, List<String> second) {
        List<String> all = new ArrayList<>(first);
        all.addAll(second);
        return all;
    }
}
