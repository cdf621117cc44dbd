package io.rtml.job.cli;

import java.io.BufferedReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** The labels file {@code rtml generate --labels} writes: {@code event_id,label,pattern}. */
final class LabelsCsv {
    /** An event's ground truth: 1 for fraud, 0 for legitimate, and the pattern (may be empty). */
    record Truth(int label, String pattern) {}

    private LabelsCsv() {}

    /** event_id to its truth, in file order; the first line is a header. */
    static Map<String, Truth> read(Path file) throws Exception {
        Map<String, Truth> labels = new LinkedHashMap<>();
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            reader.readLine();
            String line;
            int number = 1;
            while ((line = reader.readLine()) != null) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                String[] fields = line.split(",", 3);
                if (fields.length < 2 || !(fields[1].equals("0") || fields[1].equals("1"))) {
                    throw new IllegalArgumentException(
                            file
                                    + ":"
                                    + number
                                    + ": expected event_id,label[,pattern] with label"
                                    + " 0 or 1, got: "
                                    + line);
                }
                labels.put(
                        fields[0],
                        new Truth(Integer.parseInt(fields[1]), fields.length > 2 ? fields[2] : ""));
            }
        }
        return labels;
    }
}
