package io.rtml.job.cli;

import io.rtml.event.EventParser;
import io.rtml.event.InvalidEventException;
import io.rtml.inference.Prediction;
import io.rtml.job.CommittedTopicReader;
import io.rtml.job.config.ConfigOptions;
import io.rtml.job.config.KafkaClients;
import io.rtml.job.config.KafkaOptions;
import io.rtml.job.config.RtmlConfig;
import io.rtml.job.config.RtmlOptions;
import io.rtml.sink.PredictionJson;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashSet;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code rtml watch}: a live view of the running job from its topics (events/s, committed
 * predictions/s, latency, recent high-risk predictions), and with {@code --expect N} the check that
 * every event got exactly one committed prediction.
 */
@Command(
        name = "watch",
        mixinStandardHelpOptions = true,
        description = {
            "Shows events/s, committed predictions/s, latency and recent flagged predictions.",
            "With --expect N, waits until N events are in the events topic and each has its",
            "committed prediction (or dead letter), then prints one line",
            "'summary: produced=N committed=C missing=M duplicated=D dlq=Q' and exits 0 only",
            "when every valid event has exactly one prediction."
        })
final class WatchCommand implements Callable<Integer> {
    @Mixin ConfigOptions options;
    @Mixin KafkaOptions kafka;

    @Option(names = "--expect", description = "Events to account for before exiting.")
    long expect = 0;

    @Option(
            names = "--timeout",
            description =
                    "With --expect: give up when nothing new arrives for this long"
                            + " (default: ${DEFAULT-VALUE}).")
    Duration timeout = Duration.ofSeconds(120);

    @Option(
            names = "--grace",
            description =
                    "With --expect: after all are accounted for, keep reading this long to catch"
                            + " duplicates (default: ${DEFAULT-VALUE}).")
    Duration grace = Duration.ofSeconds(3);

    @Option(
            names = "--plain",
            description = "One status line every 5 s instead of a refreshing screen.")
    boolean plain;

    private String eventsTopic;
    private String predictionsTopic;
    private final Set<String> producedIds = new HashSet<>();
    private final Set<String> predictedIds = new HashSet<>();
    private final Deque<Prediction> recentFlags = new ArrayDeque<>();
    private long produced;
    private long invalid;
    private long predictions;
    private long duplicates;
    private long deadLetters;
    private long fallbacks;

    @Override
    public Integer call() {
        RtmlConfig config = options.withoutModel(kafka);
        eventsTopic = config.get(RtmlOptions.EVENTS_TOPIC);
        predictionsTopic = config.get(RtmlOptions.PREDICTIONS_TOPIC);
        Properties settings = KafkaClients.committedConsumer(config, "rtml-watch");
        settings.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        boolean live = !plain && expect == 0 && System.console() != null;
        PrintStream out = System.out;
        try (CommittedTopicReader reader =
                CommittedTopicReader.fromBeginning(
                        settings,
                        eventsTopic,
                        predictionsTopic,
                        config.get(RtmlOptions.DEAD_LETTER_TOPIC))) {
            Window window = new Window();
            long lastProgress = System.nanoTime();
            long doneSince = 0;
            long lastShown = System.nanoTime();
            while (true) {
                long before = produced + predictions + deadLetters;
                for (ConsumerRecord<byte[], byte[]> record : reader.poll(Duration.ofMillis(200))) {
                    take(record, window);
                }
                long now = System.nanoTime();
                if (produced + predictions + deadLetters != before) {
                    lastProgress = now;
                }
                if (now - lastShown >= (live ? 1_000_000_000L : 5_000_000_000L)) {
                    show(out, window, (now - lastShown) / 1e9, live);
                    window = new Window();
                    lastShown = now;
                }
                if (expect > 0) {
                    boolean done = produced >= expect && accountedFor() >= produced;
                    if (done && doneSince == 0) {
                        doneSince = now;
                    }
                    if ((done && now - doneSince >= grace.toNanos())
                            || now - lastProgress >= timeout.toNanos()) {
                        return summary(out);
                    }
                }
            }
        }
    }

