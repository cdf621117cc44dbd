package io.rtml.job.cli;

import picocli.CommandLine.Command;

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
final class StopCommand extends SavepointTaking {
    @Override
    boolean stops() {
        return true;
    }
}
