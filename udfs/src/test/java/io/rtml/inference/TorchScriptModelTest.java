package io.rtml.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.inference.Predictor;
import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rtml.testing.ShippedModel;
import io.rtml.testing.ShippedSpec;
import io.rtml.testing.TypicalRows;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shipped TorchScript model, run through DJL's PyTorch engine on the CPU. */
class TorchScriptModelTest {
    /**
     * libtorch's float results for a row depend in their last bits on the batch it is in (see
     * docs/decisions.md): scores agree to this much, not bit for bit.
     */
    private static final float SCORE_TOLERANCE = 1e-5f;

    private static final int COLUMNS = ShippedSpec.load().columns().size();

    private static TorchScriptModel model;

    @TempDir Path dir;

    @BeforeAll
    static void loadModel() {
        model = TorchScriptModel.load(ModelArtifact.load(ShippedModel.directory()));
    }

    @AfterAll
    static void closeModel() {
        if (model != null) {
            model.close();
        }
    }

    @Test
    void givesEveryRowOneProbability() throws Exception {
        List<float[]> rows = new ArrayList<>(TypicalRows.mixedRows(300, 11));
        rows.add(new float[COLUMNS]);
        float[] extreme = new float[COLUMNS];
        Arrays.fill(extreme, 1_000f);
        rows.add(extreme);
        Arrays.fill(extreme, -1_000f);
        rows.add(extreme.clone());

        float[] scores = score(rows);

        assertThat(scores).hasSize(rows.size());
        for (float score : scores) {
            assertThat(score).isBetween(0f, 1f);
        }
    }

    @Test
    void scoresARowAloneAndInsideABatchAlike() throws Exception {
        List<float[]> rows = TypicalRows.mixedRows(64, 5);
        rows.set(17, TypicalRows.cardTesting());
        rows.set(40, TypicalRows.legitimate());

        float[] batch = score(rows);

        for (int i = 0; i < rows.size(); i++) {
            assertThat(score(List.of(rows.get(i)))[0])
                    .as("row %d", i)
                    .isCloseTo(batch[i], within(SCORE_TOLERANCE));
        }
    }

    @Test
    void scoresTheSameRowsTheSameEveryTime() throws Exception {
        List<float[]> rows = TypicalRows.mixedRows(32, 3);

        assertThat(score(rows)).containsExactly(score(rows));
    }

    @Test
    void scoresATypicalPurchaseBelowTheThresholdAndCardTestingAboveIt() throws Exception {
        double threshold = model.artifact().threshold();

        float legitimate = score(List.of(TypicalRows.legitimate()))[0];
        float cardTesting = score(List.of(TypicalRows.cardTesting()))[0];

        assertThat((double) legitimate).isLessThan(threshold);
        assertThat((double) cardTesting).isGreaterThanOrEqualTo(threshold);
        assertThat(cardTesting).isGreaterThan(legitimate);
    }

    @Test
    void scoresOnSeveralThreadsWithAPredictorEach() throws Exception {
        List<float[]> rows = TypicalRows.mixedRows(50, 8);
        float[] expected = score(rows);
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<float[]>> results = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                results.add(pool.submit(() -> score(rows)));
            }
            for (Future<float[]> result : results) {
                assertThat(result.get()).containsExactly(expected);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void runsLibtorchOnOneIntraOpThreadOnEveryThreadThatMakesAPredictor() throws Exception {
        ExecutorService fresh = Executors.newSingleThreadExecutor();
        try {
            int threads =
                    fresh.submit(
                                    () -> {
                                        try (Predictor<FeatureBatch, float[]> predictor =
                                                model.newPredictor()) {
                                            predictor.predict(
                                                    new FeatureBatch(
                                                            new float[COLUMNS * 4], 4, COLUMNS));
                                        }
                                        return JniUtils.getNumThreads();
                                    })
                            .get();

            assertThat(threads).isEqualTo(1);
        } finally {
            fresh.shutdownNow();
        }
    }

    @Test
    void refusesAFileThatIsNotATorchScriptModel() throws Exception {
        byte[] notAModel = "this is not a TorchScript archive".getBytes(StandardCharsets.UTF_8);
        ObjectNode metadata =
                (ObjectNode)
                        new ObjectMapper()
                                .readTree(
                                        ShippedModel.directory().resolve("metadata.json").toFile());
        // The metadata vouches for these bytes: only loading them can tell they are no model.
        metadata.put(
                "sha256",
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(notAModel)));
        Files.write(dir.resolve("metadata.json"), new ObjectMapper().writeValueAsBytes(metadata));
        Files.write(dir.resolve("model.pt"), notAModel);
        ModelArtifact artifact = ModelArtifact.load(dir);

        assertThatThrownBy(() -> TorchScriptModel.load(artifact))
                .isInstanceOf(ModelContractException.class)
                .hasMessageStartingWith(
                        "cannot load model fraud/4 from " + dir.resolve("model.pt") + ": ");
    }

    @Test
    void refusesAModelThatCannotRunOnItsDeclaredInputs() throws Exception {
        ObjectNode metadata =
                (ObjectNode)
                        new ObjectMapper()
                                .readTree(
                                        ShippedModel.directory().resolve("metadata.json").toFile());
        ((ArrayNode) metadata.get("inputs")).remove(13);
        Files.write(dir.resolve("metadata.json"), new ObjectMapper().writeValueAsBytes(metadata));
        Files.copy(ShippedModel.directory().resolve("model.pt"), dir.resolve("model.pt"));
        ModelArtifact artifact = ModelArtifact.load(dir);

        assertThatThrownBy(() -> TorchScriptModel.load(artifact))
                .isInstanceOf(ModelContractException.class)
                .hasMessageStartingWith(
                        "model fraud/4 failed on a batch of " + (COLUMNS - 1) + " inputs: ");
    }

    private static float[] score(List<float[]> rows) throws Exception {
        float[] values = new float[rows.size() * COLUMNS];
        for (int i = 0; i < rows.size(); i++) {
            System.arraycopy(rows.get(i), 0, values, i * COLUMNS, COLUMNS);
        }
        try (Predictor<FeatureBatch, float[]> predictor = model.newPredictor()) {
            return predictor.predict(new FeatureBatch(values, rows.size(), COLUMNS));
        }
    }
}
