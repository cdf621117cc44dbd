package io.rtml.job.cli;

import io.rtml.inference.ModelContractException;
import io.rtml.job.EvaluationJob;
import io.rtml.job.RtmlJob;
import io.rtml.job.bench.BenchDrainCommand;
import io.rtml.job.bench.BenchFeaturesCommand;
import io.rtml.job.bench.BenchInferenceCommand;
import io.rtml.job.bench.BenchPassthroughCommand;
import io.rtml.job.bench.BenchRateCommand;
import io.rtml.job.config.ConfigException;
import java.time.Duration;
import org.apache.flink.util.TimeUtils;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code rtml} command line, which the scripts call. */
@Command(
        name = "rtml",
        mixinStandardHelpOptions = true,
        version = "rtml 0.1.0",
        description = "Real-time machine-learning predictions on Apache Flink.",
        subcommands = {
            RtmlJob.class,
            EvaluationJob.class,
            SavepointCommand.class,
            StopCommand.class,
            ResumeCommand.class,
            JobsCommand.class,
            ProduceCommand.class,
            WatchCommand.class,
            TailCommand.class,
            LookupCommand.class,
            GenerateCommand.class,
            BackfillCommand.class,
            ParityCommand.class,
            EvaluateCommand.class,
            BenchFeaturesCommand.class,
            BenchInferenceCommand.class,
            BenchDrainCommand.class,
            BenchRateCommand.class,
            BenchPassthroughCommand.class,
            ModelCommand.class,
            TopicsCommand.class
        })
public final class Rtml {
    private Rtml() {}

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line, with its handling of errors: a bad option or model exits 2, saying why. */
    public static CommandLine commandLine() {
        return new CommandLine(new Rtml())
                // Durations as the configuration writes them: 30 s, 2 min, 500 ms.
                .registerConverter(Duration.class, TimeUtils::parseDuration)
                .setExecutionExceptionHandler(
                        (e, cmd, parsed) -> {
                            if (e instanceof ConfigException
                                    || e instanceof ModelContractException
                                    || e instanceof IllegalArgumentException) {
                                cmd.getErr().println("rtml: " + e.getMessage());
                                return 2;
                            }
                            throw e;
                        });
    }
}
