package io.rtml.job.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

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

    public static Result check(
            Properties clientProperties, String eventsTopic, String outputTopic, int copies) {
        Map<String, int[]> counts = new HashMap<>();
        long[] events = {0};
        readAll(
                clientProperties,
                eventsTopic,
                id -> {
                    counts.putIfAbsent(id, new int[1]);
                    events[0]++;
                });
        long[] output = {0};
        List<String> unknownIds = new ArrayList<>();
        long[] unknown = {0};
        readAll(
                clientProperties,
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
    private static void readAll(Properties clientProperties, String topic, Consumer<String> each) {
        Properties properties = new Properties();
        properties.putAll(clientProperties);
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        properties.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "20000");
        properties.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, "8388608");
        properties.put(ConsumerConfig.CLIENT_ID_CONFIG, "rtml-bench-exactly-once");
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(
                        properties, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            consumer.partitionsFor(topic, Duration.ofSeconds(30))
                    .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            if (partitions.isEmpty()) {
                throw new IllegalArgumentException("topic " + topic + " does not exist");
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                for (ConsumerRecord<byte[], byte[]> record :
                        consumer.poll(Duration.ofMillis(200))) {
                    String id = JsonScan.stringField(record.value(), "event_id");
                    each.accept(id == null ? "?" : id);
                }
            }
        }
    }
}
