package io.rtml.job.cli;

import io.rtml.job.config.RtmlConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** The job's configuration for commands that run part of it: the same file and flags as run. */
final class ConfigOptions {
    @Option(names = "--config", paramLabel = "FILE", description = "YAML file of job options.")
    Path configFile;

    @Option(
            names = "-D",
            paramLabel = "KEY=VALUE",
            description = "Sets a job option, over the config file (repeatable).")
    Map<String, String> overrides = new LinkedHashMap<>();

    /** The options without a model: for computing features. */
    RtmlConfig withoutModel() {
        return RtmlConfig.loadWithoutModel(configFile, overrides);
    }
}
