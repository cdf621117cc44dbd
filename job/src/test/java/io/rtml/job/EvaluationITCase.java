package io.rtml.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rtml.evaluation.Evaluation;
import io.rtml.evaluation.Label;
import io.rtml.evaluation.ScoredLabel;
import io.rtml.inference.Prediction;
import io.rtml.job.generator.GeneratedTransaction;
import io.rtml.job.generator.TransactionGenerator;
import io.rtml.job.testing.JobRun;
import io.rtml.sink.PredictionJson;
import io.rtml.testing.KafkaBroker;
import io.rtml.testing.TestServices;
import java.nio.charset.StandardCharsets;
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
 * The live evaluation end to end, as a job of its own beside the scoring job: labels arrive on
 * their topic after the predictions, the evaluation joins them with the committed predictions by
 * event id and writes precision, recall and PR-AUC per window; the window that has seen every label
 * says exactly what the committed predictions and the labels say.
 */
class EvaluationITCase {
    private static final int EVENTS = 3_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Four slots: the scoring job and the live evaluation, each at parallelism 2. */
    @RegisterExtension
    static final TestServices SERVICES =
            TestServices.builder().kafka().redis().flink().slots(4).build();

    @TempDir Path dir;

    @Test
    void evaluatesTheCommittedPredictionsAgainstTheirLabels() throws Exception {
        List<GeneratedTransaction> transactions =
                new TransactionGenerator(
                                new TransactionGenerator.Settings(
                                        5, 400, 60, 150, 0.05, 1_767_225_600_000L))
                        .take(EVENTS);
        long frauds = transactions.stream().filter(GeneratedTransaction::fraud).count();
        assertThat(frauds).isGreaterThan(50);

        JobRun run = new JobRun(SERVICES, dir.resolve("checkpoints"), "evaluation");
        run.evaluationTopics();
        run.options.put("evaluation.window", "1 h");
        run.options.put("evaluation.slide", "1 s");
        JobClient job = run.start();
        JobClient evaluationJob = run.startEvaluation();
        List<Prediction> committed;
        JsonNode everyLabel;
        try (KafkaBroker.CommittedReader predictions = SERVICES.kafka().reader(run.predictions);
                KafkaBroker.CommittedReader evaluation =
                        SERVICES.kafka().reader(run.evaluation())) {
            SERVICES.kafka()
                    .produce(
                            run.events,
                            KafkaBroker.keyedByCard(
                                    transactions.stream()
                                            .map(GeneratedTransaction::event)
                                            .toList()));
            committed =
                    predictions.awaitAtLeast(EVENTS, Duration.ofMinutes(3)).stream()
                            .map(r -> PredictionJson.read(r.value()))
                            .toList();
            // The labels come later, as chargebacks do, with records that are not labels and
            // a label for an event the job never saw: neither is counted.
            List<Map.Entry<byte[], byte[]>> labels = labels(transactions);
            labels.add(Map.entry(new byte[0], "not json".getBytes(StandardCharsets.UTF_8)));
            labels.add(Map.entry(new byte[0], "{\"event_id\": 7}".getBytes()));
            labels.add(Map.entry(new byte[0], Label.write("e-unknown", true, "x")));
            SERVICES.kafka().produce(run.labels(), labels);
            everyLabel = awaitWindowWithEveryLabel(evaluation);
        } finally {
            evaluationJob.cancel().get();
            job.cancel().get();
        }

        assertThat(committed).hasSize(EVENTS);
        Map<String, Boolean> fraud = new HashMap<>();
        transactions.forEach(t -> fraud.put(t.event().eventId, t.fraud()));
        List<ScoredLabel> joined = new ArrayList<>();
        for (Prediction p : committed) {
            joined.add(
                    new ScoredLabel(
                            p.eventId,
                            p.score,
                            Prediction.FLAG.equals(p.decision),
                            fraud.get(p.eventId) ? 1 : 0,
                            p.modelVersion));
        }
        Evaluation expected = Evaluation.of(joined);

        assertThat(everyLabel.get("labelled").asLong()).isEqualTo(EVENTS);
        assertThat(everyLabel.get("positives").asLong()).isEqualTo(frauds);
        assertThat(everyLabel.get("model_versions").asText()).isEqualTo("4");
        assertThat(everyLabel.get("pr_auc").asDouble()).isEqualTo(expected.prAuc());
        assertThat(everyLabel.get("precision").asDouble()).isEqualTo(expected.precision());
        assertThat(everyLabel.get("recall").asDouble()).isEqualTo(expected.recall());
        // The windowed features make the shipped model good at this, on unseen events too.
        assertThat(expected.prAuc()).isGreaterThan(0.5);
    }

    /** Reads the evaluation topic until a window holds every event's label. */
    private static JsonNode awaitWindowWithEveryLabel(KafkaBroker.CommittedReader evaluation)
            throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        long mostLabelled = 0;
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<byte[], byte[]> record :
                    evaluation.readFor(Duration.ofMillis(500))) {
                JsonNode window = JSON.readTree(record.value());
                mostLabelled = Math.max(mostLabelled, window.get("labelled").asLong());
                assertThat(window.get("labelled").asLong()).isLessThanOrEqualTo(EVENTS);
                if (window.get("labelled").asLong() == EVENTS) {
                    return window;
                }
            }
        }
        throw new AssertionError(
                "no evaluation window with all " + EVENTS + " labels; at most " + mostLabelled);
    }

    private static List<Map.Entry<byte[], byte[]>> labels(List<GeneratedTransaction> all) {
        List<Map.Entry<byte[], byte[]>> records = new ArrayList<>();
        for (GeneratedTransaction t : all) {
            records.add(
                    Map.entry(
                            t.event().cardId.getBytes(StandardCharsets.UTF_8),
                            Label.write(t.event().eventId, t.fraud(), t.pattern())));
        }
        return records;
    }
}
