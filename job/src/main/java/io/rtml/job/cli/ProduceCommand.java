package io.rtml.job.cli;

import io.rtml.evaluation.Label;
import io.rtml.event.EventJson;
import io.rtml.event.EventParser;
import io.rtml.event.InvalidEventException;
import io.rtml.job.config.ConfigOptions;
import io.rtml.job.config.KafkaClients;
import io.rtml.job.config.KafkaOptions;
import io.rtml.job.config.RtmlConfig;
import io.rtml.job.config.RtmlOptions;
import io.rtml.job.generator.GeneratedTransaction;
import io.rtml.job.generator.GeneratorOptions;
import io.rtml.job.generator.TransactionGenerator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code rtml produce}: generated card transactions to the events topic, at a given rate. */
@Command(
        name = "produce",
        mixinStandardHelpOptions = true,
        description = {
            "Writes generated card transactions to the events topic, keyed by card.",
            "Simulated time starts a week ago (--start) and runs as fast as the rate makes it:",
            "at the default settings a simulated day of 100,000 cards passes in a few minutes.",
            "It never runs ahead of the clock: an event whose time has not come waits for it",
            "(the job refuses events from the future, watermarks.max-future). Each generated",
            "event's label (1 fraud, 0 legitimate) follows on the labels topic after a delay."
        })
final class ProduceCommand implements Callable<Integer> {
    @Mixin ConfigOptions options;
    @Mixin KafkaOptions kafka;
    @Mixin GeneratorOptions generatorOptions;

    @Option(
            names = "--rate",
            description =
                    "Events per second; 0 for as fast as possible (default: ${DEFAULT-VALUE}).")
    double rate = 2000;

    @Option(
            names = "--from-file",
            paramLabel = "FILE",
            description =
                    "Produces these events (one JSON event per line) instead of generated ones.")
    Path fromFile;

    @Option(
            names = "--labels-file",
            paramLabel = "FILE",
            description =
                    "With --from-file: the events' labels (CSV event_id,label,pattern, as rtml"
                            + " generate --labels writes), sent to --labels-topic like generated"
                            + " ones.")
    Path labelsFile;

    @Option(
            names = "--events",
            description =
                    "Stop after this many events; 0 runs until stopped (default: ${DEFAULT-VALUE}).")
    long events = 0;

    @Option(
            names = "--start",
            paramLabel = "INSTANT",
            description =
                    "Simulated time of the first generated event, e.g. 2026-12-01T00:00:00Z"
                            + " (default: a week before now).")
    Instant start;

    @Option(
            names = "--labels-topic",
            description =
                    "Topic the events' ground truth goes to, one label per event, after"
                            + " --label-delay; empty for none. Events from --from-file have"
                            + " labels only with --labels-file (default: ${DEFAULT-VALUE}).")
    String labelsTopic = "labels";

    @Option(
            names = "--label-delay",
            description =
                    "How long after its event a label is sent, as a chargeback arrives later"
                            + " (default: ${DEFAULT-VALUE}).")
    Duration labelDelay = Duration.ofSeconds(30);

    /**
     * A record to send, not before {@code notBeforeMs} (its event's time, for generated ones), with
     * the label that follows it (null when none does).
     */
    private record Outgoing(byte[] value, byte[] label, long notBeforeMs) {}

    /** A label waiting for its wall-clock time to come. */
    private record DueLabel(long dueNanos, byte[] key, byte[] label) {}

