package io.rtml.job.cli;

import io.rtml.inference.ModelContractException;
import io.rtml.job.RtmlJob;
import io.rtml.job.config.ConfigException;
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
            ProduceCommand.class,
            WatchCommand.class,
            GenerateCommand.class,
            BackfillCommand.class,
            ParityCommand.class,
            BenchFeaturesCommand.class,
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
