package io.rtml.job.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rtml.dlq.DeadLetter;
import io.rtml.event.EventJson;
import io.rtml.event.EventParser;
import io.rtml.event.InvalidEventException;
import io.rtml.event.TransactionEvent;
import io.rtml.inference.Prediction;
import io.rtml.job.cli.FlinkCluster;
import io.rtml.job.reliability.HostileCorpus.Hostile;
import io.rtml.job.testing.Delivery;
import io.rtml.job.testing.Figures;
import io.rtml.job.testing.JobRun;
import io.rtml.testing.KafkaBroker;
import io.rtml.testing.TestServices;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.flink.client.program.ClusterClient;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.InjectClusterClient;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Valid traffic with a deterministic corpus of hostile records mixed in (random bytes, truncated
 * JSON, wrong types, missing fields, NaN and infinities, huge numbers and strings, megabyte
 * payloads, odd Unicode, broken JSON) and records that repeat event ids: every hostile record is a
 * dead letter with its reason, exactly once; every valid record is scored exactly once, exactly as
 * without the hostile ones; the job never restarts.
 */
class HostileInputITCase {
    private static final Duration WAIT = Duration.ofMinutes(4);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long SEED = 4_242L;
    private static final int VALID = 3_000;
    private static final int PER_CATEGORY = 100;
    private static final int MEGABYTES = 8;
    private static final int EXACT_DUPLICATES = 50;
    private static final int REUSED_IDS = 20;
    private static final int ODD_BUT_VALID = 20;

    /** Records of about 1 MB pass the broker (its default limit is 1 MB). */
    @RegisterExtension
    static final TestServices SERVICES =
            TestServices.builder()
                    .kafka(
                            Map.of("message.max.bytes", "2097152"),
                            Map.of("max.request.size", "2097152"))
                    .redis()
                    .flink()
                    .build();

    @TempDir Path checkpoints;

    @Test
    void deadLettersEveryHostileRecordAndScoresEveryValidOneOnceAsIfTheyWereNotThere(
            @InjectClusterClient ClusterClient<?> cluster) throws Exception {
        Random random = new Random(SEED);
        List<TransactionEvent> generated = JobRun.generate(SEED, VALID);
        List<TransactionEvent> valid = new ArrayList<>(generated);
        // Valid, with ids and keys in other scripts: an emoji, a right-to-left mark, Hebrew.
        for (int i = 0; i < ODD_BUT_VALID; i++) {
            int at = random.nextInt(valid.size());
            TransactionEvent odd = copy(valid.get(at));
            odd.eventId = "e-\u05d0-" + i;
            odd.cardId = "c-\ud83d\ude00-" + (i % 5);
            odd.merchantId = "m-\u200f" + (i % 3);
            valid.add(at + 1, odd);
        }
        // Records that repeat an event id: exact copies sent again right after the original (a
        // producer's retry), and other events (another card, the time of their neighbour) that
        // reuse an earlier event's id. (Copies sent much later would be late events, whose
        // features depend on timing, hostile records or not.)
        for (int i = 0; i < EXACT_DUPLICATES; i++) {
            int original = random.nextInt(valid.size());
            valid.add(original + 1, valid.get(original));
        }
        for (int i = 0; i < REUSED_IDS; i++) {
            int neighbour = 1 + random.nextInt(valid.size() - 1);
            TransactionEvent reuse = copy(valid.get(neighbour));
            reuse.eventId = valid.get(random.nextInt(neighbour)).eventId;
            reuse.amount = 1 + random.nextInt(500);
            valid.add(neighbour + 1, reuse);
        }
        List<Map.Entry<byte[], byte[]>> validRecords = KafkaBroker.keyedByCard(valid);
        List<Hostile> hostile = HostileCorpus.build(SEED, generated, PER_CATEGORY, MEGABYTES);
        List<Map.Entry<byte[], byte[]>> records = new ArrayList<>(validRecords);
        for (Hostile record : hostile) {
            records.add(random.nextInt(records.size() + 1), entry(record.key(), record.value()));
        }

        // The same valid records alone: the scores the hostile ones must not change.
        JobRun clean = new JobRun(SERVICES, checkpoints.resolve("clean"), "valid-only");
        SERVICES.kafka().produce(clean.events, validRecords);
        List<Prediction> cleanPredictions;
        JobClient cleanJob = clean.start();
        try (KafkaBroker.CommittedReader reader = SERVICES.kafka().reader(clean.predictions)) {
            reader.awaitAtLeast(valid.size(), WAIT);
            cleanPredictions = JobRun.predictions(reader.readFor(Duration.ofSeconds(2)));
        } finally {
            cleanJob.cancel().get();
        }

        JobRun run = new JobRun(SERVICES, checkpoints.resolve("hostile"), "hostile");
        SERVICES.kafka().produce(run.events, records);
        JobClient job = run.start();
        String jobId = job.getJobID().toHexString();
        List<Prediction> committed;
        List<ConsumerRecord<byte[], byte[]>> letters;
        long restarts;
        try (FlinkCluster rest = new FlinkCluster(URI.create(cluster.getWebInterfaceURL()));
                KafkaBroker.CommittedReader predictions = SERVICES.kafka().reader(run.predictions);
                KafkaBroker.CommittedReader deadLetters =
                        SERVICES.kafka().reader(run.deadLetters)) {
            predictions.awaitAtLeast(valid.size(), WAIT);
            deadLetters.awaitAtLeast(hostile.size(), WAIT);
            committed = JobRun.predictions(predictions.readFor(Duration.ofSeconds(3)));
            letters = deadLetters.readFor(Duration.ofSeconds(1));
            restarts = rest.restarts(jobId);
        } finally {
            job.cancel().get();
        }

        assertThat(restarts).as("restarts").isZero();
        Delivery.Outcome outcome = Delivery.assertExactlyOnce(committed, valid);
        assertThat(scoresById(committed).keySet()).isEqualTo(scoresById(cleanPredictions).keySet());
        Map<String, List<Float>> cleanScores = scoresById(cleanPredictions);
        scoresById(committed)
                .forEach(
                        (id, scores) -> {
                            List<Float> reference = cleanScores.get(id);
                            assertThat(scores).as(id).hasSameSizeAs(reference);
                            for (int i = 0; i < scores.size(); i++) {
                                assertThat((double) scores.get(i))
                                        .as(id)
                                        .isCloseTo(
                                                reference.get(i), within(Delivery.SCORE_TOLERANCE));
                            }
                        });
        int cards =
                Delivery.assertRedisHoldsNewest(SERVICES.redis(), run.keyPrefix, valid, committed);

        assertThat(letters)
                .as("dead letters, exactly one per hostile record")
                .hasSize(hostile.size());
        Map<String, Integer> expected = new TreeMap<>();
        for (Hostile record : hostile) {
            expected.merge(identity(record.value(), record.field()), 1, Integer::sum);
        }
        Map<String, Integer> actual = new TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> letter : letters) {
            JsonNode json = JSON.readTree(letter.value());
            String reason = json.get("reason").asText();
            String field = json.get("field").isNull() ? null : json.get("field").asText();
            assertThat(reason).isNotBlank();
            if (field != null) {
                assertThat(reason).startsWith(field + ": ");
            }
            assertThat(json.get("source").get("topic").asText()).isEqualTo(run.events);
            byte[] value =
                    json.get("value_base64").isNull()
                            ? null
                            : Base64.getDecoder().decode(json.get("value_base64").asText());
            String id;
            if (json.has("value_bytes")) {
                assertThat(value).hasSize(DeadLetter.MAX_RAW_BYTES);
                id = "first64k:" + digest(value) + ":" + json.get("value_bytes").asInt();
                id = id + "|" + field;
            } else {
                id = identity(value, field);
            }
            actual.merge(id, 1, Integer::sum);
        }
        assertThat(actual).isEqualTo(expected);

