package io.rtml.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtml.event.EventJson;
import io.rtml.event.TransactionEvent;
import io.rtml.features.FeatureVector;
import io.rtml.job.config.RtmlConfig;
import io.rtml.job.generator.GeneratedTransaction;
import io.rtml.job.generator.TransactionGenerator;
import io.rtml.job.testing.KafkaBroker;
import io.rtml.job.testing.Repository;
import io.rtml.sink.FeatureVectorJson;
import io.rtml.testing.RedisServer;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Training/serving parity: the vectors the streaming job served (its feature log, exactly once) are
 * identical, bit for bit, to what the backfill computes from the same events. The events are
 * produced all at once, so the job reads a backlog across four partitions in whatever interleaving:
 * the merchant features, read from every partition, must not depend on it.
 */
class FeatureParityITCase {
    private static final int EVENTS = 6_000;

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    @TempDir Path dir;

    @Test
    void servesExactlyTheVectorsTheBackfillComputesFromTheSameEvents() throws Exception {
        // Few merchants, busy cards: every window of the spec, of both entities, has events.
        TransactionGenerator generator =
                new TransactionGenerator(
                        new TransactionGenerator.Settings(
                                11, 300, 40, 150, 0.02, 1_767_225_600_000L));
        List<TransactionEvent> events = new ArrayList<>();
        for (GeneratedTransaction transaction : generator.take(EVENTS)) {
            events.add(transaction.event());
        }
        Path eventsFile = dir.resolve("events.jsonl");
        try (OutputStream out = Files.newOutputStream(eventsFile)) {
            for (TransactionEvent event : events) {
                out.write(EventJson.write(event));
                out.write('\n');
            }
        }

        try (KafkaBroker kafka = KafkaBroker.start();
                RedisServer redis = RedisServer.start()) {
            kafka.createTopics(
                    4, "events", "predictions", "events-dlq", "features-log", "predictions-shadow");
            kafka.createTopics(1, "model-control");
            RtmlConfig config =
                    RtmlConfig.load(
                            null,
                            Map.of(
                                    "kafka.bootstrap-servers", kafka.bootstrapServers(),
                                    "redis.uri", redis.uri(),
                                    "model.repository", Repository.modelArtifacts().toString(),
                                    "features.log-topic", "features-log",
                                    "checkpoints.interval", "500 ms",
                                    "checkpoints.directory",
                                            dir.resolve("checkpoints").toUri().toString(),
                                    "job.parallelism", "2"));
            List<Map.Entry<byte[], byte[]>> records = new ArrayList<>();
            for (TransactionEvent event : events) {
                records.add(
                        Map.entry(
                                event.cardId.getBytes(StandardCharsets.UTF_8),
                                EventJson.write(event)));
            }
            // A day later, a tail of events on other cards moves every partition's watermark past
            // the last real events' windows, as continuing traffic would; its own vectors are not
            // compared.
            for (int i = 0; i < 64; i++) {
                TransactionEvent tail = generator.next().event();
                tail.eventId = "tail-" + i;
                tail.cardId = "tail-card-" + i;
                tail.eventTimeMs = events.get(EVENTS - 1).eventTimeMs + 86_400_000L + i;
                records.add(
                        Map.entry(
                                tail.cardId.getBytes(StandardCharsets.UTF_8),
                                EventJson.write(tail)));
            }
            kafka.produce("events", records);

            StreamExecutionEnvironment env =
                    StreamExecutionEnvironment.getExecutionEnvironment(
                            JobEnvironment.apply(config, new Configuration()));
            RtmlJob.pipeline(config).build().attachTo(env);
            JobClient job = env.executeAsync();
            Map<String, float[]> served = new HashMap<>();
            try (KafkaBroker.CommittedReader log = kafka.reader("features-log")) {
                long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
                int read = 0;
                while (served.size() < EVENTS && System.nanoTime() < deadline) {
                    List<ConsumerRecord<byte[], byte[]>> logged =
                            log.readFor(Duration.ofMillis(500));
                    for (ConsumerRecord<byte[], byte[]> record :
                            logged.subList(read, logged.size())) {
                        FeatureVector vector = FeatureVectorJson.read(record.value());
                        if (!vector.eventId.startsWith("tail-")) {
                            assertThat(served.put(vector.eventId, vector.values))
                                    .as("one vector per event: %s", vector.eventId)
                                    .isNull();
                        }
                    }
                    read = logged.size();
                }
            } finally {
                job.cancel().get();
            }

            Map<String, float[]> backfilled = new HashMap<>();
            long rows =
                    Backfill.run(
                            RtmlConfig.loadWithoutModel(null, Map.of()),
                            new Backfill.EventsFile(eventsFile),
                            partial -> backfilled.put(partial.event.eventId, partial.values));

            assertThat(rows).isEqualTo(EVENTS);
            assertThat(served.keySet()).isEqualTo(backfilled.keySet());
            long merchantWindowsWithEvents = 0;
            int merchantCount = config.spec().columns().indexOf("merchant_txn_count_10m");
            for (Map.Entry<String, float[]> entry : backfilled.entrySet()) {
                assertThat(served.get(entry.getKey()))
                        .as("vector of %s", entry.getKey())
                        .containsExactly(entry.getValue());
                merchantWindowsWithEvents += entry.getValue()[merchantCount] > 0 ? 1 : 0;
            }
            assertThat(merchantWindowsWithEvents).isGreaterThan(EVENTS / 2);
        }
    }
}
