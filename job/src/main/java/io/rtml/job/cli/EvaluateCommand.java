package io.rtml.job.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rtml.evaluation.Evaluation;
import io.rtml.evaluation.ScoredLabel;
import io.rtml.inference.Prediction;
import io.rtml.job.CommittedTopicReader;
import io.rtml.job.config.ConfigOptions;
import io.rtml.job.config.KafkaClients;
import io.rtml.job.config.KafkaOptions;
import io.rtml.job.config.RtmlConfig;
import io.rtml.job.config.RtmlOptions;
import io.rtml.sink.PredictionJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.BooleanSupplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code rtml evaluate}: the quality of the predictions the job committed for a stretch of labelled
 * events, and what the job's own live evaluation said about them.
 */
@Command(
        name = "evaluate",
        mixinStandardHelpOptions = true,
        description = {
            "Reads the committed predictions for the events in --labels (CSV event_id,label,...,",
            "as rtml generate writes it), joins them by event id and prints their PR-AUC,",
            "precision and recall; also prints the job's own live evaluation (the evaluation",
            "topic's record with the most labels). --out writes the figures as JSON."
        })
final class EvaluateCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Mixin ConfigOptions options;
    @Mixin KafkaOptions kafka;

    @Option(
            names = "--labels",
            required = true,
            paramLabel = "FILE",
            description = "The events' labels: CSV with a header, event_id,label[,...].")
    Path labels;

    @Option(
            names = "--evaluation-topic",
            paramLabel = "TOPIC",
            description = "The job's live evaluation topic (default: kafka.topics.evaluation).")
    String evaluationTopic;

    @Option(names = "--out", paramLabel = "FILE", description = "Writes the figures as JSON.")
    Path out;

    @Option(
            names = "--timeout",
            description =
                    "Give up waiting when nothing new arrives for this long (default: 2 min).")
    Duration timeout = Duration.ofMinutes(2);

    @Override
    public Integer call() throws Exception {
        RtmlConfig config = options.withoutModel(kafka);
        String liveTopic =
                evaluationTopic != null
                        ? evaluationTopic
                        : config.get(RtmlOptions.EVALUATION_TOPIC);
        Map<String, LabelsCsv.Truth> truth = LabelsCsv.read(labels);
        Map<String, ScoredLabel> scored = new HashMap<>();
        long[] fallbacks = {0};
        read(
                config,
                config.get(RtmlOptions.PREDICTIONS_TOPIC),
                () -> scored.size() >= truth.size(),
                value -> {
                    Prediction prediction = PredictionJson.read(value);
                    LabelsCsv.Truth known = truth.get(prediction.eventId);
                    if (known == null) {
                        return;
                    }
                    fallbacks[0] += prediction.fallbackReason != null ? 1 : 0;
                    scored.put(
                            prediction.eventId,
                            new ScoredLabel(
                                    prediction.eventId,
                                    prediction.score,
                                    Prediction.FLAG.equals(prediction.decision),
                                    known.label(),
                                    prediction.modelVersion));
                });
        if (scored.size() < truth.size()) {
            System.err.printf(
                    "evaluate: only %,d of the %,d labelled events have a committed prediction"
                            + " after waiting %s; is the job running on these events?%n",
                    scored.size(), truth.size(), timeout);
            return 1;
        }
        Evaluation stream = Evaluation.of(new ArrayList<>(scored.values()));
        System.out.printf(
                "evaluate: predictions committed: labelled=%d positives=%d pr_auc=%.6f"
                        + " precision=%.6f recall=%.6f fallbacks=%d%n",
                stream.labelled(),
                stream.positives(),
                stream.prAuc(),
                stream.precision(),
                stream.recall(),
                fallbacks[0]);

        JsonNode[] live = {null};
        read(
                config,
                liveTopic,
                () -> live[0] != null && live[0].path("labelled").asLong() >= truth.size(),
                value -> {
                    JsonNode record = JSON.readTree(value);
                    if (live[0] == null
                            || record.path("labelled").asLong()
                                    >= live[0].path("labelled").asLong()) {
                        live[0] = record;
                    }
                });
        if (live[0] != null) {
            System.out.printf(
                    "evaluate: job's live evaluation (window with the most labels):"
                            + " labelled=%d positives=%d pr_auc=%s precision=%s recall=%s%n",
                    live[0].path("labelled").asLong(),
                    live[0].path("positives").asLong(),
                    live[0].path("pr_auc").asText(),
                    live[0].path("precision").asText(),
                    live[0].path("recall").asText());
        } else {
            System.out.println("evaluate: the job wrote no live evaluation to " + liveTopic);
        }
        if (out != null) {
            ObjectNode figures = JSON.createObjectNode();
            figures.put("labelled", stream.labelled())
                    .put("positives", stream.positives())
                    .put("pr_auc", stream.prAuc())
                    .put("precision", stream.precision())
                    .put("recall", stream.recall())
                    .put("fallbacks", fallbacks[0]);
            figures.set("live", live[0]);
            Files.writeString(out, figures.toString() + "\n");
        }
        return 0;
    }

    /**
     * Reads {@code topic}'s committed records from the beginning until {@code done}, or until
     * nothing new arrives for the timeout.
     */
    private void read(
            RtmlConfig config,
            String topic,
            BooleanSupplier done,
            CommittedTopicReader.ValueHandler handler)
            throws Exception {
        try (CommittedTopicReader reader =
                CommittedTopicReader.fromBeginning(
                        KafkaClients.committedConsumer(config, "rtml-evaluate"), topic)) {
            reader.readUntil(done, timeout, handler);
        }
    }
}
