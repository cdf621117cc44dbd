package io.rtml.job.cli;

import io.rtml.inference.Prediction;
import io.rtml.job.CommittedTopicReader;
import io.rtml.job.Endpoints;
import io.rtml.job.config.ConfigOptions;
import io.rtml.job.config.KafkaClients;
import io.rtml.job.config.KafkaOptions;
import io.rtml.job.config.RtmlConfig;
import io.rtml.job.config.RtmlOptions;
import io.rtml.sink.PredictionJson;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.WakeupException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code rtml tail}: committed predictions as they arrive (or from the beginning), filtered by
 * score, decision or card, as a table or as the JSON records exactly as written.
 */
@Command(
        name = "tail",
        mixinStandardHelpOptions = true,
        description = {
            "Prints committed predictions (read_committed: what downstream consumers see) from the",
            "predictions topic: new ones as they arrive, or all of them with --from-beginning.",
            "Follows until Ctrl-C unless --no-follow. Filters combine (all must hold).",
            "--format json prints each record exactly as the job wrote it, one per line."
        })
final class TailCommand implements Callable<Integer> {
    /** Which predictions --decision keeps. */
    enum Decision {
        flag,
        pass
    }

    /** How predictions are printed. */
    enum Format {
        table,
        json
    }

    static final String TABLE_ROW = "%-23s  %-12s  %-10s  %-8s  %-10s  %-16s  %s%n";
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS").withZone(ZoneOffset.UTC);

    @Spec CommandSpec spec;

    @Mixin ConfigOptions options;
    @Mixin KafkaOptions kafka;

    @Option(
            names = "--from-beginning",
            description = "Start at the oldest committed prediction instead of the newest.")
    boolean fromBeginning;

    @Option(
            names = "--no-follow",
            description = "Stop at the last prediction committed when the command started.")
    boolean noFollow;

    @Option(
            names = "--min-score",
            paramLabel = "SCORE",
            description = "Only predictions with at least this score.")
    Double minScore;

    @Option(
            names = "--decision",
            paramLabel = "flag|pass",
            description = "Only predictions with this decision: ${COMPLETION-CANDIDATES}.")
    Decision decision;

    @Option(names = "--card", paramLabel = "CARD_ID", description = "Only this card's predictions.")
    String card;

    @Option(
            names = "--format",
            paramLabel = "table|json",
            description = "table (default) or json (the records as written, one per line).")
    Format format = Format.table;

    @Option(
            names = "--limit",
            paramLabel = "N",
            description = "Stop after N matching predictions; 0 for no limit (default).")
    long limit = 0;

    @Option(
            names = "--connect-timeout",
            hidden = true,
            description =
                    "How long to wait for Kafka before giving up (default: ${DEFAULT-VALUE}).")
    Duration connectTimeout = Duration.ofSeconds(10);

    private volatile boolean stopping;

    @Override
    public Integer call() {
        if (limit < 0) {
            throw new IllegalArgumentException("--limit must not be negative");
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        RtmlConfig config = options.withoutModel(kafka);
        String servers = config.get(RtmlOptions.KAFKA_BOOTSTRAP_SERVERS);
        String topic = config.get(RtmlOptions.PREDICTIONS_TOPIC);
        Properties settings = KafkaClients.committedConsumer(config, "rtml-tail");
        settings.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000");
        CommittedTopicReader reader;
        try {
            reader =
                    CommittedTopicReader.open(
                            settings,
                            fromBeginning
                                    ? CommittedTopicReader.Start.BEGINNING
                                    : CommittedTopicReader.Start.END,
                            connectTimeout,
                            List.of(topic));
        } catch (CommittedTopicReader.MissingTopicException e) {
            err.println("rtml tail: " + Endpoints.topicMissing(topic, servers));
            return 1;
        } catch (TimeoutException e) {
            err.println("rtml tail: " + Endpoints.kafkaUnreachable(servers));
            return 1;
        }
        try (reader) {
            return follow(reader, out, err);
        }
    }

    private int follow(CommittedTopicReader reader, PrintWriter out, PrintWriter err) {
        CountDownLatch finished = new CountDownLatch(1);
        Thread stopOnCtrlC =
                new Thread(
                        () -> {
                            stopping = true;
                            reader.wakeup();
                            try {
                                finished.await(2, TimeUnit.SECONDS);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        },
                        "rtml-tail-stop");
        Runtime.getRuntime().addShutdownHook(stopOnCtrlC);
        try {
            if (format == Format.table) {
                out.printf(
                        TABLE_ROW,
                        "EVENT TIME (UTC)",
                        "CARD",
                        "SCORE",
                        "DECISION",
                        "MODEL",
                        "EVENT ID",
                        "FALLBACK");
                out.flush();
            }
            long shown = 0;
            while (!stopping) {
                if (noFollow && reader.caughtUp()) {
                    break;
                }
                for (ConsumerRecord<byte[], byte[]> record : reader.poll(Duration.ofMillis(200))) {
                    Prediction prediction;
                    try {
                        prediction = PredictionJson.read(record.value());
                    } catch (UncheckedIOException e) {
                        err.printf(
                                "rtml tail: skipped %s-%d offset %d: not a prediction record%n",
                                record.topic(), record.partition(), record.offset());
                        continue;
                    }
                    if (!matches(prediction)) {
                        continue;
                    }
                    print(out, record, prediction);
                    if (limit > 0 && ++shown >= limit) {
                        out.flush();
                        return 0;
                    }
                }
                out.flush();
            }
            return 0;
        } catch (WakeupException stopped) {
            return 0;
        } finally {
            out.flush();
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(stopOnCtrlC);
            } catch (IllegalStateException shuttingDown) {
                // Ctrl-C: the hook is running and waits for this.
            }
        }
    }

    boolean matches(Prediction prediction) {
        return (minScore == null || prediction.score >= minScore)
                && (decision == null || decision.name().equals(prediction.decision))
                && (card == null || card.equals(prediction.cardId));
    }

    private void print(
            PrintWriter out, ConsumerRecord<byte[], byte[]> record, Prediction prediction) {
        if (format == Format.json) {
            out.println(new String(record.value(), StandardCharsets.UTF_8));
            return;
        }
        out.printf(
                TABLE_ROW,
                TIME.format(Instant.ofEpochMilli(prediction.eventTimeMs)),
                prediction.cardId,
                score(prediction.score),
                prediction.decision,
                prediction.modelName + "/" + prediction.modelVersion,
                prediction.eventId,
                prediction.fallbackReason == null ? "-" : prediction.fallbackReason);
    }

    /** Four decimals, or three significant digits for scores too small to show that way. */
    static String score(float score) {
        if (score == 0 || Math.abs(score) >= 1e-3) {
            return String.format(Locale.ROOT, "%.4f", score);
        }
        return String.format(Locale.ROOT, "%.2e", score);
    }
}
