package io.rtml.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rtml.event.DecodedRecord;
import io.rtml.event.EventDeserializer;
import io.rtml.event.TransactionEvent;
import io.rtml.inference.ModelArtifact;
import io.rtml.inference.Prediction;
import io.rtml.job.config.RtmlConfig;
import io.rtml.job.generator.GeneratedTransaction;
import io.rtml.job.generator.TransactionGenerator;
import io.rtml.job.testing.KafkaBroker;
import io.rtml.job.testing.Repository;
import io.rtml.sink.PredictionJson;
import io.rtml.sink.RedisSink;
import io.rtml.testing.RedisServer;
import io.rtml.testing.ShippedSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * The real pipeline in a Flink mini cluster (parallelism 2, RocksDB, exactly-once checkpoints)
 * against a Kafka broker in this JVM and a redis-server process.
 */
class PipelineITCase {
    private static final int PARALLELISM = 2;
    private static final Duration WAIT = Duration.ofMinutes(3);
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(PARALLELISM)
                            .build());

    private static final AtomicInteger RUNS = new AtomicInteger();
    private static KafkaBroker kafka;
    private static RedisServer redis;

    @TempDir Path checkpoints;

    @BeforeAll
    static void startServices() throws Exception {
        kafka = KafkaBroker.start();
        redis = RedisServer.start();
    }

    @AfterAll
    static void stopServices() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void scoresEveryEventOnceKeepsTheNewestInRedisAndDeadLettersTheRest() throws Exception {
        Run run = new Run();
        List<TransactionEvent> events = generate(1, 3_000);
        Map<String, byte[]> malformed = new LinkedHashMap<>();
        malformed.put(
                "amount",
                "{\"event_id\":\"bad-1\",\"card_id\":\"c-1\",\"merchant_id\":\"m-1\",\"amount\":\"12\",\"currency\":\"EUR\",\"country\":\"DE\",\"channel\":\"pos\",\"event_time\":1767225600000}"
                        .getBytes(StandardCharsets.UTF_8));
        malformed.put(
                "card_id",
                "{\"event_id\":\"bad-2\",\"merchant_id\":\"m-1\",\"amount\":12,\"currency\":\"EUR\",\"country\":\"DE\",\"channel\":\"pos\",\"event_time\":1767225600000}"
                        .getBytes(StandardCharsets.UTF_8));
        malformed.put(
                "channel",
                "{\"event_id\":\"bad-3\",\"card_id\":\"c-1\",\"merchant_id\":\"m-1\",\"amount\":12,\"currency\":\"EUR\",\"country\":\"DE\",\"channel\":\"phone\",\"event_time\":1767225600000}"
                        .getBytes(StandardCharsets.UTF_8));
        malformed.put("record", "{\"event_id\":\"bad-4\",".getBytes(StandardCharsets.UTF_8));
        malformed.put(
                "event_time",
                "{\"event_id\":\"bad-5\",\"card_id\":\"c-1\",\"merchant_id\":\"m-1\",\"amount\":12,\"currency\":\"EUR\",\"country\":\"DE\",\"channel\":\"pos\",\"event_time\":\"yesterday\"}"
                        .getBytes(StandardCharsets.UTF_8));
        List<Map.Entry<byte[], byte[]>> records = KafkaBroker.keyedByCard(events);
        int at = 0;
        for (byte[] bad : malformed.values()) {
            records.add(at, Map.entry("c-1".getBytes(StandardCharsets.UTF_8), bad));
            at += 500;
        }
        kafka.produce(run.events, records);

        JobClient job = run.start(new EventDeserializer(EventDeserializer.DEFAULT_MAX_FUTURE));
        try (KafkaBroker.CommittedReader predictions = kafka.reader(run.predictions);
                KafkaBroker.CommittedReader deadLetters = kafka.reader(run.deadLetters)) {
            predictions.awaitAtLeast(events.size(), WAIT);
            List<Prediction> committed = read(predictions.readFor(Duration.ofSeconds(3)));
            assertExactlyOnePredictionPerEvent(committed, events);

            ModelArtifact model = run.config.model();
            for (Prediction prediction : committed) {
                assertThat(prediction.modelName).isEqualTo("fraud");
                assertThat(prediction.modelVersion).isEqualTo(run.config.model().version());
                assertThat(prediction.fallbackReason).isNull();
                assertThat(prediction.score).isBetween(0f, 1f);
                assertThat(prediction.decision)
                        .isEqualTo(
                                prediction.score >= model.threshold()
                                        ? Prediction.FLAG
                                        : Prediction.PASS);
            }

            List<ConsumerRecord<byte[], byte[]>> letters =
                    deadLetters.awaitAtLeast(malformed.size(), WAIT);
            assertThat(deadLetters.readFor(Duration.ofSeconds(1))).hasSize(malformed.size());
            Map<String, String> fieldByRawValue = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> letter : letters) {
                var json =
                        new com.fasterxml.jackson.databind.ObjectMapper().readTree(letter.value());
                String raw =
                        new String(
                                java.util.Base64.getDecoder()
                                        .decode(json.get("value_base64").asText()),
                                StandardCharsets.UTF_8);
                String field = json.get("field").isNull() ? "record" : json.get("field").asText();
                assertThat(json.get("reason").asText()).isNotBlank();
                assertThat(json.get("source").get("topic").asText()).isEqualTo(run.events);
                fieldByRawValue.put(raw, field);
            }
            Map<String, String> expected = new HashMap<>();
            malformed.forEach(
                    (field, raw) -> expected.put(new String(raw, StandardCharsets.UTF_8), field));
            assertThat(fieldByRawValue).isEqualTo(expected);
        } finally {
            job.cancel().get();
        }
        assertRedisHoldsTheNewestPredictionPerCard(run, events);
    }

    @Test
    void losesAndDuplicatesNothingAcrossAnInjectedTaskFailure() throws Exception {
        Run run = new Run();
        List<TransactionEvent> events = generate(2, 4_000);
        List<Map.Entry<byte[], byte[]>> records = KafkaBroker.keyedByCard(events);
        FailOnce.reset();

        JobClient job = run.start(new FailOnce());
        try (KafkaBroker.CommittedReader predictions = kafka.reader(run.predictions)) {
            kafka.produce(run.events, records.subList(0, 2_000));
            // Some predictions are committed, so a checkpoint has completed: fail after it.
            predictions.awaitAtLeast(1, WAIT);
            FailOnce.ARMED.set(true);
            kafka.produce(run.events, records.subList(2_000, records.size()));

            predictions.awaitAtLeast(events.size(), WAIT);
            List<Prediction> committed = read(predictions.readFor(Duration.ofSeconds(3)));
            assertThat(FailOnce.FAILED).as("the injected failure happened").isTrue();
            assertExactlyOnePredictionPerEvent(committed, events);
        } finally {
            job.cancel().get();
        }
        assertRedisHoldsTheNewestPredictionPerCard(run, events);
    }

    private static void assertExactlyOnePredictionPerEvent(
            List<Prediction> committed, List<TransactionEvent> events) {
        Set<String> expectedIds = events.stream().map(e -> e.eventId).collect(Collectors.toSet());
        List<String> ids = committed.stream().map(p -> p.eventId).toList();
        assertThat(ids).hasSize(events.size());
        assertThat(new HashSet<>(ids)).as("distinct predicted event ids").isEqualTo(expectedIds);
        Map<String, TransactionEvent> byId = new HashMap<>();
        events.forEach(e -> byId.put(e.eventId, e));
        for (Prediction prediction : committed) {
            TransactionEvent event = byId.get(prediction.eventId);
            assertThat(prediction.cardId).isEqualTo(event.cardId);
            assertThat(prediction.eventTimeMs).isEqualTo(event.eventTimeMs);
        }
    }

    /** Each card's hash holds the prediction of its newest event: latest time, then largest id. */
    private static void assertRedisHoldsTheNewestPredictionPerCard(
            Run run, List<TransactionEvent> events) throws IOException {
        Map<String, TransactionEvent> newest = new HashMap<>();
        Comparator<TransactionEvent> order =
                Comparator.<TransactionEvent>comparingLong(e -> e.eventTimeMs)
                        .thenComparing(e -> e.eventId);
        for (TransactionEvent event : events) {
            newest.merge(event.cardId, event, (a, b) -> order.compare(a, b) >= 0 ? a : b);
        }
        try (Jedis jedis = redis.client()) {
            for (TransactionEvent event : newest.values()) {
                Map<String, String> hash =
                        jedis.hgetAll(RedisSink.key(run.keyPrefix, event.cardId));
                assertThat(hash.get(RedisSink.FIELD_EVENT_ID))
                        .as(event.cardId)
                        .isEqualTo(event.eventId);
                assertThat(hash.get(RedisSink.FIELD_EVENT_TIME_MS))
                        .isEqualTo(Long.toString(event.eventTimeMs));
                Prediction stored =
                        PredictionJson.read(
                                hash.get(RedisSink.FIELD_PREDICTION)
                                        .getBytes(StandardCharsets.UTF_8));
                assertThat(stored.eventId).isEqualTo(event.eventId);
                JsonNode features = JSON.readTree(hash.get(RedisSink.FIELD_FEATURES));
                assertThat(features).hasSize(ShippedSpec.load().columns().size());
                assertThat(features.get(0).floatValue())
                        .as("amount_log1p, the first column")
                        .isEqualTo((float) Math.log1p(event.amount));
            }
            assertThat(jedis.keys(run.keyPrefix + "card:*")).hasSize(newest.size());
        }
    }

    private static List<TransactionEvent> generate(long seed, int count) {
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

    private static List<Prediction> read(List<ConsumerRecord<byte[], byte[]>> records) {
        return records.stream().map(r -> PredictionJson.read(r.value())).toList();
    }

    /** One run of the job on its own topics, consumer group and Redis keys. */
    private final class Run {
        final String events;
        final String predictions;
        final String deadLetters;
        final String control;
        final String shadow;
        final String keyPrefix;
        final RtmlConfig config;

        Run() throws Exception {
            int n = RUNS.incrementAndGet();
            events = "events-" + n;
            predictions = "predictions-" + n;
            deadLetters = "dead-letters-" + n;
            control = "model-control-" + n;
            shadow = "predictions-shadow-" + n;
            keyPrefix = "it" + n + ":";
            kafka.createTopics(4, events, predictions, deadLetters, shadow);
            kafka.createTopics(1, control);
            Map<String, String> options = new HashMap<>();
            options.put("kafka.bootstrap-servers", kafka.bootstrapServers());
            options.put("kafka.group-id", "rtml-it-" + n);
            options.put("kafka.transactional-id-prefix", "rtml-it-" + n);
            options.put("kafka.topics.events", events);
            options.put("kafka.topics.predictions", predictions);
            options.put("kafka.topics.dead-letters", deadLetters);
            options.put("kafka.topics.model-control", control);
            options.put("kafka.topics.shadow-predictions", shadow);
            options.put("redis.uri", redis.uri());
            options.put("redis.key-prefix", keyPrefix);
            options.put("model.repository", Repository.modelArtifacts().toString());
            options.put("checkpoints.interval", "500 ms");
            options.put("checkpoints.directory", checkpoints.toUri().toString());
            options.put("job.parallelism", Integer.toString(PARALLELISM));
            config = RtmlConfig.load(null, options);
        }

        JobClient start(KafkaRecordDeserializationSchema<DecodedRecord> deserializer)
                throws Exception {
            StreamExecutionEnvironment env =
                    StreamExecutionEnvironment.getExecutionEnvironment(
                            JobEnvironment.apply(config, new Configuration()));
            Pipeline.builder()
                    .config(config)
                    .events(Connectors.events(config, deserializer))
                    .predictions(Connectors.predictions(config))
                    .latestPredictions(Connectors.latestPredictions(config))
                    .deadLetters(Connectors.deadLetters(config))
                    .modelControl(Connectors.modelControl(config))
                    .shadowPredictions(Connectors.shadowPredictions(config))
                    .build()
                    .attachTo(env);
            return env.executeAsync();
        }
    }

    /** Decodes like the job, but fails the source task once, after the test arms it. */
    static final class FailOnce implements KafkaRecordDeserializationSchema<DecodedRecord> {
        private static final long serialVersionUID = 1L;
        static final AtomicBoolean ARMED = new AtomicBoolean();
        static final AtomicBoolean FAILED = new AtomicBoolean();

        private final EventDeserializer delegate =
                new EventDeserializer(EventDeserializer.DEFAULT_MAX_FUTURE);

        static void reset() {
            ARMED.set(false);
            FAILED.set(false);
        }

        @Override
        public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<DecodedRecord> out)
                throws IOException {
            if (ARMED.get() && FAILED.compareAndSet(false, true)) {
                throw new IOException("injected task failure");
            }
            delegate.deserialize(record, out);
        }

        @Override
        public TypeInformation<DecodedRecord> getProducedType() {
            return delegate.getProducedType();
        }
    }
}
