package io.rtml.job.cli;

import io.rtml.event.EventJson;
import io.rtml.job.generator.GeneratedTransaction;
import io.rtml.job.generator.GeneratorOptions;
import io.rtml.job.generator.TransactionGenerator;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code rtml generate}: generated events to a file (one JSON event per line) and their labels. */
@Command(
        name = "generate",
        mixinStandardHelpOptions = true,
        description = {
            "Writes generated card transactions to a file, one JSON event per line, as they",
            "would be produced, and optionally their ground truth to a labels file",
            "(CSV, RFC 4180 quoting: event_id,label,pattern)."
        })
final class GenerateCommand implements Callable<Integer> {
    @Mixin GeneratorOptions generatorOptions;

    @Option(names = "--events", required = true, description = "How many events.")
    int events;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Events file.")
    Path out;

    @Option(names = "--labels", paramLabel = "FILE", description = "Labels file (CSV).")
    Path labels;

    @Option(
            names = "--start",
            description = "Simulated time of the first event (default: ${DEFAULT-VALUE}).")
    Instant start = Instant.parse("2026-01-01T00:00:00Z");

    @Override
    public Integer call() throws Exception {
        if (events < 1) {
            throw new IllegalArgumentException("--events must be at least 1");
        }
        TransactionGenerator generator = generatorOptions.generator(start.toEpochMilli());
        createParent(out);
        long frauds = 0;
        if (labels != null) {
            createParent(labels);
        }
        try (OutputStream eventsOut = Files.newOutputStream(out);
                LabelsCsv.Writer labelsOut = labels == null ? null : new LabelsCsv.Writer(labels)) {
            for (int i = 0; i < events; i++) {
                GeneratedTransaction transaction = generator.next();
                eventsOut.write(EventJson.write(transaction.event()));
                eventsOut.write('\n');
                if (labelsOut != null) {
                    labelsOut.write(
                            transaction.event().eventId,
                            transaction.fraud(),
                            transaction.pattern());
                }
                frauds += transaction.fraud() ? 1 : 0;
            }
        }
        System.err.printf(
                "generate: %,d events (%,d fraud, %.2f %%) written to %s%n",
                events, frauds, 100.0 * frauds / events, out);
        return 0;
    }

    private static void createParent(Path file) throws Exception {
        if (file.toAbsolutePath().getParent() != null) {
            Files.createDirectories(file.toAbsolutePath().getParent());
        }
    }
}
