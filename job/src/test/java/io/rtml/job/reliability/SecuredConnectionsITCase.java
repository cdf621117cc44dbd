package io.rtml.job.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rtml.evaluation.Label;
import io.rtml.event.TransactionEvent;
import io.rtml.inference.Prediction;
import io.rtml.job.EvaluationJob;
import io.rtml.job.JobEnvironment;
import io.rtml.job.RtmlJob;
import io.rtml.job.config.RtmlConfig;
import io.rtml.job.testing.Delivery;
import io.rtml.job.testing.Figures;
import io.rtml.job.testing.JobRun;
import io.rtml.job.testing.RtmlCli;
import io.rtml.sink.PredictionJson;
import io.rtml.sink.RedisClients;
import io.rtml.sink.RedisSecurity;
import io.rtml.sink.RedisSettings;
import io.rtml.testing.KafkaBroker;
import io.rtml.testing.RedisServer;
import io.rtml.testing.TestServices;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.flink.client.program.ClusterClient;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectClusterClient;
import org.apache.flink.util.InstantiationUtil;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import redis.clients.jedis.Jedis;

/**
 * The job against a Kafka broker that takes only SASL_SSL (SCRAM-SHA-512 over TLS, a self-signed
 * certificate for localhost) and a Redis that takes only TLS with an ACL user and password: it
 * works end to end, with every secret read from a file on the cluster, and no secret shows in the
 * logs, in the printed configuration, in the Flink configuration, in the REST API or in the
 * serialized job graph. The live evaluation's source reads the labels over the same connection, and
 * the command line reaches both with the job's own {@code --config}: {@code rtml topics} and {@code
 * rtml tail} the broker, {@code rtml lookup} Redis. A wrong CA, host name or password for either
 * fails the start with an error that says so.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SecuredConnectionsITCase {
    private static final Duration WAIT = Duration.ofMinutes(2);
    private static final int EVENTS = 1_500;
    private static final String KAFKA_USER = "rtml-job";
    private static final String KAFKA_PASSWORD = "kafka-" + UUID.randomUUID();
    private static final String REDIS_USER = "rtml";
    private static final String REDIS_PASSWORD = "redis-" + UUID.randomUUID();
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final TestServices SERVICES =
            TestServices.builder()
                    .kafka(SecuredConnectionsITCase::startKafka)
                    .redis(SecuredConnectionsITCase::startRedis)
                    .flink()
                    .build();

    @TempDir static Path secrets;

    private static SelfSignedTls tls;

    /** A CA of its own that signed neither server's certificate. */
    private static SelfSignedTls otherCa;

    private static int kafkaPort;

    /**
     * A broker whose clients' listener takes only SASL_SSL (SCRAM) with the certificates made here,
     * and whose own listener is plaintext; the job's user is created over the latter.
     */
    private static KafkaBroker startKafka() throws Exception {
        tls = SelfSignedTls.create(secrets);
        otherCa = SelfSignedTls.create(Files.createDirectories(secrets.resolve("other-ca")));
        int external = RedisServer.freePort();
        kafkaPort = external;
        int internal = RedisServer.freePort();
        Map<String, String> broker = new HashMap<>();
        broker.put(
                "listeners",
                "EXTERNAL://localhost:"
                        + external
                        + ",INTERNAL://localhost:"
                        + internal
                        + ",CONTROLLER://localhost:0");
        broker.put(
                "listener.security.protocol.map",
                "EXTERNAL:SASL_SSL,INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT");
        broker.put("inter.broker.listener.name", "INTERNAL");
        broker.put("sasl.enabled.mechanisms", "SCRAM-SHA-512");
        broker.put("listener.name.external.sasl.enabled.mechanisms", "SCRAM-SHA-512");
        broker.put(
                "listener.name.external.scram-sha-512.sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required;");
        broker.put("listener.name.external.ssl.keystore.location", tls.keyStore.toString());
        broker.put("listener.name.external.ssl.keystore.password", tls.password);
        broker.put("listener.name.external.ssl.key.password", tls.password);
        broker.put("listener.name.external.ssl.keystore.type", "PKCS12");
        Map<String, String> client = new HashMap<>();
        client.put("security.protocol", "SASL_SSL");
        client.put("sasl.mechanism", "SCRAM-SHA-512");
        client.put(
                "sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                        + KAFKA_USER
                        + "\" password=\""
                        + KAFKA_PASSWORD
                        + "\";");
        client.put("ssl.truststore.location", tls.trustStore.toString());
        client.put("ssl.truststore.password", tls.password);
        client.put("ssl.truststore.type", "PKCS12");
        KafkaBroker kafka = KafkaBroker.start(broker, client);
        createScramUser(kafka, "localhost:" + internal);
        return kafka;
    }

    /** A redis-server with only a TLS port (the certificate made here) and an ACL user. */
    private static RedisServer startRedis(int port) throws Exception {
        RedisSettings redisClient =
                new RedisSettings(
                        "rediss://localhost:" + port,
                        "",
                        Duration.ZERO,
                        1,
                        Duration.ZERO,
                        1,
                        new RedisSecurity(
                                REDIS_USER,
                                REDIS_PASSWORD,
                                tls.trustStore.toString(),
                                tls.password,
                                "PKCS12"));
        return RedisServer.start(
                port,
                List.of(
                        "--port",
                        "0",
                        "--tls-port",
                        Integer.toString(port),
                        "--tls-cert-file",
                        tls.certificatePem.toString(),
                        "--tls-key-file",
                        tls.privateKeyPem.toString(),
                        "--tls-ca-cert-file",
                        tls.certificatePem.toString(),
                        "--tls-auth-clients",
                        "no",
                        "--requirepass",
                        "default-" + UUID.randomUUID(),
                        "--user",
                        REDIS_USER,
                        "on",
                        ">" + REDIS_PASSWORD,
                        "~*",
                        "&*",
                        "+@all"),
                p -> RedisClients.connect(redisClient, 2_000, 5_000));
    }

    /** The job's SCRAM user, made over the brokers' own plaintext listener. */
    private static void createScramUser(KafkaBroker kafka, String internalListener)
            throws Exception {
        Properties properties = new Properties();
        properties.put("bootstrap.servers", internalListener);
        try (Admin admin = Admin.create(properties)) {
            admin.alterUserScramCredentials(
                            List.of(
                                    new UserScramCredentialUpsertion(
                                            KAFKA_USER,
                                            new ScramCredentialInfo(
                                                    ScramMechanism.SCRAM_SHA_512, 4096),
                                            KAFKA_PASSWORD)))
                    .all()
                    .get(30, TimeUnit.SECONDS);
        }
        // The credential reaches the broker's metadata shortly after.
        try (Admin admin = Admin.create(kafka.clientProperties())) {
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (true) {
                try {
                    admin.describeCluster().nodes().get(10, TimeUnit.SECONDS);
                    return;
                } catch (Exception notYet) {
                    if (System.nanoTime() > deadline) {
                        throw notYet;
                    }
                    Thread.sleep(200);
                }
            }
        }
    }

    @Test
    @Order(1)
    void runsEndToEndOverSaslSslAndRedisTlsWithSecretsFromFilesAndNeverShowsThem(
            @InjectClusterClient ClusterClient<?> cluster) throws Exception {
        List<String> secretValues = List.of(KAFKA_PASSWORD, REDIS_PASSWORD, tls.password);
        List<TransactionEvent> events = JobRun.generate(23, EVENTS);
        JobRun run = securedRun("secured");
        String labelsTopic = run.name + "-labels";
        String evaluationTopic = run.name + "-evaluation";
        run.options.put("kafka.topics.labels", labelsTopic);
        run.options.put("kafka.topics.evaluation", evaluationTopic);
        run.options.put("evaluation.window", "1 h");
        run.options.put("evaluation.slide", "1 s");
        // The job's configuration as a file: what rtml run and every rtml command take.
        Path configFile = configFile(run.options);

        String logs;
        List<Prediction> committed;
        String jobConfig;
        RtmlConfig config;
        RtmlCli topics;
        RtmlCli tail;
        JsonNode everyLabel;
        RtmlCli lookup;
        String card = events.get(EVENTS - 1).cardId;
        byte[] jobGraph;
        try (LogCapture capture =
                LogCapture.start("io.rtml", "org.apache.flink", "org.apache.kafka.clients")) {
            try {
                config = run.config();
                org.slf4j.LoggerFactory.getLogger("io.rtml.job.RtmlJob")
                        .info("Starting rtml with options:{}", config.describe());
                jobGraph = serializedJobGraph(config);
                // The labels and evaluation topics are the run's own: rtml topics creates them.
                topics = RtmlCli.run("topics", "--config", configFile.toString());
                run.produce(events);
                JobClient job = run.start();
                try (KafkaBroker.CommittedReader reader =
                        SERVICES.kafka().reader(run.predictions)) {
                    reader.awaitAtLeast(EVENTS, WAIT);
                    committed = JobRun.predictions(reader.readFor(Duration.ofSeconds(2)));
                    jobConfig =
                            get(
                                            cluster.getWebInterfaceURL()
                                                    + "/jobs/"
                                                    + job.getJobID()
                                                    + "/config")
                                    + get(cluster.getWebInterfaceURL() + "/jobmanager/config");
                } finally {
                    job.cancel().get();
                }
                tail =
                        RtmlCli.run(
                                "tail",
                                "--config",
                                configFile.toString(),
                                "--from-beginning",
                                "--no-follow",
                                "--format",
                                "json");
                everyLabel = evaluateOverSaslSsl(config, labelsTopic, evaluationTopic, events);
                lookup =
                        RtmlCli.run(
                                "lookup",
                                card,
                                "--config",
                                configFile.toString(),
                                "--format",
                                "json");
            } finally {
                // For a failure's diagnosis, whichever step failed; it holds no secret (asserted
                // below when the run succeeds).
                Files.writeString(Path.of("target", "secured-connections.log"), capture.text());
            }
            logs = capture.text();
        }

        Delivery.Outcome outcome = Delivery.assertExactlyOnce(committed, events);
        int cards =
                Delivery.assertRedisHoldsNewest(SERVICES.redis(), run.keyPrefix, events, committed);

        // rtml topics made the run's labels and evaluation topics over SASL_SSL.
        assertThat(topics.exitCode()).as(topics.err()).isZero();
        try (Admin admin = Admin.create(SERVICES.kafka().clientProperties())) {
            assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS))
                    .contains(labelsTopic, evaluationTopic);
        }
        // rtml tail read every committed prediction over SASL_SSL, as the job wrote it.
        assertThat(tail.exitCode()).as(tail.err()).isZero();
        List<String> tailed = tail.out().lines().toList();
        assertThat(tailed).hasSize(EVENTS);
        assertThat(tailed.stream().map(line -> PredictionJson.read(line.getBytes()).eventId))
                .containsExactlyInAnyOrderElementsOf(
                        committed.stream().map(p -> p.eventId).toList());
        // The live evaluation's source read every label over SASL_SSL.
        assertThat(everyLabel.get("labelled").asLong()).isEqualTo(EVENTS);
        assertThat(everyLabel.get("positives").asLong()).isEqualTo(positives(events));
        // rtml lookup read the card's entry over TLS as the ACL user: what the job wrote.
        assertThat(lookup.exitCode()).as(lookup.err()).isZero();
        JsonNode entry = JSON.readTree(lookup.out());
        try (Jedis jedis = SERVICES.redis().client()) {
            String key = run.keyPrefix + "card:" + card;
            assertThat(entry.get("key").asText()).isEqualTo(key);
            assertThat(entry.get("prediction").toString())
                    .isEqualTo(JSON.readTree(jedis.hget(key, "prediction")).toString());
        }
        assertThat(entry.get("prediction").get("card_id").asText()).isEqualTo(card);

        // The clients did log their settings, with the secrets hidden.
        assertThat(logs)
                .contains("security.protocol = SASL_SSL")
                .contains("sasl.jaas.config = [hidden]");
        String printed = config.describe();
        assertThat(printed)
                .contains("kafka.sasl.password: file:" + secrets.resolve("kafka-password"))
                .contains("redis.password: file:" + secrets.resolve("redis-password"));
        String flinkConfiguration =
                JobEnvironment.apply(config, new Configuration()).toMap().toString();
        // The job graph (what the cluster keeps in its HA storage) holds the references: the
        // search below would find a secret written there the same way.
        String graph = new String(jobGraph, StandardCharsets.ISO_8859_1);
        assertThat(graph)
                .contains("${rtml:jaas:file:" + secrets.resolve("kafka-password") + "}")
                .contains("file:" + secrets.resolve("redis-password"));
        for (String secret : secretValues) {
            assertThat(logs).as("the logs").doesNotContain(secret);
            assertThat(printed).as("the printed configuration").doesNotContain(secret);
            assertThat(flinkConfiguration).as("the Flink configuration").doesNotContain(secret);
            assertThat(jobConfig)
                    .as("the job's configuration in the REST API")
                    .doesNotContain(secret);
            assertThat(Files.readString(configFile)).as("the config file").doesNotContain(secret);
            for (RtmlCli command : List.of(topics, tail, lookup)) {
                assertThat(command.out() + command.err())
                        .as("the commands' output")
                        .doesNotContain(secret);
            }
            assertThat(graph).as("the serialized job graph").doesNotContain(secret);
        }
        Figures.record(
                "secured connections: Kafka SASL_SSL (SCRAM-SHA-512), Redis TLS + ACL user",
                0,
                outcome,
                "secrets from files, read on the cluster; none in "
                        + logs.lines().count()
                        + " captured log lines, the printed config, the Flink config, the REST"
                        + " job config or the "
                        + jobGraph.length
                        + "-byte serialized job graph; Redis newest for all "
                        + cards
                        + " cards; with the job's --config: rtml tail read "
                        + tailed.size()
                        + " predictions, the live evaluation "
                        + everyLabel.get("labelled").asLong()
                        + " labels, rtml lookup card "
                        + card);
    }

    /**
     * Runs the live evaluation (the scoring job is done: it reads the committed predictions) with a
     * label for every event, and returns the first window that holds them all.
     */
    private static JsonNode evaluateOverSaslSsl(
            RtmlConfig config,
            String labelsTopic,
            String evaluationTopic,
            List<TransactionEvent> events)
            throws Exception {
        List<Map.Entry<byte[], byte[]>> labels = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            TransactionEvent event = events.get(i);
            labels.add(
                    Map.entry(
                            event.cardId.getBytes(StandardCharsets.UTF_8),
                            Label.write(event.eventId, fraud(i), "test")));
        }
        SERVICES.kafka().produce(labelsTopic, labels);
        StreamExecutionEnvironment env = JobRun.environment(config);
        EvaluationJob.pipeline(config).build().attachTo(env);
        JobClient evaluation = env.executeAsync();
        try (KafkaBroker.CommittedReader windows = SERVICES.kafka().reader(evaluationTopic)) {
            long deadline = System.nanoTime() + WAIT.toNanos();
            long mostLabelled = 0;
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record :
                        windows.readFor(Duration.ofMillis(500))) {
                    JsonNode window = JSON.readTree(record.value());
                    mostLabelled = Math.max(mostLabelled, window.get("labelled").asLong());
                    if (window.get("labelled").asLong() == events.size()) {
                        return window;
                    }
                }
            }
            throw new AssertionError(
                    "no evaluation window with all "
                            + events.size()
                            + " labels; at most "
                            + mostLabelled);
        } finally {
            evaluation.cancel().get();
        }
    }

    /** Every tenth event is labelled fraud. */
    private static boolean fraud(int index) {
        return index % 10 == 0;
    }

    private static long positives(List<TransactionEvent> events) {
        return java.util.stream.IntStream.range(0, events.size())
                .filter(SecuredConnectionsITCase::fraud)
                .count();
    }

    /** The options as the job's YAML config file, dotted keys, every value a quoted string. */
    private static Path configFile(Map<String, String> options) throws Exception {
        StringBuilder yaml = new StringBuilder();
        new TreeMap<>(options)
                .forEach(
                        (key, value) ->
                                yaml.append(key)
                                        .append(": \"")
                                        .append(value.replace("\\", "\\\\").replace("\"", "\\\""))
                                        .append("\"\n"));
        return secret("rtml.yaml", yaml.toString());
    }

    /** What the client hands the cluster for the job, serialized as the cluster stores it. */
    private static byte[] serializedJobGraph(RtmlConfig config) throws Exception {
        StreamExecutionEnvironment env = JobRun.environment(config);
        RtmlJob.pipeline(config).build().attachTo(env);
        return InstantiationUtil.serializeObject(env.getStreamGraph().getJobGraph());
    }

    /** A wrong setting of the secured connections, and what the job's failure then says. */
    enum Misconfiguration {
        KAFKA_WRONG_CA,
        KAFKA_WRONG_HOST_NAME,
        KAFKA_WRONG_PASSWORD,
        REDIS_WRONG_CA,
        REDIS_WRONG_HOST_NAME,
        REDIS_WRONG_PASSWORD
    }

    @ParameterizedTest
    @EnumSource(Misconfiguration.class)
    @Order(2)
    void failsAtStartWithAClearErrorWhenAConnectionIsRefused(
            Misconfiguration wrong, @InjectClusterClient ClusterClient<?> cluster)
            throws Exception {
        JobRun run = securedRun("refused");
        String redisUri = "rediss://localhost:" + SERVICES.redis().port();
        String expected =
                switch (wrong) {
                    case KAFKA_WRONG_CA -> {
                        run.options.put(
                                "kafka.ssl.truststore.location", otherCa.trustStore.toString());
                        run.options.put(
                                "kafka.ssl.truststore.password",
                                "file:" + secret("other-ca-password", otherCa.password));
                        // "PKIX path building failed" or, as here where the other CA has the
                        // same name, "PKIX path validation failed: ... signature check failed".
                        yield "SSLHandshakeException: PKIX path";
                    }
                    case KAFKA_WRONG_HOST_NAME -> {
                        // The certificate names localhost, not 127.0.0.1.
                        run.options.put("kafka.bootstrap-servers", "127.0.0.1:" + kafkaPort);
                        yield "No subject alternative names matching IP address 127.0.0.1 found";
                    }
                    case KAFKA_WRONG_PASSWORD -> {
                        run.options.put(
                                "kafka.sasl.password",
                                "file:" + secret("wrong-kafka-password", "not-" + KAFKA_PASSWORD));
                        yield "Authentication failed during authentication due to invalid"
                                + " credentials with SASL mechanism SCRAM-SHA-512";
                    }
                    case REDIS_WRONG_CA -> {
                        run.options.put("redis.truststore.location", otherCa.trustStore.toString());
                        run.options.put(
                                "redis.truststore.password",
                                "file:" + secret("other-ca-password", otherCa.password));
                        yield "Redis at "
                                + redisUri
                                + ": the server's certificate is not trusted (signature check"
                                + " failed); redis.truststore.location must hold the CA that"
                                + " signed it";
                    }
                    case REDIS_WRONG_HOST_NAME -> {
                        redisUri = "rediss://127.0.0.1:" + SERVICES.redis().port();
                        run.options.put("redis.uri", redisUri);
                        yield "Redis at "
                                + redisUri
                                + ": the server's certificate is not for that host name (No"
                                + " subject alternative names matching IP address 127.0.0.1"
                                + " found); redis.uri must name a host the certificate names";
                    }
                    case REDIS_WRONG_PASSWORD -> {
                        run.options.put(
                                "redis.password",
                                "file:" + secret("wrong-redis-password", "not-" + REDIS_PASSWORD));
                        yield "Redis at "
                                + redisUri
                                + " refused the credentials of user "
                                + REDIS_USER
                                + " (redis.username, redis.password): WRONGPASS";
                    }
                };
        run.produce(JobRun.generate(29, 100));

        JobClient job = run.start();
        String failures;
        try {
            failures = awaitFailure(cluster, job, expected);
        } finally {
            job.cancel().get();
            // Until its tasks are gone, a cancelled job holds the mini cluster's slots and its
            // clients keep retrying against the servers the next test uses.
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!job.getJobStatus().get().isGloballyTerminalState()
                    && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
        }
        try (KafkaBroker.CommittedReader reader = SERVICES.kafka().reader(run.predictions)) {
            assertThat(reader.readFor(Duration.ofSeconds(1))).as("committed predictions").isEmpty();
        }
        assertThat(failures).contains(expected);
        System.out.println("reliability: refused at start, " + wrong + ": " + expected);
    }

    /**
     * The job's exception history once a failure in it says {@code expected}; fails the test if
     * none does within {@link #WAIT}.
     */
    private static String awaitFailure(ClusterClient<?> cluster, JobClient job, String expected)
            throws Exception {
        String url = cluster.getWebInterfaceURL() + "/jobs/" + job.getJobID() + "/exceptions";
        long deadline = System.nanoTime() + WAIT.toNanos();
        String history = "";
        while (System.nanoTime() < deadline) {
            history = get(url);
            if (history.contains(expected)) {
                return history;
            }
            Thread.sleep(200);
        }
        throw new AssertionError(
                "no failure saying \"" + expected + "\" within " + WAIT + "; history: " + history);
    }

    /**
     * A run of the job over the secured connections, every secret in a file (the Kafka user's name
     * too), the trust store's CA the one that signed both servers' certificates.
     */
    private static JobRun securedRun(String label) throws Exception {
        Path kafkaUser = secret("kafka-username", KAFKA_USER + "\n");
        Path kafkaPassword = secret("kafka-password", KAFKA_PASSWORD + "\n");
        Path storePassword = secret("truststore-password", tls.password);
        Path redisPassword = secret("redis-password", REDIS_PASSWORD);
        JobRun run =
                new JobRun(
                        SERVICES.kafka(),
                        "rediss://localhost:" + SERVICES.redis().port(),
                        secrets.resolve("checkpoints-" + label),
                        label);
        run.options.put("kafka.security.protocol", "SASL_SSL");
        run.options.put("kafka.sasl.mechanism", "SCRAM-SHA-512");
        run.options.put("kafka.sasl.username", "file:" + kafkaUser);
        run.options.put("kafka.sasl.password", "file:" + kafkaPassword);
        run.options.put("kafka.ssl.truststore.location", tls.trustStore.toString());
        run.options.put("kafka.ssl.truststore.password", "file:" + storePassword);
        run.options.put("redis.username", REDIS_USER);
        run.options.put("redis.password", "file:" + redisPassword);
        run.options.put("redis.truststore.location", tls.trustStore.toString());
        run.options.put("redis.truststore.password", "file:" + storePassword);
        return run;
    }

    private static Path secret(String name, String value) throws Exception {
        Path file = secrets.resolve(name);
        Files.writeString(file, value);
        return file;
    }

    private static String get(String url) throws Exception {
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(url)).build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }
}
