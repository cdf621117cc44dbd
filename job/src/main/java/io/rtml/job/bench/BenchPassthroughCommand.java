package io.rtml.job.bench;

import io.rtml.job.config.ConfigOptions;
import io.rtml.job.config.KafkaClients;
import io.rtml.job.config.KafkaOptions;
import io.rtml.job.config.RtmlConfig;
import io.rtml.job.config.RtmlOptions;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code rtml bench-passthrough}: the exactly-once Kafka pass-through that scripts/bench measures
 * as the ceiling (see {@link Passthrough}); runs until stopped.
 */
@Command(
        name = "bench-passthrough",
        mixinStandardHelpOptions = true,
        description = {
            "Copies the events topic to --output-topic exactly once (transactions carrying the",
            "consumer offsets, read_committed), with no parsing and no state: the ceiling",
            "scripts/bench compares the job with. With --redis-uri it also writes each event's",
            "ingest time to Redis as the job writes predictions. Runs until stopped."
        })
public final class BenchPassthroughCommand implements Callable<Integer> {
    @Mixin ConfigOptions options;
    @Mixin KafkaOptions kafka;

    @Option(
            names = "--output-topic",
            paramLabel = "TOPIC",
            description = "Where the events go; created when missing (default: ${DEFAULT-VALUE}).")
    String outputTopic = "bench-passthrough";

    @Option(
            names = "--partitions",
            description = "Partitions of the output topic if created (default: ${DEFAULT-VALUE}).")
    int partitions = 4;

    @Option(
            names = "--threads",
            description =
                    "Workers, each with its consumer and transactional producer (default:"
                            + " ${DEFAULT-VALUE}, as the job's parallelism).")
    int threads = 2;

    @Option(
            names = "--commit-interval-ms",
            description =
                    "Transaction length (default: ${DEFAULT-VALUE}, Kafka Streams' exactly-once"
                            + " default).")
    long commitIntervalMs = 100;

    @Option(
            names = "--passes",
            description =
                    "Read the events this many times over, from the beginning each time, to"
                            + " make a small backlog long enough to measure (default:"
                            + " ${DEFAULT-VALUE}).")
    int passes = 1;

    @Option(
            names = "--redis-uri",
            paramLabel = "URI",
            description = "Also write each event to this Redis.")
    String redisUri;

    @Option(
            names = "--key-prefix",
            paramLabel = "PREFIX",
            description = "Redis key prefix (default: ${DEFAULT-VALUE}).")
    String keyPrefix = RtmlOptions.REDIS_KEY_PREFIX.defaultValue();

    @Override
    public Integer call() throws Exception {
        if (threads < 1 || commitIntervalMs < 1 || passes < 1) {
            throw new IllegalArgumentException(
                    "--threads, --commit-interval-ms and --passes must be > 0");
        }
        RtmlConfig config = options.withoutModel(kafka);
        String eventsTopic = config.get(RtmlOptions.EVENTS_TOPIC);
        try (Admin admin = Admin.create(KafkaClients.connection(config))) {
            Set<String> topics = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            if (!topics.contains(outputTopic)) {
                admin.createTopics(List.of(new NewTopic(outputTopic, partitions, (short) 1)))
                        .all()
                        .get(30, TimeUnit.SECONDS);
            }
        }
        Passthrough passthrough =
                new Passthrough(
                        new Passthrough.Settings(
                                KafkaClients.connection(config),
                                eventsTopic,
                                outputTopic,
                                "rtml-passthrough",
                                "rtml-passthrough",
                                threads,
                                Duration.ofMillis(commitIntervalMs),
                                passes,
                                redisUri,
                                keyPrefix));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () -> {
                                    try {
                                        passthrough.close();
                                        stopped.await(10, TimeUnit.SECONDS);
                                    } catch (InterruptedException e) {
                                        Thread.currentThread().interrupt();
                                    }
                                }));
        passthrough.start();
        System.err.printf(
                "bench-passthrough: %s -> %s, %d workers, transactions of %d ms%s%n",
                eventsTopic,
                outputTopic,
                threads,
                commitIntervalMs,
                redisUri == null ? "" : ", and to Redis");
        long last = 0;
        try {
            while (passthrough.running()) {
                Thread.sleep(5_000);
                long passed = passthrough.passed();
                if (passed != last) {
                    System.err.printf(
                            "bench-passthrough: %,d records (%,.0f/s), %,d commits%n",
                            passed, (passed - last) / 5.0, passthrough.commits());
                    last = passed;
                }
            }
        } finally {
            stopped.countDown();
        }
        if (passthrough.failure() != null) {
            System.err.println("bench-passthrough: failed: " + passthrough.failure());
            return 1;
        }
        return 0;
    }
}
