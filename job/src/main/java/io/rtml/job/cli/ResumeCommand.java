package io.rtml.job.cli;

import io.rtml.job.JobEnvironment;
import io.rtml.job.LocalClusterOptions;
import io.rtml.job.RtmlJob;
import io.rtml.job.Uids;
import io.rtml.job.config.ConfigOptions;
import io.rtml.job.config.KafkaClients;
import io.rtml.job.config.RtmlConfig;
import io.rtml.job.config.RtmlOptions;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.streaming.api.environment.RemoteStreamEnvironment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code rtml resume --from <savepoint>}: submits the job, as this build of it, restored from a
 * savepoint (or a retained checkpoint): what {@code flink run -s} does, to the cluster at {@code
 * --rest-url}, or in an embedded mini cluster with {@code --local}.
 *
 * <p>Given a directory of checkpoints it takes the newest completed one itself. It refuses a
 * restore point whose events offsets are behind those the consumer group has committed: the job
 * would read those records again and commit their predictions a second time ({@code --allow-replay}
 * accepts that).
 */
@Command(
        name = "resume",
        mixinStandardHelpOptions = true,
        description = {
            "Starts the job from a savepoint or retained checkpoint, on the Flink cluster at"
                    + " --rest-url (printing its job id) or --local. Given a directory of"
                    + " checkpoints, it takes the newest completed one.",
            "It refuses a checkpoint behind the offsets the consumer group (kafka.group-id) has"
                    + " committed, saying how many records would be replayed (their predictions"
                    + " committed again), unless --allow-replay.",
            "Operators are matched by uid (io.rtml.job.Uids): state of a uid the job no longer"
                    + " has is refused unless --allow-non-restored-state."
        })
