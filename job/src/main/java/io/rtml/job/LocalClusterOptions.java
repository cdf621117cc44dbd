package io.rtml.job;

import java.nio.file.Path;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;
import picocli.CommandLine.Option;

/**
 * The options of a job that can also run in an embedded cluster: {@code --local}, {@code
 * --flink-conf}.
 */
public final class LocalClusterOptions {
    @Option(
            names = "--local",
            description =
                    "Runs in an embedded cluster with the web UI, configured by --flink-conf.")
    public boolean local;

    @Option(
            names = "--flink-conf",
            paramLabel = "DIR",
            defaultValue = "flink-conf/local",
            description =
                    "Directory of the Flink config.yaml for --local (default: ${DEFAULT-VALUE}).")
    Path flinkConfDir;

    /** The Flink configuration in {@code --flink-conf}'s config.yaml. */
    public Configuration flinkConfiguration() {
        return GlobalConfiguration.loadConfiguration(flinkConfDir.toString());
    }
}
