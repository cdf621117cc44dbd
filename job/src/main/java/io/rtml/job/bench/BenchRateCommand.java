package io.rtml.job.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.rtml.event.EventJson;
import io.rtml.event.TransactionEvent;
import io.rtml.job.config.ConfigOptions;
import io.rtml.job.config.KafkaClients;
import io.rtml.job.config.KafkaOptions;
import io.rtml.job.config.RtmlConfig;
import io.rtml.job.config.RtmlOptions;
import io.rtml.job.generator.GeneratorOptions;
import io.rtml.job.generator.TransactionGenerator;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code rtml bench-rate}: offers events at fixed rates, one step after the other, and measures the
 * latency from Kafka ingest into Redis and into the committed output topic.
 */
@Command(
        name = "bench-rate",
        mixinStandardHelpOptions = true,
        description = {
            "For each --rates R: offers R generated events/s to the events topic for --duration-s,",
            "then waits until the output topic has committed them all, and reports the latency",
            "from each event's Kafka timestamp to its committed output record (read_committed)",
            "and to its write to Redis (keyspace notifications, --redis-uri), over the events",
            "after --warmup-s, as JSON. Event times are the wall clock at sending, as in live",
            "traffic. docs/benchmarks.md explains the method."
        })
public final class BenchRateCommand implements Callable<Integer> {
    @Mixin ConfigOptions options;
    @Mixin KafkaOptions kafka;
    @Mixin GeneratorOptions generatorOptions;

    @Option(names = "--output-topic", paramLabel = "TOPIC", description = "Default: predictions.")
    String outputTopic;

    @Option(
            names = "--rates",
            split = ",",
            description = "Events/s of each step (default: ${DEFAULT-VALUE}).")
    List<Integer> rates = List.of(1000, 2500, 5000, 10000);

    @Option(names = "--duration-s", description = "Seconds per step (default: ${DEFAULT-VALUE}).")
    int durationS = 60;

    @Option(
            names = "--warmup-s",
            description =
                    "Seconds at the start of a step not measured (default: ${DEFAULT-VALUE}).")
    int warmupS = 10;

    @Option(
            names = "--jit-warmup-s",
            description =
                    "Before the steps, offer the first rate for this many seconds, not measured, so"
                            + " that the steps measure code the JIT compiler has settled (default:"
                            + " ${DEFAULT-VALUE}: none).")
    int jitWarmupS = 0;

    @Option(
            names = "--drain-timeout-s",
            description =
                    "After a step, how long to wait for its events to be committed (default:"
                            + " ${DEFAULT-VALUE}).")
    int drainTimeoutS = 120;

    @Option(
            names = "--redis-uri",
            paramLabel = "URI",
            description = "Measure writes to this Redis too.")
    String redisUri;

    @Option(
            names = "--key-prefix",
            paramLabel = "PREFIX",
            description = "Redis key prefix (default: ${DEFAULT-VALUE}).")
    String keyPrefix = RtmlOptions.REDIS_KEY_PREFIX.defaultValue();

    @Option(
            names = "--redis-sample-tenths",
            description =
                    "Follow the cards whose id ends in one of the first N digits (default:"
                            + " ${DEFAULT-VALUE}: a tenth of the cards).")
    int redisSampleTenths = 1;

    @Option(names = "--label", description = "What is measured, for the results.")
    String label = "job";

    @Option(names = "--out", paramLabel = "FILE", description = "Results JSON file.")
    Path out;

    @Option(
            names = "--samples-out",
            paramLabel = "FILE",
            description =
                    "Also every latency sample, as CSV lines kind,ingest_ms,latency_ms (kind:"
                            + " redis, scored).")
    Path samplesOut;

    @Override
    public Integer call() throws Exception {
        if (durationS <= warmupS || rates.stream().anyMatch(rate -> rate <= 0)) {
            throw new IllegalArgumentException(
                    "--duration-s must exceed --warmup-s and every rate must be positive");
        }
        if (jitWarmupS < 0) {
            throw new IllegalArgumentException("--jit-warmup-s must not be negative");
        }
        RtmlConfig config = options.withoutModel(kafka);
        String topic =
                outputTopic != null ? outputTopic : config.get(RtmlOptions.PREDICTIONS_TOPIC);
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("mode", "rate");
        results.put("target", label);
        results.put("topic", topic);
        results.put("duration_s", durationS);
        results.put("warmup_s", warmupS);
        results.put("jit_warmup_s", jitWarmupS);
        List<Map<String, Object>> steps = new ArrayList<>();
        results.put("steps", steps);
        boolean allCommitted = true;
        try (CommittedWatcher committed =
                        new CommittedWatcher(
                                KafkaClients.committedConsumer(config, "rtml-bench-committed"),
                                topic);
                RedisWriteWatcher redis =
                        redisUri == null
                                ? null
                                : new RedisWriteWatcher(redisUri, keyPrefix, redisSampleTenths);
                KafkaProducer<byte[], byte[]> producer = producer(config)) {
            committed.start();
            if (redis != null) {
                redis.start();
                results.put("redis_pattern", redis.pattern());
                results.put("redis_sample", redisSampleTenths + "/10 of the cards");
            }
            TransactionGenerator generator = generatorOptions.generator(System.currentTimeMillis());
            if (jitWarmupS > 0) {
                report("%s: JIT warm-up, not measured: %d s at the first rate", label, jitWarmupS);
                Map<String, Object> warm =
                        step(
                                rates.get(0),
                                jitWarmupS,
                                config.get(RtmlOptions.EVENTS_TOPIC),
                                generator,
                                producer,
                                committed,
                                redis);
                results.put("jit_warmup", warm);
                allCommitted &= (long) warm.get("missing") == 0;
            }
            for (int rate : rates) {
                Map<String, Object> step =
                        step(
                                rate,
                                durationS,
                                config.get(RtmlOptions.EVENTS_TOPIC),
                                generator,
                                producer,
                                committed,
                                redis);
                steps.add(step);
                allCommitted &= (long) step.get("missing") == 0;
                writeResults(results);
            }
            if (redis != null) {
                results.put("redis_notices", redis.notified());
                results.put("redis_notices_replaced", redis.replaced());
            }
            if (samplesOut != null) {
                try (Writer csv = Files.newBufferedWriter(samplesOut)) {
                    csv.write("kind,ingest_ms,latency_ms\n");
                    if (redis != null) {
                        redis.written().writeCsv(csv, "redis");
                    }
                    committed.scored().writeCsv(csv, "scored");
                }
            }
        }
        writeResults(results);
        return allCommitted ? 0 : 1;
    }