        Map<String, Long> byCategory =
                hostile.stream()
                        .collect(
                                Collectors.groupingBy(
                                        Hostile::category, TreeMap::new, Collectors.counting()));
        int repeated = valid.size() - new HashSet<>(ids(valid)).size();
        Figures.record(
                "hostile input mixed into valid traffic",
                hostile.size(),
                outcome,
                hostile.size()
                        + " hostile records ("
                        + byCategory.entrySet().stream()
                                .map(e -> e.getKey() + " " + e.getValue())
                                .collect(Collectors.joining(", "))
                        + ") → "
                        + letters.size()
                        + " dead letters, each with its reason; "
                        + repeated
                        + " records repeat an event id, each scored; scores as without the hostile"
                        + " records; job restarts "
                        + restarts
                        + "; Redis newest for all "
                        + cards
                        + " cards");
    }

    /** What identifies a hostile record in its dead letter: its bytes (or their first 64 KiB). */
    private static String identity(byte[] value, String field) {
        if (value == null) {
            return "null|" + field;
        }
        if (value.length > DeadLetter.MAX_RAW_BYTES) {
            return "first64k:"
                    + digest(Arrays.copyOf(value, DeadLetter.MAX_RAW_BYTES))
                    + ":"
                    + value.length
                    + "|"
                    + field;
        }
        return digest(value) + "|" + field;
    }

    private static String digest(byte[] bytes) {
        try {
            return java.util.HexFormat.of()
                    .formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Each event id's scores, in order, for comparison across runs. */
    private static Map<String, List<Float>> scoresById(List<Prediction> predictions) {
        Map<String, List<Float>> scores = new HashMap<>();
        for (Prediction prediction : predictions) {
            scores.computeIfAbsent(prediction.eventId, id -> new ArrayList<>())
                    .add(prediction.score);
        }
        scores.values().forEach(list -> list.sort(Float::compare));
        return scores;
    }

    private static List<String> ids(List<TransactionEvent> events) {
        return events.stream().map(e -> e.eventId).toList();
    }

    private static TransactionEvent copy(TransactionEvent event) {
        try {
            return EventParser.parse(EventJson.write(event), event.ingestTimeMs);
        } catch (InvalidEventException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map.Entry<byte[], byte[]> entry(byte[] key, byte[] value) {
        return new java.util.AbstractMap.SimpleEntry<>(key, value);
    }
}