final class ResumeCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(ResumeCommand.class);

    @Spec CommandSpec spec;

    @Option(
            names = "--from",
            required = true,
            paramLabel = "LOCATION",
            description =
                    "A savepoint or retained checkpoint, as rtml stop or rtml savepoint printed"
                            + " it; or a directory of checkpoints (checkpoints.directory, or one"
                            + " job's folder in it), whose newest completed checkpoint is taken.")
    String from;

    @Option(
            names = "--allow-replay",
            description =
                    "Resume even from a checkpoint behind the offsets the consumer group has"
                            + " committed: the records between are read again and their"
                            + " predictions committed a second time.")
    boolean allowReplay;

    @Option(
            names = "--allow-non-restored-state",
            description =
                    "Start even if the savepoint holds state of an operator uid this job lacks"
                            + " (that state is dropped), e.g. after a feature spec changed an"
                            + " entity's state layout and its stage got a new uid.")
    boolean allowNonRestoredState;

    @Mixin RestUrl rest;

    @Option(
            names = "--jar",
            paramLabel = "JAR",
            description =
                    "The job jar the cluster runs (default: the shaded jar beside the rtml jar,"
                            + " job/target/rtml-job-<version>-flink.jar).")
    Path jar;

    @Mixin LocalClusterOptions cluster;

    @Mixin ConfigOptions options;

    @Override
    public Integer call() throws Exception {
        RtmlConfig config = options.load();
        String savepoint = restorePoint(config);
        LOG.info("Resuming rtml from {} with options:{}", savepoint, config.describe());
        if (cluster.local) {
            Configuration flink = JobEnvironment.apply(config, cluster.flinkConfiguration());
            flink.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
            flink.set(StateRecoveryOptions.SAVEPOINT_IGNORE_UNCLAIMED_STATE, allowNonRestoredState);
            StreamExecutionEnvironment env =
                    StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(flink);
            RtmlJob.pipeline(config).build().attachTo(env);
            env.execute();
            return 0;
        }
        URI restUrl = rest.restUrl;
        if (!"http".equals(restUrl.getScheme()) || restUrl.getHost() == null) {
            throw new IllegalArgumentException(
                    "--rest-url: expected http://host:port, got " + restUrl);
        }
        int port = restUrl.getPort() < 0 ? 80 : restUrl.getPort();
        StreamExecutionEnvironment env =
                new RemoteStreamEnvironment(
                        restUrl.getHost(),
                        port,
                        JobEnvironment.apply(config, new Configuration()),
                        jars().stream().map(Path::toString).toArray(String[]::new),
                        null,
                        SavepointRestoreSettings.forPath(savepoint, allowNonRestoredState));
        RtmlJob.pipeline(config).build().attachTo(env);
        JobClient job = env.executeAsync();
        spec.commandLine().getOut().println("Job has been submitted with JobID " + job.getJobID());
        spec.commandLine().getOut().flush();
        return 0;
    }

    /**
     * Where to restore from: {@code --from}, or the newest completed checkpoint in it; refused when
     * its events offsets are behind the consumer group's, unless {@code --allow-replay}.
     */
    private String restorePoint(RtmlConfig config) throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        RetainedCheckpoints.RestorePoint resolved = RetainedCheckpoints.resolve(from);
        org.apache.flink.core.fs.Path restorePoint = resolved.path();
        if (resolved.newest()) {
            err.println(
                    "resume: the newest completed checkpoint in " + from + " is " + restorePoint);
        }
        String topic = config.get(RtmlOptions.EVENTS_TOPIC);
        String group = config.get(RtmlOptions.KAFKA_GROUP_ID);
        Replay replay =
                Replay.of(
                        topic,
                        RetainedCheckpoints.sourceOffsets(restorePoint, Uids.SOURCE),
                        committedOffsets(config, group));
        if (replay.records() > 0) {
            String problem =
                    String.format(
                            "%s is behind the offsets consumer group %s has committed (%s):"
                                    + " resuming from it replays %,d records of %s whose"
                                    + " predictions are already committed, and commits them again",
                            restorePoint,
                            group,
                            String.join(", ", replay.behind()),
                            replay.records(),
                            topic);
            if (!allowReplay) {
                throw new IllegalArgumentException(
                        problem
                                + "; resume from a newer checkpoint or savepoint, or pass"
                                + " --allow-replay");
            }
            err.println("resume: " + problem + " (--allow-replay)");
        }
        err.flush();
        return restorePoint.toString();
    }

    /** The offsets the consumer group has committed, per partition. */
    private static Map<TopicPartition, Long> committedOffsets(RtmlConfig config, String group)
            throws InterruptedException {
        String servers = config.get(RtmlOptions.KAFKA_BOOTSTRAP_SERVERS);
        Map<TopicPartition, Long> offsets = new HashMap<>();
        try (Admin admin = Admin.create(KafkaClients.connection(config))) {
            admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata()
                    .get(30, TimeUnit.SECONDS)
                    .forEach(
                            (partition, committed) -> {
                                if (committed != null) {
                                    offsets.put(partition, committed.offset());
                                }
                            });
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalArgumentException(
                    "cannot read the offsets consumer group "
                            + group
                            + " has committed from Kafka at "
                            + servers
                            + " (resume compares them with the checkpoint's): "
                            + (e.getCause() == null ? e : e.getCause()));
        }
        return offsets;
    }

    /**
     * The jar to ship: {@code --jar}, else the shaded jar beside the jar this runs from; none when
     * it runs from class directories (a cluster in this JVM, as in the tests, has the classes).
     */
    private List<Path> jars() throws URISyntaxException {
        if (jar != null) {
            if (!Files.isRegularFile(jar)) {
                throw new IllegalArgumentException("--jar: " + jar + " does not exist");
            }
            return List.of(jar);
        }
        Path source =
                Path.of(RtmlJob.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        if (!Files.isRegularFile(source)) {
            return List.of();
        }
        String name = source.getFileName().toString();
        if (name.endsWith("-flink.jar")) {
            return List.of(source);
        }
        Path shaded = source.resolveSibling(name.replaceFirst("\\.jar$", "-flink.jar"));
        if (!Files.isRegularFile(shaded)) {
            throw new IllegalArgumentException(
                    "no job jar to submit: "
                            + shaded
                            + " does not exist (mvn package builds it), or pass --jar");
        }
        return List.of(shaded);
    }
}