    private Map<String, Object> step(
            int rate,
            int seconds,
            String eventsTopic,
            TransactionGenerator generator,
            KafkaProducer<byte[], byte[]> producer,
            CommittedWatcher committed,
            RedisWriteWatcher redis)
            throws Exception {
        int count = rate * seconds;
        report("%s: generating %,d events for %,d/s over %d s", label, count, rate, seconds);
        // Made before the step, so that generating them takes no CPU from what is measured.
        List<TransactionEvent> events = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            events.add(generator.next().event());
        }
        System.gc();
        Thread.sleep(2_000);

        AtomicLong failed = new AtomicLong();
        long startMs = System.currentTimeMillis();
        long startNs = System.nanoTime();
        double intervalNs = 1e9 / rate;
        for (int i = 0; i < count; i++) {
            long wait = startNs + (long) (i * intervalNs) - System.nanoTime();
            if (wait > 20_000) {
                LockSupport.parkNanos(wait);
            }
            TransactionEvent event = events.get(i);
            events.set(i, null);
            // Live traffic: the event happens as it is sent.
            event.eventTimeMs = System.currentTimeMillis();
            producer.send(
                    new ProducerRecord<>(
                            eventsTopic,
                            event.cardId.getBytes(StandardCharsets.UTF_8),
                            EventJson.write(event)),
                    (metadata, e) -> {
                        if (e != null) {
                            failed.incrementAndGet();
                        }
                    });
        }
        long sentNs = System.nanoTime();
        long endMs = System.currentTimeMillis();
        producer.flush();
        long sent = count - failed.get();
        report(
                "%s: offered %,d/s: sent %,d in %.1f s; waiting for them to be committed",
                label, rate, sent, (sentNs - startNs) / 1e9);

        long deadline = System.currentTimeMillis() + drainTimeoutS * 1000L;
        long visible = 0;
        while (System.currentTimeMillis() < deadline) {
            visible = committed.committed().count(startMs, endMs);
            if (visible >= sent) {
                break;
            }
            Thread.sleep(100);
        }
        if (redis != null) {
            redis.awaitReadBack();
        }
        long measuredFrom = startMs + warmupS * 1000L;
        Map<String, Object> step = new LinkedHashMap<>();
        step.put("offered_per_s", rate);
        step.put("sent", sent);
        step.put("send_rate_per_s", Math.round(sent / ((sentNs - startNs) / 1e9)));
        step.put("committed", visible);
        step.put("missing", Math.max(0, sent - visible));
        long lastVisible = committed.committed().lastArrival(startMs, endMs);
        step.put(
                "all_committed_after_end_s",
                visible >= sent ? (lastVisible - endMs) / 1000.0 : null);
        step.put("start_ms", startMs);
        step.put("end_ms", endMs);
        step.put("measured_from_ms", measuredFrom);
        step.put("kafka_committed_ms", committed.committed().summary(measuredFrom, endMs));
        Map<String, Object> scored = committed.scored().summary(measuredFrom, endMs);
        if ((int) scored.get("samples") > 0) {
            step.put("scored_ms", scored);
        }
        if (redis != null) {
            step.put("redis_ms", redis.written().summary(measuredFrom, endMs));
        }
        report("%s: offered %,d/s: %s", label, rate, step);
        return step;
    }

    private static KafkaProducer<byte[], byte[]> producer(RtmlConfig config) {
        Properties properties = KafkaClients.producer(config, "rtml-bench-rate");
        // An event's ingest time is its timestamp, taken at send(): keep the wait for a batch
        // short.
        properties.put(ProducerConfig.LINGER_MS_CONFIG, "1");
        properties.put(ProducerConfig.BATCH_SIZE_CONFIG, "65536");
        return new KafkaProducer<>(
                properties, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private void writeResults(Map<String, Object> results) throws Exception {
        if (out != null) {
            new ObjectMapper()
                    .enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValue(out.toFile(), results);
        }
    }

    private static void report(String format, Object... args) {
        System.err.printf("bench-rate: " + format + "%n", args);
    }
}
