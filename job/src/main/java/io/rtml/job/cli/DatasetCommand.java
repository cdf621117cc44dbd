package io.rtml.job.cli;

import io.rtml.features.CardFeatures;
import io.rtml.features.CardHistory;
import io.rtml.job.generator.GeneratedTransaction;
import io.rtml.job.generator.TransactionGenerator;
import java.io.BufferedWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code rtml dataset}: a labelled training set from the generator, with features computed by the
 * same code the job runs, over each card's events in the order the job would receive them.
 */
@Command(
        name = "dataset",
        mixinStandardHelpOptions = true,
        description =
                "Writes a labelled training set (CSV) of generated events and their features.")
final class DatasetCommand implements Callable<Integer> {
    @Mixin GeneratorOptions generatorOptions;

    @Option(names = "--events", required = true, description = "How many events.")
    int events;

    @Option(
            names = "--out",
            required = true,
            paramLabel = "FILE",
            description = "CSV file to write.")
    Path out;

    @Option(
            names = "--start",
            description = "Simulated time of the first event (default: ${DEFAULT-VALUE}).")
    Instant start = Instant.parse("2026-01-01T00:00:00Z");

    @Override
    public Integer call() throws Exception {
        TransactionGenerator generator = generatorOptions.generator(start.toEpochMilli());
        Map<String, CardHistory> histories = new HashMap<>();
        long frauds = 0;
        if (out.getParent() != null) {
            Files.createDirectories(out.getParent());
        }
        try (BufferedWriter csv = Files.newBufferedWriter(out)) {
            csv.write(
                    "event_id,card_id,event_time,"
                            + String.join(",", CardFeatures.NAMES)
                            + ",label\n");
            StringBuilder row = new StringBuilder(256);
            for (int i = 0; i < events; i++) {
                GeneratedTransaction transaction = generator.next();
                CardHistory history =
                        histories.computeIfAbsent(
                                transaction.event().cardId, c -> new CardHistory());
                float[] features = CardFeatures.computeAndAdd(history, transaction.event());
                row.setLength(0);
                row.append(transaction.event().eventId)
                        .append(',')
                        .append(transaction.event().cardId)
                        .append(',')
                        .append(transaction.event().eventTimeMs);
                for (float value : features) {
                    row.append(',').append(value);
                }
                row.append(',').append(transaction.fraud() ? 1 : 0).append('\n');
                csv.write(row.toString());
                frauds += transaction.fraud() ? 1 : 0;
            }
        }
        System.err.printf(
                "dataset: %,d events (%,d fraud, %.2f %%) written to %s%n",
                events, frauds, 100.0 * frauds / Math.max(1, events), out);
        return 0;
    }
}
