package io.rtml.job.cli;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * What {@code rtml savepoint} and {@code rtml stop} share: a savepoint of a job through the
 * cluster's REST endpoint, its location printed as {@code savepoint: <location>}.
 */
abstract class SavepointTaking implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "JOB_ID", description = "The job (flink list shows it).")
    String jobId;

    @Mixin RestUrl rest;

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
        try (FlinkCluster cluster = rest.connect()) {
            location =
                    cluster.savepoint(
                            FlinkCluster.jobId(jobId),
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
