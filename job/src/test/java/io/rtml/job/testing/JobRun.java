package io.rtml.job.testing;

import io.rtml.event.TransactionEvent;
import io.rtml.inference.Prediction;
import io.rtml.job.EvaluationJob;
import io.rtml.job.JobEnvironment;
import io.rtml.job.Pipeline;
import io.rtml.job.RtmlJob;
import io.rtml.job.config.RtmlConfig;
import io.rtml.job.generator.GeneratedTransaction;
import io.rtml.job.generator.TransactionGenerator;
import io.rtml.sink.PredictionJson;
import io.rtml.testing.KafkaBroker;
import io.rtml.testing.TestServices;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.apache.flink.client.deployment.StandaloneClusterId;
import org.apache.flink.client.program.rest.RestClusterClient;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * One run of the real job ({@link RtmlJob#pipeline} and its connectors) against a test class's
 * {@link TestServices}, on topics, a consumer group, transactional ids and Redis keys of its own,
 * with checkpoints every 500 ms and a parallelism of {@link TestServices#SLOTS}.
 */
public final class JobRun {
    public static final int PARALLELISM = TestServices.SLOTS;
    private static final AtomicInteger RUNS = new AtomicInteger();

    public final KafkaBroker kafka;
    public final String name;
    public final String events;
    public final String predictions;
    public final String deadLetters;
    public final String modelControl;
    public final String shadowPredictions;
    public final String keyPrefix;
    public final Map<String, String> options = new HashMap<>();
    private RtmlConfig config;

    /**
     * A run named {@code label}-N on the services' broker and Redis, whose topics exist; {@code
     * options} may still be changed until {@link #config()}.
     */
    public JobRun(TestServices services, Path checkpoints, String label) throws Exception {
        this(services.kafka(), services.redis().uri(), checkpoints, label);
    }

    /** A run whose Redis is reached at {@code redisUri} (e.g. over TLS). */
    public JobRun(KafkaBroker kafka, String redisUri, Path checkpoints, String label)
            throws Exception {
        this.kafka = kafka;
        this.name = label + "-" + RUNS.incrementAndGet();
        events = name + "-events";
        predictions = name + "-predictions";
        deadLetters = name + "-dead-letters";
        modelControl = name + "-model-control";
        keyPrefix = name + ":";
        shadowPredictions = name + "-predictions-shadow";
        kafka.createTopics(4, events, predictions, deadLetters, shadowPredictions);
        kafka.createTopics(1, modelControl);
        options.put("job.name", name);
        options.put("kafka.bootstrap-servers", kafka.bootstrapServers());
        options.put("kafka.group-id", name);
        options.put("kafka.transactional-id-prefix", name);
        options.put("kafka.topics.events", events);
        options.put("kafka.topics.predictions", predictions);
        options.put("kafka.topics.dead-letters", deadLetters);
        options.put("kafka.topics.model-control", modelControl);
        options.put("kafka.topics.shadow-predictions", shadowPredictions);
        options.put("redis.uri", redisUri);
        options.put("redis.key-prefix", keyPrefix);
        options.put("model.repository", Repository.modelArtifacts().toString());
        options.put("checkpoints.interval", "500 ms");
        options.put("checkpoints.directory", checkpoints.toUri().toString());
        options.put("job.parallelism", Integer.toString(PARALLELISM));
    }

    /**
     * Logs every served vector to a topic of this run's (four partitions), whose name it returns.
     */
    public String featureLog() throws Exception {
        String topic = name + "-features-log";
        kafka.createTopics(4, topic);
        options.put("features.log-topic", topic);
        return topic;
    }

    /**
     * Adds the live evaluation's topics to this run (labels in, evaluation windows out; four
     * partitions each), named {@link #labels()} and {@link #evaluation()}.
     */
    public void evaluationTopics() throws Exception {
        kafka.createTopics(4, labels(), evaluation());
        options.put("kafka.topics.labels", labels());
        options.put("kafka.topics.evaluation", evaluation());
    }

    public String labels() {
        return name + "-labels";
    }

    public String evaluation() {
        return name + "-evaluation";
    }

    /**
     * Starts the live evaluation's job ({@code EvaluationJob}) for this run in the test cluster.
     */
    public JobClient startEvaluation() throws Exception {
        StreamExecutionEnvironment env = environment(config());
        EvaluationJob.pipeline(config()).build().attachTo(env);
        return env.executeAsync();
    }

    /**
     * Settings for a test cluster that jobs are submitted to as {@code flink run} and {@code rtml
     * resume} submit them, with the shaded job jar: the job's classes on this JVM's classpath must
     * win over the jar's (Flink's own Kafka connector is loaded from it too).
     */
    public static Configuration jarSubmittingCluster() {
        Configuration configuration = new Configuration();
        configuration.set(CoreOptions.CLASSLOADER_RESOLVE_ORDER, "parent-first");
        return configuration;
    }

    /** Loads the options as the job does (validation included). */
    public RtmlConfig config() {
        if (config == null) {
            config = RtmlConfig.load(null, options);
        }
        return config;
    }

    /** Starts the job in the test's cluster, its pipeline changed by {@code faults}. */
    public JobClient start(UnaryOperator<Pipeline.Builder> faults) throws Exception {
        return start(config(), faults);
    }

    public JobClient start() throws Exception {
        return start(UnaryOperator.identity());
    }

    /**
     * Starts the job for {@code config} in the test's cluster (the mini cluster of {@link
     * TestServices}), as {@code RtmlJob} builds it, its pipeline changed by {@code faults}.
     */
    public static JobClient start(RtmlConfig config, UnaryOperator<Pipeline.Builder> faults)
            throws Exception {
        StreamExecutionEnvironment env = environment(config);
        faults.apply(RtmlJob.pipeline(config)).build().attachTo(env);
        return env.executeAsync();
    }

    /** The test cluster's environment under the job's own Flink settings for {@code config}. */
    public static StreamExecutionEnvironment environment(RtmlConfig config) {
        return StreamExecutionEnvironment.getExecutionEnvironment(
                JobEnvironment.apply(config, new Configuration()));
    }

    /**
     * Submits the job's graph to the cluster at {@code rest} over its REST API, as {@code flink
     * run} and {@code rtml resume} do (the cluster loads the job's classes parent-first: {@link
     * #jarSubmittingCluster}); returns its id.
     */
    public String submit(URI rest) throws Exception {
        RtmlConfig config = config();
        StreamExecutionEnvironment env =
                new StreamExecutionEnvironment(JobEnvironment.apply(config, new Configuration()));
        RtmlJob.pipeline(config).build().attachTo(env);
        Configuration client = new Configuration();
        client.set(RestOptions.ADDRESS, rest.getHost());
        client.set(RestOptions.PORT, rest.getPort());
        try (RestClusterClient<StandaloneClusterId> cluster =
                new RestClusterClient<>(client, StandaloneClusterId.getInstance())) {
            return cluster.submitJob(env.getStreamGraph().getJobGraph()).get().toHexString();
        }
    }

    /** The options as command-line arguments, {@code -D key=value}, with {@code changes}. */
    public List<String> arguments(Map<String, String> changes) {
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
    public void produce(List<TransactionEvent> events) throws Exception {
        kafka.produce(this.events, KafkaBroker.keyedByCard(events));
    }

    /** Generated card transactions: 400 cards at 100 merchants, deterministic for a seed. */
    public static List<TransactionEvent> generate(long seed, int count) {
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

    public static List<Prediction> predictions(List<ConsumerRecord<byte[], byte[]>> records) {
        return records.stream().map(r -> PredictionJson.read(r.value())).toList();
    }
}
