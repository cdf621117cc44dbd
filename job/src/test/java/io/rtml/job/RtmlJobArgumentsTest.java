package io.rtml.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The job's own arguments, as {@code flink run rtml.jar ARGS} hands them to {@code main}: asking
 * for the usage prints it and starts nothing; anything else is read into the job's options.
 */
class RtmlJobArgumentsTest {
    @Test
    void helpPrintsTheUsageInsteadOfStartingTheJob() {
        for (String help : new String[] {"--help", "-h"}) {
            StringWriter out = new StringWriter();
            RtmlJob job = new RtmlJob();
            assertThat(RtmlJob.parse(job, new String[] {help}, new PrintWriter(out, true)))
                    .as("%s starts the job", help)
                    .isFalse();
            assertThat(out.toString())
                    .startsWith("Usage: run ")
                    .contains("Runs the rtml scoring job", "--config=FILE", "-D=KEY=VALUE");
        }
    }

    @Test
    void helpAfterOtherArgumentsStillOnlyPrintsTheUsage() {
        StringWriter out = new StringWriter();
        String[] args = {"--config", "rtml.yaml", "-D", "model.version=5", "--help"};
        assertThat(RtmlJob.parse(new RtmlJob(), args, new PrintWriter(out, true))).isFalse();
        assertThat(out.toString()).startsWith("Usage: run ");
    }

    @Test
    void evaluationJobPrintsItsOwnUsage() {
        StringWriter out = new StringWriter();
        assertThat(
                        RtmlJob.parse(
                                new EvaluationJob(),
                                new String[] {"--help"},
                                new PrintWriter(out, true)))
                .isFalse();
        assertThat(out.toString())
                .startsWith("Usage: run-evaluation ")
                .contains("Runs the live evaluation job");
    }

    @Test
    void jobArgumentsAreReadAndTheJobStarts() {
        StringWriter out = new StringWriter();
        RtmlJob job = new RtmlJob();
        String[] args = {"--config", "rtml.yaml", "-D", "model.version=5", "-D", "job.name=x"};
        assertThat(RtmlJob.parse(job, args, new PrintWriter(out, true))).isTrue();
        assertThat(out.toString()).isEmpty();
        assertThat(job.options.configFile()).isEqualTo(Path.of("rtml.yaml"));
        assertThat(job.options.overrides())
                .containsExactly(entry("model.version", "5"), entry("job.name", "x"));
        assertThat(job.cluster.local).isFalse();
    }

    @Test
    void anUnknownArgumentIsRefusedByName() {
        assertThatThrownBy(
                        () ->
                                RtmlJob.parse(
                                        new RtmlJob(),
                                        new String[] {"--confg", "rtml.yaml"},
                                        new PrintWriter(new StringWriter(), true)))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("--confg");
    }
}
