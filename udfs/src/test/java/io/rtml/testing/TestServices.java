package io.rtml.testing;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MetricOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import redis.clients.jedis.Jedis;

/**
 * What an integration test runs against, started before the test class and stopped after it (in
 * reverse order, each even if another fails): a Kafka broker in this JVM ({@link KafkaBroker}), a
 * {@code redis-server} process ({@link RedisServer}) and a Flink mini cluster with one task manager
 * of {@link #SLOTS} slots, whose REST API listens on 127.0.0.1 (or one reached only over REST,
 * {@link Builder#flinkOverRest}). A test class asks for the ones it needs:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final TestServices SERVICES = TestServices.builder().kafka().redis().flink().build();
 * }</pre>
 *
 * <p>Register it in a static field: the services live as long as the class. {@code
 * StreamExecutionEnvironment.getExecutionEnvironment()} runs jobs on the mini cluster, and Flink's
 * {@code @InjectClusterClient} and {@code @InjectMiniCluster} parameters are resolved, as with
 * Flink's own {@link MiniClusterExtension}, which this one wraps.
 */
public final class TestServices
        implements BeforeAllCallback,
                BeforeEachCallback,
                AfterEachCallback,
                AfterAllCallback,
                ParameterResolver {
    /**
     * Slots of the mini cluster's task manager unless a test asks for more ({@link Builder#slots}):
     * the parallelism the job's tests run at.
     */
    public static final int SLOTS = 2;

    private final Start<KafkaBroker> kafkaStart;
    private final RedisStart redisStart;
    private final MiniClusterExtension flink;
    private final Configuration restOnlySettings;
    private final int slots;
    private MiniCluster restOnly;
    private KafkaBroker kafka;
    private RedisServer redis;
    private int redisPort;

    private TestServices(Builder builder) {
        this.kafkaStart = builder.kafka;
        this.redisStart = builder.redis;
        this.restOnlySettings = builder.restOnly ? builder.flink : null;
        this.slots = builder.slots;
        this.flink =
                builder.flink == null || builder.restOnly
                        ? null
                        : new MiniClusterExtension(
                                new MiniClusterResourceConfiguration.Builder()
                                        .setNumberTaskManagers(1)
                                        .setNumberSlotsPerTaskManager(builder.slots)
                                        .setConfiguration(builder.flink)
                                        .build());
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The broker; fails if the builder did not ask for one. */
    public KafkaBroker kafka() {
        return started(kafka, "kafka");
    }

    /** The redis-server; fails if the builder did not ask for one. */
    public RedisServer redis() {
        return started(redis, "redis");
    }

    /** Kills redis-server at once (SIGKILL), as a crash would. */
    public void killRedis() throws InterruptedException {
        redis().kill();
    }

    /** Starts redis-server again, as the builder's start does, on the port it had. */
    public RedisServer restartRedis() throws Exception {
        redis().close();
        redis = redisStart.start(redisPort);
        return redis;
    }

    /** The mini cluster's REST API, where {@code flink run} and the rtml CLI reach it. */
    public URI flinkRest() throws Exception {
        if (restOnly != null) {
            return restOnly.getRestAddress().get();
        }
        Configuration client = started(flink, "flink").getClientConfiguration();
        return URI.create(
                "http://" + client.get(RestOptions.ADDRESS) + ":" + client.get(RestOptions.PORT));
    }

    private static <T> T started(T service, String name) {
        if (service == null) {
            throw new IllegalStateException(
                    "TestServices has no "
                            + name
                            + ": ask for it in the builder and register the extension in a static"
                            + " field");
        }
        return service;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        if (kafkaStart != null) {
            kafka = kafkaStart.start();
        }
        if (redisStart != null) {
            redisPort = RedisServer.freePort();
            redis = redisStart.start(redisPort);
        }
        if (flink != null) {
            flink.beforeAll(context);
        }
        if (restOnlySettings != null) {
            restOnly =
                    new MiniCluster(
                            new MiniClusterConfiguration.Builder()
                                    .setConfiguration(restOnlySettings)
                                    .setNumTaskManagers(1)
                                    .setNumSlotsPerTaskManager(slots)
                                    .build());
            restOnly.start();
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        if (flink != null) {
            flink.beforeEach(context);
        }
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        if (flink != null) {
            flink.afterEach(context);
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        List<Exception> failures = new ArrayList<>();
        if (flink != null) {
            stop(() -> flink.afterAll(context), failures);
        }
        if (restOnly != null) {
            stop(() -> restOnly.closeAsync().get(), failures);
            restOnly = null;
        }
        stop(redis, failures);
        stop(kafka, failures);
        redis = null;
        kafka = null;
        if (!failures.isEmpty()) {
            Exception first = failures.get(0);
            failures.subList(1, failures.size()).forEach(first::addSuppressed);
            throw first;
        }
    }

    private static void stop(AutoCloseable service, List<Exception> failures) {
        if (service == null) {
            return;
        }
        try {
            service.close();
        } catch (Exception e) {
            failures.add(e);
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return flink != null && flink.supportsParameter(parameter, context);
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return flink.resolveParameter(parameter, context);
    }

    /** Starts a service; may read the test class's static {@code @TempDir} fields. */
    @FunctionalInterface
    public interface Start<T> {
        T start() throws Exception;
    }

    /** Starts a redis-server on a port: the same port again after {@link #killRedis}. */
    @FunctionalInterface
    public interface RedisStart {
        RedisServer start(int port) throws Exception;
    }

    /** Starts redis-server with its append-only file in one directory for all its starts. */
    private static final class AppendOnlyRedis implements RedisStart {
        private Path directory;

        @Override
        public RedisServer start(int port) throws Exception {
            if (directory == null) {
                directory = Files.createTempDirectory("rtml-redis-aof");
            }
            return RedisServer.start(
                    port,
                    List.of(
                            "--appendonly",
                            "yes",
                            "--appendfsync",
                            "always",
                            "--dir",
                            directory.toString()),
                    p -> new Jedis("127.0.0.1", p));
        }
    }

    public static final class Builder {
        private Start<KafkaBroker> kafka;
        private RedisStart redis;
        private Configuration flink;
        private boolean restOnly;
        private int slots = SLOTS;

        private Builder() {}

        /** A plaintext broker with the test defaults ({@link KafkaBroker#start()}). */
        public Builder kafka() {
            return kafka(KafkaBroker::start);
        }

        /**
         * A broker with more broker settings and its test clients' settings ({@link
         * KafkaBroker#start(Map, Map)}): a fixed port, larger records, shorter timeouts.
         */
        public Builder kafka(
                Map<String, String> brokerSettings, Map<String, String> clientSettings) {
            return kafka(() -> KafkaBroker.start(brokerSettings, clientSettings));
        }

        /** A broker the test starts its own way (SASL_SSL listeners and users, ...). */
        public Builder kafka(Start<KafkaBroker> start) {
            this.kafka = Objects.requireNonNull(start);
            return this;
        }

        /** A redis-server with the test defaults: nothing kept on disk. */
        public Builder redis() {
            return redis(RedisServer::start);
        }

        /**
         * A redis-server that keeps its writes in an append-only file (appendfsync always), as a
         * production Redis that must survive a restart does: after {@link #killRedis} and {@link
         * #restartRedis} it holds every write it acknowledged.
         */
        public Builder persistentRedis() {
            return redis(new AppendOnlyRedis());
        }

        /** A redis-server the test starts its own way (TLS, ACL users, ...). */
        public Builder redis(RedisStart start) {
            this.redis = Objects.requireNonNull(start);
            return this;
        }

        /**
         * A mini cluster whose metrics reach the REST API within half a second and whose REST API
         * listens on 127.0.0.1.
         */
        public Builder flink() {
            return flink(new Configuration());
        }

        /** A mini cluster with more settings, which win over {@link #flink()}'s. */
        public Builder flink(Configuration settings) {
            Configuration configuration = new Configuration();
            configuration.set(MetricOptions.METRIC_FETCHER_UPDATE_INTERVAL, Duration.ofMillis(500));
            configuration.set(RestOptions.ADDRESS, "127.0.0.1");
            configuration.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
            configuration.addAll(settings);
            this.flink = configuration;
            this.restOnly = false;
            return this;
        }

        /**
         * A mini cluster that jobs reach only over its REST API ({@link #flinkRest}), as {@code
         * flink run} and the rtml CLI do: no test environment is installed, so a client in this JVM
         * may open a remote environment to it.
         */
        public Builder flinkOverRest(Configuration settings) {
            flink(settings);
            this.restOnly = true;
            return this;
        }

        /** Slots of the mini cluster's task manager: e.g. 4 for two jobs at parallelism 2. */
        public Builder slots(int slots) {
            this.slots = slots;
            return this;
        }

        public TestServices build() {
            return new TestServices(this);
        }
    }
}
