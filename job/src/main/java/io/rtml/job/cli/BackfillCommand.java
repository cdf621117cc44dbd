package io.rtml.job.cli;

import io.rtml.features.PartialFeatures;
import io.rtml.features.spec.FeatureSpec;
import io.rtml.job.Backfill;
import io.rtml.job.config.ConfigOptions;
import io.rtml.job.config.RtmlConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code rtml backfill}: the job's feature stages over past events, written as a training set:
 * event id, entity ids, event time, every feature, and the label where one is known.
 */
@Command(
        name = "backfill",
        mixinStandardHelpOptions = true,
        description = {
            "Computes the features of past events exactly as the streaming job does (the same",
            "feature spec, the same code) and writes a training set (CSV, RFC 4180 quoting):",
            "event_id,<entity ids>,event_time,<features...>,label."
        })
final class BackfillCommand implements Callable<Integer> {
    @Mixin ConfigOptions config;

    @ArgGroup(multiplicity = "1")
    Input input;

    static final class Input {
        @Option(
                names = "--events-file",
                paramLabel = "FILE",
                description = "A file of events, one JSON event per line.")
        Path eventsFile;

        @Option(
                names = "--topic",
                description = "The job's events topic (kafka.* options), as it is now.")
        boolean topic;
    }

    @Option(
            names = "--labels",
            paramLabel = "FILE",
            description = "CSV of event_id,label[,...] (as rtml generate writes).")
    Path labels;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "CSV to write.")
    Path out;

    @Override
    public Integer call() throws Exception {
        RtmlConfig options = config.withoutModel();
        FeatureSpec spec = options.spec();
        Map<String, LabelsCsv.Truth> labelsById =
                labels == null ? Map.of() : LabelsCsv.read(labels);
        if (out.toAbsolutePath().getParent() != null) {
            Files.createDirectories(out.toAbsolutePath().getParent());
        }
        long[] labelled = {0};
        long rows;
        try (TrainingSetCsv csv =
                new TrainingSetCsv(Files.newBufferedWriter(out, StandardCharsets.UTF_8), spec)) {
            rows =
                    Backfill.run(
                            options,
                            input.eventsFile != null
                                    ? new Backfill.EventsFile(input.eventsFile)
                                    : new Backfill.KafkaTopic(),
                            (PartialFeatures partial) -> {
                                LabelsCsv.Truth label = labelsById.get(partial.event.eventId);
                                labelled[0] += label == null ? 0 : 1;
                                try {
                                    csv.write(partial.event, partial.values, label);
                                } catch (IOException e) {
                                    throw new UncheckedIOException(e);
                                }
                            });
        }
        System.err.printf(
                "backfill: %,d events with %d features (%s), %,d labelled, written to %s%n",
                rows, spec.columns().size(), spec.id(), labelled[0], out);
        return 0;
    }
}
