package io.rtml.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rtml.event.DecodedRecord;
import io.rtml.event.EventDeserializer;
import io.rtml.event.TransactionEvent;
import io.rtml.inference.ModelArtifact;
import io.rtml.inference.Prediction;
import io.rtml.job.testing.Delivery;
import io.rtml.job.testing.JobRun;
import io.rtml.sink.RedisSink;
import io.rtml.testing.KafkaBroker;
import io.rtml.testing.ShippedSpec;
import io.rtml.testing.TestServices;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * The real pipeline in a Flink mini cluster (parallelism 2, RocksDB, exactly-once checkpoints)
 * against a Kafka broker in this JVM and a redis-server process.
 */
class PipelineITCase {
    private static final Duration WAIT = Duration.ofMinutes(3);
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final TestServices SERVICES = TestServices.builder().kafka().redis().flink().build();

    @TempDir Path checkpoints;

    @Test
    void scoresEveryEventOnceKeepsTheNewestInRedisAndDeadLettersTheRest() throws Exception {
        JobRun run = new JobRun(SERVICES, checkpoints, "pipeline");
        List<TransactionEvent> events = JobRun.generate(1, 3_000);
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
        SERVICES.kafka().produce(run.events, records);

        JobClient job = run.start();
        List<Prediction> committed;
        try (KafkaBroker.CommittedReader predictions = SERVICES.kafka().reader(run.predictions);
                KafkaBroker.CommittedReader deadLetters =
                        SERVICES.kafka().reader(run.deadLetters)) {
            predictions.awaitAtLeast(events.size(), WAIT);
            committed = JobRun.predictions(predictions.readFor(Duration.ofSeconds(3)));
            Delivery.assertExactlyOnce(committed, events);

            ModelArtifact model = run.config().model();
            for (Prediction prediction : committed) {
                assertThat(prediction.modelName).isEqualTo("fraud");
                assertThat(prediction.modelVersion).isEqualTo(model.version());
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
        assertRedisHoldsTheNewestPredictionPerCard(run, events, committed);
    }

    @Test
    void losesAndDuplicatesNothingAcrossAnInjectedTaskFailure() throws Exception {
        JobRun run = new JobRun(SERVICES, checkpoints, "pipeline-failure");
        List<TransactionEvent> events = JobRun.generate(2, 4_000);
        List<Map.Entry<byte[], byte[]>> records = KafkaBroker.keyedByCard(events);
        FailOnce.reset();

        JobClient job = run.start(p -> p.events(Connectors.events(run.config(), new FailOnce())));
        List<Prediction> committed;
        try (KafkaBroker.CommittedReader predictions = SERVICES.kafka().reader(run.predictions)) {
            SERVICES.kafka().produce(run.events, records.subList(0, 2_000));
            // Some predictions are committed, so a checkpoint has completed: fail after it.
            predictions.awaitAtLeast(1, WAIT);
            FailOnce.ARMED.set(true);
            SERVICES.kafka().produce(run.events, records.subList(2_000, records.size()));

            predictions.awaitAtLeast(events.size(), WAIT);
            committed = JobRun.predictions(predictions.readFor(Duration.ofSeconds(3)));
            assertThat(FailOnce.FAILED).as("the injected failure happened").isTrue();
            Delivery.assertExactlyOnce(committed, events);
        } finally {
            job.cancel().get();
        }
        assertRedisHoldsTheNewestPredictionPerCard(run, events, committed);
    }

    /**
     * Each card's hash holds the prediction of its newest event (latest time, then largest id),
     * with its feature vector, and no other card has a key.
     */
    private static void assertRedisHoldsTheNewestPredictionPerCard(
            JobRun run, List<TransactionEvent> events, List<Prediction> committed)
            throws IOException {
        Map<String, TransactionEvent> newest = Delivery.newestPerCard(events);
        try (Jedis jedis = SERVICES.redis().client()) {
            assertThat(
                            Delivery.assertRedisHoldsNewest(
                                    jedis, run.keyPrefix, events, committed, card -> true))
                    .isEqualTo(newest.size());
            for (TransactionEvent event : newest.values()) {
                Map<String, String> hash =
                        jedis.hgetAll(RedisSink.key(run.keyPrefix, event.cardId));
                JsonNode features = JSON.readTree(hash.get(RedisSink.FIELD_FEATURES));
                assertThat(features).hasSize(ShippedSpec.load().columns().size());
                assertThat(features.get(0).floatValue())
                        .as("amount_log1p, the first column")
                        .isEqualTo((float) Math.log1p(event.amount));
            }
            assertThat(jedis.keys(run.keyPrefix + "card:*")).hasSize(newest.size());
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
