package io.rtml.job.cli;

import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;

/**
 * The labels file {@code rtml generate --labels} writes and {@code backfill}, {@code produce} and
 * {@code evaluate} read: {@link Csv} with the header {@code event_id,label,pattern}.
 */
final class LabelsCsv {
    /** An event's ground truth: 1 for fraud, 0 for legitimate, and the pattern (may be empty). */
    record Truth(int label, String pattern) {}

    private LabelsCsv() {}

    /** event_id to its truth, in file order; the first record is a header. */
    static Map<String, Truth> read(Path file) throws IOException {
        Map<String, Truth> labels = new LinkedHashMap<>();
        try (CSVParser csv =
                Csv.FORMAT.parse(Files.newBufferedReader(file, StandardCharsets.UTF_8))) {
            for (CSVRecord record : csv) {
                if (record.getRecordNumber() == 1) {
                    continue;
                }
                String label = record.size() < 2 ? null : record.get(1);
                if (!"0".equals(label) && !"1".equals(label)) {
                    throw new IllegalArgumentException(
                            file
                                    + ":"
                                    + csv.getCurrentLineNumber()
                                    + ": expected event_id,label[,pattern] with label"
                                    + " 0 or 1, got: "
                                    + String.join(",", record.values()));
                }
                labels.put(
                        record.get(0),
                        new Truth(Integer.parseInt(label), record.size() > 2 ? record.get(2) : ""));
            }
        }
        return labels;
    }

    /** Writes a labels file, header first. */
    static final class Writer implements Closeable {
        private final CSVPrinter csv;

        Writer(Path file) throws IOException {
            csv = Csv.FORMAT.print(file, StandardCharsets.UTF_8);
            csv.printRecord("event_id", "label", "pattern");
        }

        void write(String eventId, boolean fraud, String pattern) throws IOException {
            csv.printRecord(eventId, fraud ? "1" : "0", pattern);
        }

        @Override
        public void close() throws IOException {
            csv.close();
        }
    }
}
