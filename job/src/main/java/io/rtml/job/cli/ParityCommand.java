package io.rtml.job.cli;

import io.rtml.event.EventParser;
import io.rtml.event.InvalidEventException;
import io.rtml.features.FeatureVector;
import io.rtml.job.Backfill;
import io.rtml.job.CommittedTopicReader;
import io.rtml.job.config.ConfigOptions;
import io.rtml.job.config.KafkaClients;
import io.rtml.job.config.RtmlConfig;
import io.rtml.job.config.RtmlOptions;
import io.rtml.sink.FeatureVectorJson;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code rtml parity}: compares what the streaming job served (its feature log) with what the
 * backfill computes from the same events, vector by vector.
 */
@Command(
        name = "parity",
        mixinStandardHelpOptions = true,
        description = {
            "Reads the feature vectors the running job served (features.log-topic) for the events",
            "in --events-file, computes the same events' features with the backfill, compares",
            "them by event id and prints 'parity: events=N identical=I different=D'. Exits 0",
            "only when every event's vectors are identical."
        })
final class ParityCommand implements Callable<Integer> {
    @Mixin ConfigOptions config;

    @Option(
            names = "--events-file",
            required = true,
            paramLabel = "FILE",
            description = "The events that were produced, one JSON event per line.")
    Path eventsFile;

    @Option(
            names = "--timeout",
            description =
                    "Give up waiting for the feature log when nothing new arrives for this long"
                            + " (default: ${DEFAULT-VALUE}).")
    Duration timeout = Duration.ofSeconds(120);

    @Override
    public Integer call() throws Exception {
        RtmlConfig options = config.withoutModel();
        List<String> columns = options.spec().columns();
        String topic = options.get(RtmlOptions.FEATURE_LOG_TOPIC);
        if (topic.isEmpty()) {
            throw new IllegalArgumentException(
                    "set -D features.log-topic=<topic>: the topic the job logs its vectors to");
        }
        long events = countEvents(eventsFile);
        Map<String, float[]> served = readFeatureLog(options, topic, events);
        Map<String, float[]> backfilled = new HashMap<>();
        Backfill.run(
                options,
                new Backfill.EventsFile(eventsFile),
                partial -> backfilled.put(partial.event.eventId, partial.values));

        long identical = 0;
        List<String> examples = new ArrayList<>();
        for (Map.Entry<String, float[]> entry : backfilled.entrySet()) {
            float[] streamed = served.get(entry.getKey());
            if (streamed != null && Arrays.equals(streamed, entry.getValue())) {
                identical++;
            } else if (examples.size() < 5) {
                examples.add(describe(entry.getKey(), streamed, entry.getValue(), columns));
            }
        }
        examples.forEach(System.err::println);
        long different = events - identical;
        System.out.printf(
                "parity: events=%d identical=%d different=%d%n", events, identical, different);
        return identical == events ? 0 : 1;
    }

    private static long countEvents(Path file) throws Exception {
        long count = 0;
        try (var lines = Files.lines(file, StandardCharsets.UTF_8)) {
            for (String line : (Iterable<String>) lines::iterator) {
                try {
                    EventParser.parse(line.getBytes(StandardCharsets.UTF_8), 0);
                    count++;
                } catch (InvalidEventException e) {
                    // Not an event: the job has no vector for it either.
                }
            }
        }
        return count;
    }

    private Map<String, float[]> readFeatureLog(RtmlConfig options, String topic, long expected)
            throws Exception {
        Map<String, float[]> vectors = new HashMap<>();
        try (CommittedTopicReader reader =
                CommittedTopicReader.fromBeginning(
                        KafkaClients.committedConsumer(options, "rtml-parity"), topic)) {
            reader.readUntil(
                    () -> vectors.size() >= expected,
                    timeout,
                    value -> {
                        FeatureVector vector = FeatureVectorJson.read(value);
                        vectors.put(vector.eventId, vector.values);
                    });
        }
        System.err.printf("parity: %,d vectors in the feature log %s%n", vectors.size(), topic);
        return vectors;
    }

    private static String describe(
            String eventId, float[] streamed, float[] backfilled, List<String> columns) {
        if (streamed == null) {
            return "parity: " + eventId + ": not in the feature log";
        }
        StringBuilder text = new StringBuilder("parity: " + eventId + " differs:");
        for (int i = 0; i < columns.size(); i++) {
            if (Float.compare(streamed[i], backfilled[i]) != 0) {
                text.append(' ')
                        .append(columns.get(i))
                        .append(" stream=")
                        .append(streamed[i])
                        .append(" backfill=")
                        .append(backfilled[i]);
            }
        }
        return text.toString();
    }
}
