package io.rtml.job.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.apache.flink.runtime.client.JobStatusMessage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code rtml jobs}: the cluster's jobs, one {@code JOB_ID STATE NAME} line each, the earliest
 * started first (what {@code flink list -a} shows, in a form scripts read).
 */
@Command(
        name = "jobs",
        mixinStandardHelpOptions = true,
        description = {
            "Lists the Flink cluster's jobs, one line each: JOB_ID STATE NAME, the earliest"
                    + " started first.",
            "Exits 1 when the cluster's REST endpoint does not answer."
        })
final class JobsCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin RestUrl rest;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try (FlinkCluster cluster = rest.connect()) {
            for (JobStatusMessage job : cluster.jobs()) {
                out.println(job.getJobId() + " " + job.getJobState() + " " + job.getJobName());
            }
        } catch (IOException e) {
            spec.commandLine().getErr().println("rtml: " + e.getMessage());
            return 1;
        }
        out.flush();
        return 0;
    }
}
