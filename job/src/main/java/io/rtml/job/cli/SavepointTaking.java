package io.rtml.job.cli;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * What {@code rtml savepoint} and {@code rtml stop} share: a savepoint of a job through the
 * cluster's REST endpoint, its location printed as {@code savepoint: <location>}.
 */
abstract class SavepointTaking implements Callable<Integer> {
    static final String DEFAULT_REST_URL = "http://127.0.0.1:8081";

    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "JOB_ID", description = "The job (flink list shows it).")
    String jobId;

    @Option(
            names = "--rest-url",
            paramLabel = "URL",
            description =
                    "The Flink cluster's REST endpoint (default: ${DEFAULT-VALUE}: rtml run --local"
                            + " and scripts/cluster).")
    URI restUrl = URI.create(DEFAULT_REST_URL);

    @Option(
            names = "--target-dir",
            paramLabel = "DIR",
            description =
                    "Where the savepoint goes (a durable URI); default: the cluster's"
                            + " execution.checkpointing.savepoint-dir.")
    String targetDirectory;

    @Option(
            names = "--timeout",
            paramLabel = "SECONDS",
            description = "How long to wait for the savepoint (default: ${DEFAULT-VALUE} s).")
    long timeoutSeconds = 600;

    /** Whether the job stops with the savepoint. */
    abstract boolean stops();

    @Override
    public Integer call() throws Exception {
        String location;
        try {
            location =
                    new FlinkRest(restUrl)
                            .savepoint(
                                    FlinkRest.jobId(jobId),
                                    targetDirectory,
                                    stops(),
                                    Duration.ofSeconds(timeoutSeconds));
        } catch (IOException e) {
            spec.commandLine().getErr().println("rtml: " + e.getMessage());
            return 1;
        }
        spec.commandLine().getOut().println("savepoint: " + location);
        spec.commandLine().getOut().flush();
        return 0;
    }
}