    private void take(ConsumerRecord<byte[], byte[]> record, Window window) {
        if (record.topic().equals(eventsTopic)) {
            produced++;
            window.events++;
            if (expect > 0) {
                try {
                    producedIds.add(EventParser.parse(record.value(), record.timestamp()).eventId);
                } catch (InvalidEventException e) {
                    invalid++;
                }
            }
        } else if (record.topic().equals(predictionsTopic)) {
            Prediction prediction = PredictionJson.read(record.value());
            predictions++;
            window.predictions++;
            window.committedLatencies.add(System.currentTimeMillis() - prediction.ingestTimeMs);
            window.scoredLatencies.add(prediction.scoredTimeMs - prediction.ingestTimeMs);
            if (prediction.fallbackReason != null) {
                fallbacks++;
            }
            if (Prediction.FLAG.equals(prediction.decision)) {
                recentFlags.addFirst(prediction);
                if (recentFlags.size() > 5) {
                    recentFlags.removeLast();
                }
            }
            if (expect > 0 && !predictedIds.add(prediction.eventId)) {
                duplicates++;
            }
        } else {
            deadLetters++;
        }
    }

    /** Events that have their outcome: a committed prediction, or a dead letter. */
    private long accountedFor() {
        return predictedIds.size() + deadLetters;
    }

    private int summary(PrintStream out) {
        long committed = producedIds.stream().filter(predictedIds::contains).count();
        long missing = producedIds.size() - committed;
        out.printf(
                "summary: produced=%d committed=%d missing=%d duplicated=%d dlq=%d%n",
                produced, committed, missing, duplicates, deadLetters);
        boolean ok = produced == expect && committed == expect && missing == 0 && duplicates == 0;
        return ok ? 0 : 1;
    }

    private void show(PrintStream out, Window window, double seconds, boolean live) {
        String rates =
                String.format(
                        "events %,8.0f/s   predictions %,8.0f/s   totals: events %,d  predictions %,d"
                                + "  dead letters %,d  fallbacks %,d",
                        window.events / seconds,
                        window.predictions / seconds,
                        produced,
                        predictions,
                        deadLetters,
                        fallbacks);
        String latency =
                String.format(
                        "latency from Kafka ingest: scored p50 %s p99 %s   committed p50 %s p99 %s",
                        window.scoredLatencies.percentile(0.50),
                        window.scoredLatencies.percentile(0.99),
                        window.committedLatencies.percentile(0.50),
                        window.committedLatencies.percentile(0.99));
        if (!live) {
            out.println(rates);
            out.println("  " + latency);
            return;
        }
        StringBuilder screen = new StringBuilder("\033[H\033[2J");
        screen.append("rtml watch   ").append(Instant.now()).append("   (Ctrl-C to stop)\n\n");
        screen.append(rates).append("\n").append(latency).append("\n\n");
        screen.append("recent flagged predictions:\n");
        for (Prediction flag : recentFlags) {
            screen.append(
                    String.format(
                            "  %s  card %s  score %.4f  model %s/%s%n",
                            flag.eventId,
                            flag.cardId,
                            flag.score,
                            flag.modelName,
                            flag.modelVersion));
        }
        out.print(screen);
        out.flush();
    }

    /** What arrived since the last screen. */
    private static final class Window {
        long events;
        long predictions;
        final Samples scoredLatencies = new Samples();
        final Samples committedLatencies = new Samples();
    }

    /** Latency samples in milliseconds. */
    private static final class Samples {
        private long[] values = new long[1024];
        private int size;

        void add(long value) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = value;
        }

        String percentile(double p) {
            if (size == 0) {
                return "    -";
            }
            long[] sorted = Arrays.copyOf(values, size);
            Arrays.sort(sorted);
            return String.format("%,5d ms", sorted[(int) Math.min(size - 1, Math.floor(p * size))]);
        }
    }
}
