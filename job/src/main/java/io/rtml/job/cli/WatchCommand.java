package io.rtml.job.cli;

import io.rtml.event.EventParser;
import io.rtml.event.InvalidEventException;
import io.rtml.inference.Prediction;
import io.rtml.job.CommittedTopicReader;
import io.rtml.job.RedisWriteNotices;
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
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import org.apache.flink.util.TimeUtils;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code rtml watch}: a live view of the running job from its topics (events/s, committed
 * predictions/s, latency, recent high-risk predictions), and with {@code --expect N} the check that
 * every event got exactly one committed prediction.
 *
 * <p>Rates and latencies are over a sliding window ({@code --window}, 10 s), not over the last
 * screen's second: committed predictions arrive in a burst once per checkpoint, so per second they
 * would flip between nothing and a burst. With {@code --redis-uri} it also shows the latency to
 * Redis, which the job writes as soon as a prediction exists, so that figure moves continuously.
 */
@Command(
        name = "watch",
        mixinStandardHelpOptions = true,
        description = {
            "Shows events/s, committed predictions/s, latency and recent flagged predictions,",
            "over a sliding window (--window); with --redis-uri also the latency to Redis.",
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
            description = "The figures every 5 s instead of a refreshing screen.")
    boolean plain;

    @Option(
            names = "--window",
            paramLabel = "DURATION",
            description =
                    "Rates and latencies are over this last span (default: ${DEFAULT-VALUE}).")
    Duration window = Duration.ofSeconds(10);

    @Option(
            names = "--redis-uri",
            paramLabel = "URI",
            description = {
                "Also shows the latency from Kafka ingest to the job's Redis write, for the cards",
                "whose id ends in 0, from Redis's keyspace notifications (turned on for hashes",
                "while watch runs, the previous setting restored at exit)."
            })
    String redisUri;

    @Option(
            names = "--key-prefix",
            paramLabel = "PREFIX",
            description =
                    "With --redis-uri: the job's redis.key-prefix (default: ${DEFAULT-VALUE}).")
    String keyPrefix = RtmlOptions.REDIS_KEY_PREFIX.defaultValue();

    private final Set<String> producedIds = new HashSet<>();
    private final Set<String> predictedIds = new HashSet<>();
    private final Deque<Prediction> recentFlags = new ArrayDeque<>();
    private long produced;
    private long invalid;
    private long predictions;
    private long duplicates;
    private long deadLetters;
    private long fallbacks;
    private Figures figures;
    private String eventsTopic;
    private String predictionsTopic;

    @Override
    public Integer call() throws InterruptedException {
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException(
                    "--window must be positive, got " + TimeUtils.formatWithHighestUnit(window));
        }
        RtmlConfig config = options.withoutModel(kafka);
        eventsTopic = config.get(RtmlOptions.EVENTS_TOPIC);
        predictionsTopic = config.get(RtmlOptions.PREDICTIONS_TOPIC);
        Properties settings = KafkaClients.committedConsumer(config, "rtml-watch");
        settings.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        boolean live = !plain && expect == 0 && System.console() != null;
        PrintStream out = System.out;
        figures = new Figures(window, monotonicMs());
        try (RedisWriteNotices redis =
                        redisUri == null ? null : new RedisWriteNotices(redisUri, keyPrefix, 1);
                CommittedTopicReader reader =
                        CommittedTopicReader.fromBeginning(
                                settings,
                                eventsTopic,
                                predictionsTopic,
                                config.get(RtmlOptions.DEAD_LETTER_TOPIC))) {
            long lastProgress = System.nanoTime();
            long doneSince = 0;
            long lastShown = System.nanoTime();
            while (true) {
                long before = produced + predictions + deadLetters;
                Iterable<ConsumerRecord<byte[], byte[]>> records =
                        reader.poll(Duration.ofMillis(200));
                long arrivedMs = monotonicMs();
                for (ConsumerRecord<byte[], byte[]> record : records) {
                    take(record, arrivedMs, System.currentTimeMillis());
                }
                if (redis != null) {
                    for (RedisWriteNotices.Write write : redis.drain(0)) {
                        figures.redis.sample(write.monotonicMs(), write.latencyMs());
                    }
                }
                long now = System.nanoTime();
                if (produced + predictions + deadLetters != before) {
                    lastProgress = now;
                }
                if (now - lastShown >= (live ? 1_000_000_000L : 5_000_000_000L)) {
                    show(out, live);
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

    /** The clock the windows run on: milliseconds that never go back. */
    private static long monotonicMs() {
        return System.nanoTime() / 1_000_000;
    }

    /** A record read at {@code arrivedMs} (monotonic) and {@code wallMs} (wall clock). */
    private void take(ConsumerRecord<byte[], byte[]> record, long arrivedMs, long wallMs) {
        if (record.topic().equals(eventsTopic)) {
            produced++;
            figures.events.count(arrivedMs, 1);
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
            figures.committed.sample(arrivedMs, wallMs - prediction.ingestTimeMs);
            figures.scored.sample(arrivedMs, prediction.scoredTimeMs - prediction.ingestTimeMs);
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

    private void show(PrintStream out, boolean live) {
        String totals =
                String.format(
                        "totals: events %,d  predictions %,d  dead letters %,d  fallbacks %,d",
                        produced, predictions, deadLetters, fallbacks);
        List<String> lines = figures.lines(monotonicMs(), redisUri != null);
        if (!live) {
            out.println(lines.get(0) + "   " + totals);
            lines.subList(1, lines.size()).forEach(line -> out.println("  " + line));
            return;
        }
        StringBuilder screen = new StringBuilder("\033[H\033[2J");
        screen.append("rtml watch   ").append(Instant.now()).append("   (Ctrl-C to stop)\n\n");
        lines.forEach(line -> screen.append(line).append('\n'));
        screen.append(totals).append("\n\n");
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

    /**
     * What the view shows, each over the same sliding window: events and committed predictions as
     * they arrive here, the latency from Kafka ingest to the committed record (its arrival here),
     * to scoring (the record's {@code scored_time_ms}) and to the Redis write.
     */
    static final class Figures {
        private final Duration span;
        final SlidingWindow events;
        final SlidingWindow committed;
        final SlidingWindow scored;
        final SlidingWindow redis;

        Figures(Duration span, long startMs) {
            this.span = span;
            events = new SlidingWindow(span, startMs);
            committed = new SlidingWindow(span, startMs);
            scored = new SlidingWindow(span, startMs);
            redis = new SlidingWindow(span, startMs);
        }

        /**
         * The view's lines at {@code nowMs}; the Redis line says how to get it when not followed.
         */
        List<String> lines(long nowMs, boolean followingRedis) {
            String over = TimeUtils.formatWithHighestUnit(span);
            return List.of(
                    String.format(
                            "events %,.0f/s   committed predictions %,.0f/s   (over the last %s)",
                            events.perSecond(nowMs), committed.perSecond(nowMs), over),
                    "latency from Kafka ingest, p50 / p99 over the last " + over + ":",
                    row(
                            "to Redis",
                            redis,
                            nowMs,
                            followingRedis
                                    ? "written as soon as scored (cards whose id ends in 0)"
                                    : "rtml watch --redis-uri URI shows it"),
                    row("scored", scored, nowMs, "the record's scored_time_ms"),
                    row(
                            "committed",
                            committed,
                            nowMs,
                            "read_committed: waits for the checkpoint after it, up to"),
                    " ".repeat(CAPTION)
                            + "checkpoints.interval (5 s by default); at a steady rate its p99 is"
                            + " at least that");
        }

        /** Where a row's caption starts: after the label, p50 / p99 and a gap. */
        private static final int CAPTION = 2 + 12 + 11 + 3 + 11 + 3;

        private static String row(String label, SlidingWindow window, long nowMs, String caption) {
            return String.format(
                    "  %-12s%s / %s   %s",
                    label,
                    milliseconds(window.percentile(nowMs, 0.50)),
                    milliseconds(window.percentile(nowMs, 0.99)),
                    caption);
        }

        private static String milliseconds(OptionalLong value) {
            return value.isPresent()
                    ? String.format("%,8d ms", value.getAsLong())
                    : String.format("%8s   ", "-");
        }
    }
}
