package io.rtml.job.reliability;

import io.rtml.event.TransactionEvent;
import io.rtml.inference.Prediction;
import io.rtml.job.JobEnvironment;
import io.rtml.job.Pipeline;
import io.rtml.job.RtmlJob;
import io.rtml.job.config.RtmlConfig;
import io.rtml.job.generator.GeneratedTransaction;
import io.rtml.job.generator.TransactionGenerator;
import io.rtml.job.testing.KafkaBroker;
import io.rtml.job.testing.Repository;
import io.rtml.sink.PredictionJson;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MetricOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.RemoteStreamEnvironment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * One run of the real job (RtmlJob's pipeline and connectors) on topics, a consumer group,
 * transactional ids and Redis keys of its own, with checkpoints every 500 ms and parallelism 2.
 */
final class JobRun {
    static final int PARALLELISM = 2;
    private static final AtomicInteger RUNS = new AtomicInteger();

    final KafkaBroker kafka;
    final String name;
    final String events;
    final String predictions;
    final String deadLetters;
    final String keyPrefix;
    final Map<String, String> options = new HashMap<>();
    RtmlConfig config;

    /** A run named {@code label}-N whose topics exist; {@code options} may still be changed. */
    JobRun(KafkaBroker kafka, String redisUri, Path checkpoints, String label) throws Exception {
        this.kafka = kafka;
        this.name = label + "-" + RUNS.incrementAndGet();
        events = name + "-events";
        predictions = name + "-predictions";
        deadLetters = name + "-dead-letters";
        keyPrefix = name + ":";
        String control = name + "-model-control";
        String shadow = name + "-predictions-shadow";
        kafka.createTopics(4, events, predictions, deadLetters, shadow);
        kafka.createTopics(1, control);
        options.put("job.name", name);
        options.put("kafka.bootstrap-servers", kafka.bootstrapServers());
        options.put("kafka.group-id", name);
        options.put("kafka.transactional-id-prefix", name);
        options.put("kafka.topics.events", events);
        options.put("kafka.topics.predictions", predictions);
        options.put("kafka.topics.dead-letters", deadLetters);
        options.put("kafka.topics.model-control", control);
        options.put("kafka.topics.shadow-predictions", shadow);
        options.put("redis.uri", redisUri);
        options.put("redis.key-prefix", keyPrefix);
        options.put("model.repository", Repository.modelArtifacts().toString());
        options.put("checkpoints.interval", "500 ms");
        options.put("checkpoints.directory", checkpoints.toUri().toString());
        options.put("job.parallelism", Integer.toString(PARALLELISM));
    }

    /**
     * The mini cluster the reliability tests run the job on: one task manager with a slot per
     * subtask, with {@link #clusterConfiguration}.
     */
    static MiniClusterExtension miniCluster() {
        return new MiniClusterExtension(
                new MiniClusterResourceConfiguration.Builder()
                        .setNumberTaskManagers(1)
                        .setNumberSlotsPerTaskManager(PARALLELISM)
                        .setConfiguration(clusterConfiguration())
                        .build());
    }

    /** Closes what a test class started, in order; what was not started (null) is skipped. */
    static void closeAll(AutoCloseable... started) throws Exception {
        for (AutoCloseable service : started) {
            if (service != null) {
                service.close();
            }
        }
    }

    /** The test cluster's settings: metrics reach the REST API within half a second. */
    static Configuration clusterConfiguration() {
        Configuration configuration = new Configuration();
        configuration.set(MetricOptions.METRIC_FETCHER_UPDATE_INTERVAL, Duration.ofMillis(500));
        return configuration;
    }

    /** Loads the options as the job does (validation included). */
    RtmlConfig config() {
        if (config == null) {
            config = RtmlConfig.load(null, options);
        }
        return config;
    }

    /** Starts the job in the test's cluster, its pipeline changed by {@code faults}. */
    JobClient start(UnaryOperator<Pipeline.Builder> faults) throws Exception {
        RtmlConfig config = config();
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(
                        JobEnvironment.apply(config, new Configuration()));
        faults.apply(RtmlJob.pipeline(config)).build().attachTo(env);
        return env.executeAsync();
    }

    JobClient start() throws Exception {
        return start(UnaryOperator.identity());
    }

    /** Submits the job to the cluster at {@code rest}, as {@code flink run} would. */
    JobClient submit(URI rest) throws Exception {
        RtmlConfig config = config();
        StreamExecutionEnvironment env =
                new RemoteStreamEnvironment(
                        rest.getHost(),
                        rest.getPort(),
                        JobEnvironment.apply(config, new Configuration()));
        RtmlJob.pipeline(config).build().attachTo(env);
        return env.executeAsync();
    }

    /** The options as command-line arguments, {@code -D key=value}, with {@code changes}. */
    List<String> arguments(Map<String, String> changes) {
        Map<String, String> all = new java.util.TreeMap<>(options);
        all.putAll(changes);
        List<String> arguments = new ArrayList<>();
        all.forEach(
                (key, value) -> {
                    arguments.add("-D");
                    arguments.add(key + "=" + value);
                });
        return arguments;
    }

    /** Produces the events, keyed by card as producers do. */
    void produce(List<TransactionEvent> events) throws Exception {
        kafka.produce(this.events, KafkaBroker.keyedByCard(events));
    }

    /** Generated card transactions: 400 cards at 100 merchants, deterministic for a seed. */
    static List<TransactionEvent> generate(long seed, int count) {
        TransactionGenerator generator =
                new TransactionGenerator(
                        new TransactionGenerator.Settings(
                                seed, 400, 100, 200, 0.01, 1_767_225_600_000L));
        List<TransactionEvent> events = new ArrayList<>();
        for (GeneratedTransaction transaction : generator.take(count)) {
            events.add(transaction.event());
        }
        return events;
    }

    static List<Prediction> predictions(List<ConsumerRecord<byte[], byte[]>> records) {
        return records.stream().map(r -> PredictionJson.read(r.value())).toList();
    }
}