    /** Generated events, in simulated time from {@code --start}, with their labels. */
    private Iterator<Outgoing> generated() {
        Instant first = start == null ? Instant.now().minus(Duration.ofDays(7)) : start;
        TransactionGenerator generator = generatorOptions.generator(first.toEpochMilli());
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public Outgoing next() {
                GeneratedTransaction transaction = generator.next();
                return new Outgoing(
                        EventJson.write(transaction.event()),
                        Label.write(
                                transaction.event().eventId,
                                transaction.fraud(),
                                transaction.pattern()),
                        transaction.event().eventTimeMs);
            }
        };
    }

    /** The file's events, each with its label when {@code truth} has one. */
    private static Iterator<Outgoing> lines(Path file, Map<String, LabelsCsv.Truth> truth)
            throws IOException {
        return Files.readAllLines(file, StandardCharsets.UTF_8).stream()
                .filter(line -> !line.isBlank())
                .map(line -> line.getBytes(StandardCharsets.UTF_8))
                .map(value -> new Outgoing(value, label(value, truth), Long.MIN_VALUE))
                .iterator();
    }

    private static byte[] label(byte[] value, Map<String, LabelsCsv.Truth> truth) {
        try {
            String eventId = EventParser.parse(value, 0).eventId;
            LabelsCsv.Truth known = truth.get(eventId);
            return known == null ? null : Label.write(eventId, known.label() == 1, known.pattern());
        } catch (InvalidEventException e) {
            return null;
        }
    }

    /** The record key: the event's card, so that a card's events stay in order. */
    private static byte[] key(byte[] value) {
        try {
            return EventParser.parse(value, 0).cardId.getBytes(StandardCharsets.UTF_8);
        } catch (InvalidEventException e) {
            return null;
        }
    }

    @Override
    public Integer call() throws Exception {
        if (rate < 0 || events < 0) {
            throw new IllegalArgumentException("--rate and --events must not be negative");
        }
        if (labelDelay.isNegative()) {
            throw new IllegalArgumentException("--label-delay must not be negative");
        }
        if (start != null && fromFile != null) {
            throw new IllegalArgumentException(
                    "--start goes with generated events, not --from-file");
        }
        if (labelsFile != null && fromFile == null) {
            throw new IllegalArgumentException("--labels-file goes with --from-file");
        }
        boolean labelled = !labelsTopic.isEmpty() && (fromFile == null || labelsFile != null);
        RtmlConfig config = options.withoutModel(kafka);
        String eventsTopic = config.get(RtmlOptions.EVENTS_TOPIC);
        Properties properties = KafkaClients.producer(config, "rtml-produce");
        properties.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        properties.put(ProducerConfig.BATCH_SIZE_CONFIG, "131072");
        Iterator<Outgoing> source =
                fromFile == null
                        ? generated()
                        : lines(
                                fromFile,
                                labelsFile == null ? Map.of() : LabelsCsv.read(labelsFile));
        ArrayDeque<DueLabel> labels = new ArrayDeque<>();
        AtomicLong failed = new AtomicLong();
        AtomicReference<Exception> firstFailure = new AtomicReference<>();
        Callback onFailure =
                (metadata, e) -> {
                    if (e != null) {
                        failed.incrementAndGet();
                        firstFailure.compareAndSet(null, e);
                    }
                };
        long sent = 0;
        long labelsSent = 0;
        long start = System.nanoTime();
        long lastReport = start;
        long reportedAt = 0;
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(
                        properties, new ByteArraySerializer(), new ByteArraySerializer())) {
            Runtime.getRuntime()
                    .addShutdownHook(new Thread(() -> producer.close(Duration.ofSeconds(5))));
            while ((events == 0 || sent < events) && source.hasNext()) {
                if (rate > 0) {
                    long due = start + (long) (sent * 1e9 / rate);
                    long wait = due - System.nanoTime();
                    if (wait > 1_000_000) {
                        Thread.sleep(wait / 1_000_000);
                    }
                }
                Outgoing outgoing = source.next();
                // Compared, not subtracted: a record with no time to wait for (Long.MIN_VALUE)
                // would overflow the difference.
                long nowMs = System.currentTimeMillis();
                if (outgoing.notBeforeMs() > nowMs) {
                    Thread.sleep(outgoing.notBeforeMs() - nowMs);
                }
                byte[] key = key(outgoing.value());
                producer.send(new ProducerRecord<>(eventsTopic, key, outgoing.value()), onFailure);
                sent++;
                long now = System.nanoTime();
                if (labelled && outgoing.label() != null) {
                    labels.add(new DueLabel(now + labelDelay.toNanos(), key, outgoing.label()));
                    labelsSent += sendDue(producer, labels, now, onFailure);
                }
                if (now - lastReport > 5_000_000_000L) {
                    System.err.printf(
                            "produce: %,d events sent (%,.0f/s)%n",
                            sent, (sent - reportedAt) / ((now - lastReport) / 1e9));
                    lastReport = now;
                    reportedAt = sent;
                }
            }
            if (labelled && !labels.isEmpty()) {
                System.err.printf(
                        "produce: sending the last %,d labels as they fall due%n", labels.size());
                while (!labels.isEmpty()) {
                    Thread.sleep(
                            Math.max(
                                    0, (labels.peek().dueNanos() - System.nanoTime()) / 1_000_000));
                    labelsSent += sendDue(producer, labels, System.nanoTime(), onFailure);
                }
            }
            producer.flush();
        }
        if (failed.get() > 0) {
            System.err.printf(
                    "produce: %,d of %,d events failed to send; first error: %s%n",
                    failed.get(), sent, firstFailure.get());
            return 1;
        }
        System.err.printf(
                "produce: %,d events sent to %s%s in %.1f s%n",
                sent,
                eventsTopic,
                labelled ? String.format(", %,d labels to %s", labelsSent, labelsTopic) : "",
                (System.nanoTime() - start) / 1e9);
        return 0;
    }

    /** Sends the labels due by {@code now}, keyed like their events; returns how many. */
    private int sendDue(
            KafkaProducer<byte[], byte[]> producer,
            ArrayDeque<DueLabel> labels,
            long now,
            Callback onFailure) {
        int count = 0;
        while (!labels.isEmpty() && labels.peek().dueNanos() <= now) {
            DueLabel due = labels.poll();
            producer.send(new ProducerRecord<>(labelsTopic, due.key(), due.label()), onFailure);
            count++;
        }
        return count;
    }
}
