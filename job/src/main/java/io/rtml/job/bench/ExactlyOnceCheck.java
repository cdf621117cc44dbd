package io.rtml.job.bench;

import io.rtml.job.CommittedTopicReader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;

/**
 * Exactly once, checked by event id: every event id of the events topic appears exactly {@code
 * copies} times among the committed records of the output topic (read_committed), and the output
 * holds no other id. Reads both topics from their beginning to their end as they are when it runs,
 * so run it once the output is complete.
 */
public final class ExactlyOnceCheck {
    /** What the check found; {@code examples} names a few ids of each kind of fault. */
    public record Result(
            long events,
            long outputRecords,
            long exact,
            long missing,
            long duplicated,
            long unknown,
            List<String> examples) {
        public boolean holds() {
            return missing == 0 && duplicated == 0 && unknown == 0;
        }

        public Map<String, Object> toMap() {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("events", events);
            map.put("output_records", outputRecords);
            map.put("exactly_once", exact);
            map.put("missing", missing);
            map.put("duplicated", duplicated);
            map.put("unknown", unknown);
            map.put("holds", holds());
            map.put("examples", examples);
            return map;
        }
    }

    private static final int MAX_EXAMPLES = 5;

    private ExactlyOnceCheck() {}

    /**
     * @param committedConsumer a read_committed consumer's settings ({@code
     *     KafkaClients.committedConsumer}), with the fetch sizes of a bulk read
     */
    public static Result check(
            Properties committedConsumer, String eventsTopic, String outputTopic, int copies)
            throws Exception {
        Map<String, int[]> counts = new HashMap<>();
        long[] events = {0};
        readAll(
                committedConsumer,
                eventsTopic,
                id -> {
                    counts.putIfAbsent(id, new int[1]);
                    events[0]++;
                });
        long[] output = {0};
        List<String> unknownIds = new ArrayList<>();
        long[] unknown = {0};
        readAll(
                committedConsumer,
                outputTopic,
                id -> {
                    output[0]++;
                    int[] count = counts.get(id);
                    if (count == null) {
                        if (unknown[0]++ < MAX_EXAMPLES) {
                            unknownIds.add("unknown " + id);
                        }
                    } else {
                        count[0]++;
                    }
                });
        long exact = 0;
        long missing = 0;
        long duplicated = 0;
        List<String> examples = new ArrayList<>(unknownIds);
        for (Map.Entry<String, int[]> entry : counts.entrySet()) {
            int seen = entry.getValue()[0];
            if (seen == copies) {
                exact++;
            } else if (seen < copies) {
                if (missing++ < MAX_EXAMPLES) {
                    examples.add("missing " + entry.getKey() + " (" + seen + " of " + copies + ")");
                }
            } else if (duplicated++ < MAX_EXAMPLES) {
                examples.add("duplicated " + entry.getKey() + " (" + seen + " of " + copies + ")");
            }
        }
        return new Result(events[0], output[0], exact, missing, duplicated, unknown[0], examples);
    }

    /**
     * Every committed record's {@code event_id} (a record without one counts as id "?"), up to the
     * topic's end for read_committed consumers (its last stable offset) when it starts.
     */
    private static void readAll(Properties committedConsumer, String topic, Consumer<String> each)
            throws Exception {
        try (CommittedTopicReader reader =
                CommittedTopicReader.fromBeginning(committedConsumer, topic)) {
            reader.readCommitted(
                    value -> {
                        String id = JsonScan.stringField(value, "event_id");
                        each.accept(id == null ? "?" : id);
                    });
        }
    }
}
