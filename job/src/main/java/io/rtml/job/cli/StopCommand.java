package io.rtml.job.cli;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code rtml stop <job id>}: stops a job with a savepoint (Flink's stop-with-savepoint: the
 * sources stop, a last savepoint is taken and its Kafka transactions committed, then the job
 * finishes).
 */
@Command(
        name = "stop",
        mixinStandardHelpOptions = true,
        description = {
            "Stops a job with a savepoint and prints its location: nothing is lost or repeated"
                    + " when a job resumes from it.",
            "Resume with: rtml resume --from <location> [job options]"
        })
final class StopCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "JOB_ID", description = "The job (flink list shows it).")
    String jobId;

    @Option(
            names = "--rest-url",
            paramLabel = "URL",
            description = "The Flink cluster's REST endpoint (default: ${DEFAULT-VALUE}).")
    URI restUrl = URI.create(SavepointCommand.DEFAULT_REST_URL);

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

    @Override
    public Integer call() throws Exception {
        String location;
        try {
            location =
                    new FlinkRest(restUrl)
                            .savepoint(
                                    FlinkRest.jobId(jobId),
                                    targetDirectory,
                                    true,
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
