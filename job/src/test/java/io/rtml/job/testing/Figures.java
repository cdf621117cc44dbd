package io.rtml.job.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDate;

/**
 * The figures of each fault tried, for docs/reliability.md: one table row per run, printed and
 * appended to {@code target/reliability-figures.md}.
 */
public final class Figures {
    private static final Path FILE = Path.of("target", "reliability-figures.md");

    private Figures() {}

    public static void record(String fault, int times, Delivery.Outcome outcome, String notes) {
        String row =
                "| "
                        + fault
                        + " | "
                        + times
                        + " | "
                        + outcome.events()
                        + " | "
                        + outcome.committed()
                        + " | "
                        + outcome.lost()
                        + " | "
                        + outcome.duplicated()
                        + " | "
                        + notes
                        + " |";
        System.out.println("reliability: " + row);
        try {
            Files.createDirectories(FILE.getParent());
            Files.writeString(
                    FILE,
                    "<!-- " + LocalDate.now() + " -->\n" + row + "\n",
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
