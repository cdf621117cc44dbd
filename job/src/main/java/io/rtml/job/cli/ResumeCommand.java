package io.rtml.job.cli;

import io.rtml.job.JobEnvironment;
import io.rtml.job.RtmlJob;
import io.rtml.job.config.RtmlConfig;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.streaming.api.environment.RemoteStreamEnvironment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code rtml resume --from <savepoint>}: submits the job, as this build of it, restored from a
 * savepoint (or a retained checkpoint): what {@code flink run -s} does, to the cluster at {@code
 * --rest-url}, or in an embedded mini cluster with {@code --local}.
 */
@Command(
        name = "resume",
        mixinStandardHelpOptions = true,
        description = {
            "Starts the job from a savepoint or retained checkpoint, on the Flink cluster at"
                    + " --rest-url (printing its job id) or --local.",
            "Operators are matched by uid (io.rtml.job.Uids): state of a uid the job no longer"
                    + " has is refused unless --allow-non-restored-state."
        })
final class ResumeCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(ResumeCommand.class);

    @Spec CommandSpec spec;

    @Option(
            names = "--from",
            required = true,
            paramLabel = "SAVEPOINT",
            description = "The savepoint's location, as rtml stop or rtml savepoint printed it.")
    String savepoint;

    @Option(
            names = "--allow-non-restored-state",
            description =
                    "Start even if the savepoint holds state of an operator uid this job lacks"
                            + " (that state is dropped), e.g. after a feature spec changed an"
                            + " entity's state layout and its stage got a new uid.")
    boolean allowNonRestoredState;

    @Option(
            names = "--rest-url",
            paramLabel = "URL",
            description = "The Flink cluster to submit to (default: ${DEFAULT-VALUE}).")
    URI restUrl = URI.create(SavepointTaking.DEFAULT_REST_URL);

    @Option(
            names = "--jar",
            paramLabel = "JAR",
            description =
                    "The job jar the cluster runs (default: the shaded jar beside the rtml jar,"
                            + " job/target/rtml-job-<version>-flink.jar).")
    Path jar;

    @Option(
            names = "--local",
            description = "Runs in an embedded mini cluster with the web UI, as rtml run --local.")
    boolean local;

    @Option(
            names = "--flink-conf",
            paramLabel = "DIR",
            defaultValue = "flink-conf/local",
            description = "Flink config.yaml directory for --local (default: ${DEFAULT-VALUE}).")
    Path flinkConfDir;

    @Option(names = "--config", paramLabel = "FILE", description = "YAML file of job options.")
    Path configFile;

    @Option(
            names = "-D",
            paramLabel = "KEY=VALUE",
            description = "Sets a job option, over the config file (repeatable).")
    Map<String, String> overrides = new LinkedHashMap<>();

    @Override
    public Integer call() throws Exception {
        RtmlConfig config = RtmlConfig.load(configFile, overrides);
        LOG.info("Resuming rtml from {} with options:{}", savepoint, config.describe());
        if (local) {
            Configuration flink =
                    JobEnvironment.apply(
                            config, GlobalConfiguration.loadConfiguration(flinkConfDir.toString()));
            flink.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
            flink.set(StateRecoveryOptions.SAVEPOINT_IGNORE_UNCLAIMED_STATE, allowNonRestoredState);
            StreamExecutionEnvironment env =
                    StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(flink);
            RtmlJob.pipeline(config).build().attachTo(env);
            env.execute();
            return 0;
        }
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
