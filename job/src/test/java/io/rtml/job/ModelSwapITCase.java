package io.rtml.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rtml.event.TransactionEvent;
import io.rtml.inference.FeatureBatch;
import io.rtml.inference.ModelArtifact;
import io.rtml.inference.ModelControl;
import io.rtml.inference.Prediction;
import io.rtml.inference.TorchScriptModel;
import io.rtml.job.cli.FlinkCluster;
import io.rtml.job.config.RtmlConfig;
import io.rtml.job.generator.GeneratedTransaction;
import io.rtml.job.generator.TransactionGenerator;
import io.rtml.job.testing.Delivery;
import io.rtml.job.testing.Figures;
import io.rtml.job.testing.JobRun;
import io.rtml.job.testing.Repository;
import io.rtml.sink.PredictionJson;
import io.rtml.sink.RedisSink;
import io.rtml.testing.KafkaBroker;
import io.rtml.testing.TestServices;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.flink.client.program.ClusterClient;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.InjectClusterClient;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * Hot swap under load: the model-control topic switches the model version mid-stream. Versions that
 * cannot serve (a file that is no model, inputs that do not match the features, a model file cut
 * short, a copy of another version's directory, a version that is a path out of the repository) are
 * refused and counted, each by every subtask, while the current one keeps serving; the good one
 * takes over with a shadow challenger. No event is lost, every prediction names the version that
 * scored it (and has its score), and each card switches at exactly one point of its event sequence.
 */
class ModelSwapITCase {
    private static final int EVENTS = 6_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Control records refused: versions 7, 8, 10, 97 and "../5". */
    private static final int REFUSED = 5;

    @RegisterExtension
    static final TestServices SERVICES = TestServices.builder().kafka().redis().flink().build();

    @TempDir Path dir;

    @Test
    void swapsVersionsMidStreamRefusingOnesThatCannotServe(
            @InjectClusterClient ClusterClient<?> cluster) throws Exception {
        Path repository = repositoryWithBadVersions();
        List<TransactionEvent> events = new ArrayList<>();
        TransactionGenerator generator =
                new TransactionGenerator(
                        new TransactionGenerator.Settings(
                                21, 300, 60, 150, 0.02, 1_767_225_600_000L));
        for (GeneratedTransaction transaction : generator.take(EVENTS)) {
            events.add(transaction.event());
        }

        JobRun run = new JobRun(SERVICES, dir.resolve("checkpoints"), "model-swap");
        run.options.put("model.repository", repository.toString());
        RtmlConfig config = run.config();
        JobClient job = run.start();
        List<Prediction> committed;
        List<ConsumerRecord<byte[], byte[]>> shadows;
        double refused;
        try (KafkaBroker.CommittedReader predictions = SERVICES.kafka().reader(run.predictions);
                KafkaBroker.CommittedReader shadowReader =
                        SERVICES.kafka().reader(run.shadowPredictions)) {
            SERVICES.kafka()
                    .produce(run.events, KafkaBroker.keyedByCard(events.subList(0, EVENTS / 2)));
            predictions.awaitAtLeast(EVENTS / 4, Duration.ofMinutes(3));
            SERVICES.kafka()
                    .produce(
                            run.modelControl,
                            List.of(
                                    control("7", null), // its model file is not TorchScript
                                    control("8", null), // its inputs are not the features
                                    control("10", null), // its model file is cut short
                                    control("97", null), // a copy of version 4's directory
                                    control("../5", null), // a path, not a version
                                    control("5", "4")));
            SERVICES.kafka()
                    .produce(
                            run.events,
                            KafkaBroker.keyedByCard(events.subList(EVENTS / 2, EVENTS)));

            predictions.awaitAtLeast(EVENTS, Duration.ofMinutes(3));
            committed =
                    predictions.readFor(Duration.ofSeconds(2)).stream()
                            .map(r -> PredictionJson.read(r.value()))
                            .toList();
            shadows = shadowReader.readFor(Duration.ofSeconds(2));
            refused = refusals(cluster, job);
            assertThat(refused).isEqualTo(REFUSED * 2);
        } finally {
            job.cancel().get();
        }

        // Nothing lost, nothing twice.
        Delivery.Outcome outcome = Delivery.assertExactlyOnce(committed, events);

        // Only the versions that could serve served; both did.
        Map<String, Long> byVersion = new TreeMap<>();
        committed.forEach(p -> byVersion.merge(p.modelVersion, 1L, Long::sum));
        assertThat(byVersion.keySet()).containsExactly("4", "5");
        assertThat(committed).allSatisfy(p -> assertThat(p.fallbackReason).isNull());

        // Each card switches once: in its own event order, all 4s come before all 5s.
        Map<String, Integer> order = new HashMap<>();
        for (int i = 0; i < events.size(); i++) {
            order.put(events.get(i).eventId, i);
        }
        Map<String, TreeMap<Integer, String>> versionsByCard = new HashMap<>();
        for (Prediction p : committed) {
            versionsByCard
                    .computeIfAbsent(p.cardId, c -> new TreeMap<>())
                    .put(order.get(p.eventId), p.modelVersion);
        }
        for (Map.Entry<String, TreeMap<Integer, String>> card : versionsByCard.entrySet()) {
            String sequence = String.join("", card.getValue().values());
            assertThat(sequence).as("versions of %s in event order", card.getKey()).matches("4*5*");
        }

        // The challenger scored every event the champion 5 scored, and says so.
        Map<String, Prediction> byId = new HashMap<>();
        committed.forEach(p -> byId.put(p.eventId, p));
        long scoredBy5 = committed.stream().filter(p -> p.modelVersion.equals("5")).count();
        assertThat(shadows).hasSize((int) scoredBy5);
        for (ConsumerRecord<byte[], byte[]> record : shadows) {
            JsonNode shadow = JSON.readTree(record.value());
            Prediction champion = byId.get(shadow.get("event_id").asText());
            assertThat(champion.modelVersion).isEqualTo("5");
            assertThat(shadow.get("model_version").asText()).isEqualTo("4");
            assertThat(shadow.get("champion_version").asText()).isEqualTo("5");
            assertThat((float) shadow.get("champion_score").asDouble()).isEqualTo(champion.score);
            assertThat(shadow.get("agrees").asBoolean())
                    .isEqualTo(shadow.get("decision").asText().equals(champion.decision));
        }

        // Each card's latest prediction carries the score its version gives its features.
        assertScoresAreTheirVersions(repository, config, run.keyPrefix, versionsByCard.keySet());
        Figures.record(
                "model refusals: 5 bad versions sent mid-stream (not TorchScript, wrong inputs,"
                        + " cut short, another version's metadata, a path)",
                REFUSED,
                outcome,
                (long) refused
                        + " refusals counted (each router subtask checks every record); "
                        + byVersion
                        + " predictions by version, none by fallback; the shadow scored "
                        + shadows.size());
    }

    /**
     * The model router's refusals, summed over its two subtasks (each checks every control record),
     * once the REST endpoint's metrics show all of them or a minute has passed.
     */
    private static double refusals(ClusterClient<?> cluster, JobClient job) throws Exception {
        String jobId = job.getJobID().toHexString();
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        try (FlinkCluster rest = new FlinkCluster(URI.create(cluster.getWebInterfaceURL()))) {
            double refusals =
                    rest.operatorMetricSum(jobId, Uids.MODEL_ROUTER_NAME, "model_refusals");
            while (refusals < REFUSED * 2 && System.nanoTime() < deadline) {
                Thread.sleep(250);
                refusals = rest.operatorMetricSum(jobId, Uids.MODEL_ROUTER_NAME, "model_refusals");
            }
            return refusals;
        }
    }

    private void assertScoresAreTheirVersions(
            Path repository, RtmlConfig config, String keyPrefix, Set<String> cards)
            throws Exception {
        List<String> columns = config.spec().columns();
        Map<String, TorchScriptModel> models = new HashMap<>();
        try (Jedis jedis = SERVICES.redis().client()) {
            for (String card : cards) {
                Map<String, String> hash = jedis.hgetAll(RedisSink.key(keyPrefix, card));
                Prediction stored =
                        PredictionJson.read(
                                hash.get(RedisSink.FIELD_PREDICTION)
                                        .getBytes(StandardCharsets.UTF_8));
                JsonNode features = JSON.readTree(hash.get(RedisSink.FIELD_FEATURES));
                assertThat(features).hasSize(columns.size());
                float[] row = new float[columns.size()];
                for (int i = 0; i < row.length; i++) {
                    row[i] = (float) features.get(i).asDouble();
                }
                TorchScriptModel model =
                        models.computeIfAbsent(
                                stored.modelVersion,
                                v ->
                                        TorchScriptModel.load(
                                                ModelArtifact.load(
                                                        ModelArtifact.directory(
                                                                repository, "fraud", v))));
                try (var predictor = model.newPredictor()) {
                    float expected = predictor.predict(new FeatureBatch(row, 1, row.length))[0];
                    assertThat(stored.score)
                            .as(card)
                            .isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-5f));
                }
            }
        } finally {
            models.values().forEach(TorchScriptModel::close);
        }
    }

    /**
     * The shipped versions 4 and 5, a version 7 whose model is not TorchScript, a version 8 that
     * takes other inputs, a version 10 whose model file was cut short after its metadata was
     * written, and a copy of version 4's directory as version 97.
     */
    private Path repositoryWithBadVersions() throws Exception {
        Path repository = dir.resolve("model-artifacts");
        Path shipped = Repository.modelArtifacts().resolve("fraud");
        for (String version : List.of("4", "5")) {
            copy(shipped.resolve(version), repository.resolve("fraud").resolve(version));
        }
        Path corrupt = repository.resolve("fraud").resolve("7");
        copy(shipped.resolve("5"), corrupt);
        Files.writeString(corrupt.resolve("model.pt"), "not a model");
        setVersion(corrupt, "7", null);
        Path otherInputs = repository.resolve("fraud").resolve("8");
        copy(shipped.resolve("5"), otherInputs);
        setVersion(otherInputs, "8", "merchant_risk");
        Path truncated = repository.resolve("fraud").resolve("10");
        copy(shipped.resolve("5"), truncated);
        setVersion(truncated, "10", null);
        byte[] model = Files.readAllBytes(truncated.resolve("model.pt"));
        Files.write(truncated.resolve("model.pt"), Arrays.copyOf(model, model.length - 100));
        copy(shipped.resolve("4"), repository.resolve("fraud").resolve("97"));
        return repository;
    }

    /** Sets the artifact's version, adds an input, and records the sha256 of its model file. */
    private static void setVersion(Path artifact, String version, String extraInput)
            throws Exception {
        ObjectNode metadata =
                (ObjectNode) JSON.readTree(artifact.resolve("metadata.json").toFile());
        metadata.put("version", version);
        metadata.put(
                "sha256",
                HexFormat.of()
                        .formatHex(
                                MessageDigest.getInstance("SHA-256")
                                        .digest(Files.readAllBytes(artifact.resolve("model.pt")))));
        if (extraInput != null) {
            ((ArrayNode) metadata.get("inputs")).add(extraInput);
        }
        JSON.writeValue(artifact.resolve("metadata.json").toFile(), metadata);
    }

    private static void copy(Path from, Path to) throws Exception {
        Files.createDirectories(to);
        try (var files = Files.list(from)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Files.copy(file, to.resolve(file.getFileName()));
            }
        }
    }

    /** A control record as rtml model writes it: keyed by the model's name. */
    private static Map.Entry<byte[], byte[]> control(String version, String shadow) {
        return Map.entry(
                "fraud".getBytes(StandardCharsets.UTF_8),
                ModelControl.write("fraud", version, shadow));
    }
}
