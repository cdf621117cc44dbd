package io.rtml.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rtml.job.config.RtmlConfig;
import io.rtml.job.config.RtmlOptions;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
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
    void jobArgumentsAreReadAndTheJobStarts(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("rtml.yaml"), "kafka:\n  group-id: from-file\n");
        StringWriter out = new StringWriter();
        RtmlJob job = new RtmlJob();
        String[] args = {"--config", file.toString(), "-D", "model.version=5", "-D", "job.name=x"};
        assertThat(RtmlJob.parse(job, args, new PrintWriter(out, true))).isTrue();
        assertThat(out.toString()).isEmpty();
        RtmlConfig config = job.options.withoutModel();
        assertThat(config.get(RtmlOptions.KAFKA_GROUP_ID)).isEqualTo("from-file");
        assertThat(config.get(RtmlOptions.MODEL_VERSION)).isEqualTo("5");
        assertThat(config.get(RtmlOptions.JOB_NAME)).isEqualTo("x");
        assertThat(job.local).isFalse();
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
