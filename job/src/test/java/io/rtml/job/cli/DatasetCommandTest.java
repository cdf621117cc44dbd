package io.rtml.job.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtml.features.CardFeatures;
import io.rtml.features.CardHistory;
import io.rtml.job.generator.GeneratedTransaction;
import io.rtml.job.generator.TransactionGenerator;
import io.rtml.job.generator.TransactionGenerator.Settings;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code rtml dataset} through the real command line (Rtml.main would exit the JVM, so the test
 * builds the same CommandLine and calls execute).
 */
class DatasetCommandTest {
    private static final String HEADER =
            "event_id,card_id,event_time," + String.join(",", CardFeatures.NAMES) + ",label";
    private static final long DEFAULT_START = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();

    @TempDir Path dir;

    private final StringWriter err = new StringWriter();

    private int rtml(String... args) {
        // Rtml's constructor is private: picocli instantiates it, as it does the subcommands.
        CommandLine commandLine = new CommandLine(Rtml.class);
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }

    /** The generator the command should use: the demo's defaults, with seed and cards set. */
    private static TransactionGenerator generator(long seed, int cards, long start) {
        Settings defaults = Settings.defaults(seed, start);
        return new TransactionGenerator(
                new Settings(
                        seed,
                        cards,
                        defaults.merchants(),
                        defaults.transactionsPerCardPerDay(),
                        defaults.fraudShare(),
                        start));
    }

    @Test
    void writesTheHeaderAndOneRowPerEvent() throws IOException {
        Path out = dir.resolve("train.csv");

        int exitCode =
                rtml(
                        "dataset",
                        "--events",
                        "2000",
                        "--seed",
                        "3",
                        "--cards",
                        "50",
                        "--out",
                        out.toString());

        assertThat(exitCode).isZero();
        List<String> lines = Files.readAllLines(out);
        assertThat(lines.get(0)).isEqualTo(HEADER);
        assertThat(lines).hasSize(1 + 2000);
        assertThat(lines.subList(1, lines.size()))
                .allSatisfy(
                        line ->
                                assertThat(line.split(",", -1))
                                        .hasSize(3 + CardFeatures.NAMES.size() + 1));
    }

    @Test
    void eachRowHoldsTheFeaturesServingComputesForTheSameEventsInOrder() throws IOException {
        Path out = dir.resolve("train.csv");
        rtml(
                "dataset",
                "--events",
                "2000",
                "--seed",
                "3",
                "--cards",
                "50",
                "--out",
                out.toString());
        List<String> rows = Files.readAllLines(out).subList(1, 2001);

        TransactionGenerator generator = generator(3, 50, DEFAULT_START);
        Map<String, CardHistory> histories = new HashMap<>();
        int frauds = 0;
        for (int i = 0; i < rows.size(); i++) {
            GeneratedTransaction transaction = generator.next();
            float[] expected =
                    CardFeatures.computeAndAdd(
                            histories.computeIfAbsent(
                                    transaction.event().cardId, c -> new CardHistory()),
                            transaction.event());
            String[] row = rows.get(i).split(",", -1);

            assertThat(row[0]).as("row %d event_id", i).isEqualTo(transaction.event().eventId);
            assertThat(row[1]).as("row %d card_id", i).isEqualTo(transaction.event().cardId);
            assertThat(Long.parseLong(row[2]))
                    .as("row %d event_time", i)
                    .isEqualTo(transaction.event().eventTimeMs);
            float[] written = new float[expected.length];
            for (int f = 0; f < expected.length; f++) {
                written[f] = Float.parseFloat(row[3 + f]);
            }
            assertThat(written).as("row %d features", i).containsExactly(expected);
            assertThat(row[row.length - 1])
                    .as("row %d label", i)
                    .isEqualTo(transaction.fraud() ? "1" : "0");
            frauds += transaction.fraud() ? 1 : 0;
        }
        // With seed 3 the sample holds both classes, so the label column is really tested.
        assertThat(frauds).isPositive().isLessThan(rows.size());
    }

    @Test
    void labelsAreZeroOrOne() throws IOException {
        Path out = dir.resolve("train.csv");
        rtml(
                "dataset",
                "--events",
                "2000",
                "--seed",
                "3",
                "--cards",
                "50",
                "--out",
                out.toString());

        List<String> labels =
                Files.readAllLines(out).stream()
                        .skip(1)
                        .map(line -> line.substring(line.lastIndexOf(',') + 1))
                        .toList();

        assertThat(labels).hasSize(2000).containsOnly("0", "1").contains("0", "1");
    }

    @Test
    void startsSimulatedTimeAtTheGivenInstant() throws IOException {
        Path out = dir.resolve("train.csv");
        String start = "2026-03-01T12:00:00Z";
        rtml(
                "dataset",
                "--events",
                "10",
                "--seed",
                "3",
                "--cards",
                "50",
                "--start",
                start,
                "--out",
                out.toString());

        List<String> rows = Files.readAllLines(out).subList(1, 11);
        TransactionGenerator generator = generator(3, 50, Instant.parse(start).toEpochMilli());
        for (String row : rows) {
            assertThat(row).startsWith(generator.next().event().eventId + ",");
        }
        assertThat(Long.parseLong(rows.get(0).split(",")[2]))
                .isGreaterThanOrEqualTo(Instant.parse(start).toEpochMilli());
    }

    @Test
    void createsTheOutputDirectory() throws IOException {
        Path out = dir.resolve("data").resolve("nested").resolve("train.csv");

        int exitCode = rtml("dataset", "--events", "5", "--cards", "10", "--out", out.toString());

        assertThat(exitCode).isZero();
        assertThat(Files.readAllLines(out)).hasSize(6);
    }

    @Test
    void refusesToRunWithoutAnOutputFile() {
        int exitCode = rtml("dataset", "--events", "10");

        assertThat(exitCode).isEqualTo(CommandLine.ExitCode.USAGE);
        assertThat(err.toString()).contains("Missing required option: '--out=FILE'");
    }
}
