package io.rtml.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtml.event.EventJson;
import io.rtml.event.TransactionEvent;
import io.rtml.features.FeatureVector;
import io.rtml.job.config.RtmlConfig;
import io.rtml.job.generator.GeneratedTransaction;
import io.rtml.job.generator.TransactionGenerator;
import io.rtml.job.testing.JobRun;
import io.rtml.sink.FeatureVectorJson;
import io.rtml.testing.KafkaBroker;
import io.rtml.testing.TestServices;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.core.execution.JobClient;
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
    static final TestServices SERVICES = TestServices.builder().kafka().redis().flink().build();

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

        JobRun run = new JobRun(SERVICES, dir.resolve("checkpoints"), "parity");
        String featureLog = run.featureLog();
        RtmlConfig config = run.config();
        run.produce(events);
        // A day later, a tail of events on other cards moves every partition's watermark past the
        // last real events' windows, as continuing traffic would; its own vectors are not compared.
        List<TransactionEvent> tail = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            TransactionEvent event = generator.next().event();
            event.eventId = "tail-" + i;
            event.cardId = "tail-card-" + i;
            event.eventTimeMs = events.get(EVENTS - 1).eventTimeMs + 86_400_000L + i;
            tail.add(event);
        }
        run.produce(tail);

        JobClient job = run.start();
        Map<String, float[]> served = new HashMap<>();
        try (KafkaBroker.CommittedReader log = SERVICES.kafka().reader(featureLog)) {
            long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
            int read = 0;
            while (served.size() < EVENTS && System.nanoTime() < deadline) {
                List<ConsumerRecord<byte[], byte[]>> logged = log.readFor(Duration.ofMillis(500));
                for (ConsumerRecord<byte[], byte[]> record : logged.subList(read, logged.size())) {
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
