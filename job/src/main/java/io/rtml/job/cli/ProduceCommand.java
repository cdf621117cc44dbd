package io.rtml.job.cli;

import io.rtml.event.EventJson;
import io.rtml.event.EventParser;
import io.rtml.event.InvalidEventException;
import io.rtml.job.generator.TransactionGenerator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
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
            "Simulated time starts now and runs as fast as the rate makes it: at the default",
            "settings a simulated day of 100,000 cards passes in a few minutes."
        })
final class ProduceCommand implements Callable<Integer> {
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
            names = "--events",
            description =
                    "Stop after this many events; 0 runs until stopped (default: ${DEFAULT-VALUE}).")
    long events = 0;

    /** Generated events, from now on in simulated time. */
    private Iterator<byte[]> generated() {
        TransactionGenerator generator = generatorOptions.generator(System.currentTimeMillis());
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public byte[] next() {
                return EventJson.write(generator.next().event());
            }
        };
    }

    private static Iterator<byte[]> lines(Path file) throws IOException {
        return Files.readAllLines(file, StandardCharsets.UTF_8).stream()
                .filter(line -> !line.isBlank())
                .map(line -> line.getBytes(StandardCharsets.UTF_8))
                .iterator();
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
        Properties properties = kafka.clientProperties();
        properties.put(ProducerConfig.ACKS_CONFIG, "all");
        properties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        properties.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        properties.put(ProducerConfig.BATCH_SIZE_CONFIG, "131072");
        properties.put(ProducerConfig.CLIENT_ID_CONFIG, "rtml-produce");
        Iterator<byte[]> source = fromFile != null ? lines(fromFile) : generated();
        AtomicLong failed = new AtomicLong();
        AtomicReference<Exception> firstFailure = new AtomicReference<>();
        long sent = 0;
        long start = System.nanoTime();
        long lastReport = start;
        long reportedAt = 0;
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(
                        properties, new ByteArraySerializer(), new ByteArraySerializer())) {
            Runtime.getRuntime()
                    .addShutdownHook(
                            new Thread(() -> producer.close(java.time.Duration.ofSeconds(5))));
            while ((events == 0 || sent < events) && source.hasNext()) {
                if (rate > 0) {
                    long due = start + (long) (sent * 1e9 / rate);
                    long wait = due - System.nanoTime();
                    if (wait > 1_000_000) {
                        Thread.sleep(wait / 1_000_000);
                    }
                }
                byte[] value = source.next();
                producer.send(
                        new ProducerRecord<>(kafka.eventsTopic, key(value), value),
                        (metadata, e) -> {
                            if (e != null) {
                                failed.incrementAndGet();
                                firstFailure.compareAndSet(null, e);
                            }
                        });
                sent++;
                long now = System.nanoTime();
                if (now - lastReport > 5_000_000_000L) {
                    System.err.printf(
                            "produce: %,d events sent (%,.0f/s)%n",
                            sent, (sent - reportedAt) / ((now - lastReport) / 1e9));
                    lastReport = now;
                    reportedAt = sent;
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
                "produce: %,d events sent to %s in %.1f s%n",
                sent, kafka.eventsTopic, (System.nanoTime() - start) / 1e9);
        return 0;
    }
}
