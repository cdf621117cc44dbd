package io.rtml.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.inference.Predictor;
import io.rtml.event.TransactionEvent;
import io.rtml.features.FeatureVector;
import io.rtml.testing.FeatureRows;
import io.rtml.testing.ShippedModel;
import io.rtml.testing.ShippedSpec;
import io.rtml.testing.TypicalRows;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.functions.async.CollectionSupplier;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.operators.async.AsyncWaitOperatorFactory;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The inference stage in Flink's async operator, with the real model: one element per batch in, one
 * prediction per row out.
 */
@Timeout(60)
class BatchingInferenceFunctionTest {
    /**
     * libtorch's float results for a row depend in their last bits on the batch it is in (see
     * docs/decisions.md): scores agree to this much, not bit for bit.
     */
    private static final float SCORE_TOLERANCE = 1e-5f;

    private static final float FALLBACK_SCORE = 0.5f;
    private static final long OPERATOR_TIMEOUT_MS = 60_000;

    private static TorchScriptModel reference;

    @BeforeAll
    static void loadReferenceModel() {
        reference = TorchScriptModel.load(ModelArtifact.load(ShippedModel.directory()));
    }

    @AfterAll
    static void closeReferenceModel() {
        if (reference != null) {
            reference.close();
        }
    }

    @Test
    void scoresEveryRowOfEveryBatchExactlyOnceWithTheModelsScore() throws Exception {
        List<FeatureVector> vectors = vectors(300, 21);
        vectors.get(123).values = TypicalRows.cardTesting();
        vectors.get(124).values = TypicalRows.legitimate();
        double threshold = reference.artifact().threshold();

        List<Prediction> out =
                run(new BatchingInferenceFunction(settings(2)), batches(vectors, 64));

        assertThat(out).hasSize(vectors.size());
        Map<String, FeatureVector> byId =
                vectors.stream().collect(Collectors.toMap(v -> v.eventId, Function.identity()));
        assertThat(out.stream().map(p -> p.eventId))
                .containsExactlyInAnyOrderElementsOf(byId.keySet());
        for (Prediction prediction : out) {
            FeatureVector vector = byId.get(prediction.eventId);
            assertThat(prediction.cardId).isEqualTo(vector.cardId);
            assertThat(prediction.eventTimeMs).isEqualTo(vector.eventTimeMs);
            assertThat(prediction.ingestTimeMs).isEqualTo(vector.ingestTimeMs);
            assertThat(prediction.scoredTimeMs).isPositive();
            assertThat(prediction.score)
                    .as(prediction.eventId)
                    .isCloseTo(scoreAlone(vector.values), within(SCORE_TOLERANCE));
            assertThat(prediction.decision)
                    .isEqualTo(prediction.score >= threshold ? Prediction.FLAG : Prediction.PASS);
            assertThat(prediction.modelName).isEqualTo("fraud");
            assertThat(prediction.modelVersion).isEqualTo("4");
            assertThat(prediction.featureSet).isEqualTo(ShippedSpec.ID);
            assertThat(prediction.fallbackReason).isNull();
            assertThat(prediction.features).containsExactly(vector.values);
        }
        assertThat(decisionOf(out, vectors.get(123).eventId)).isEqualTo(Prediction.FLAG);
        assertThat(decisionOf(out, vectors.get(124).eventId)).isEqualTo(Prediction.PASS);
    }

    @Test
    void scoresBatchesOfOneRow() throws Exception {
        List<FeatureVector> vectors = vectors(20, 4);

        List<Prediction> out = run(new BatchingInferenceFunction(settings(1)), batches(vectors, 1));

        assertThat(out).hasSize(vectors.size());
        assertThat(out).allSatisfy(p -> assertThat(p.fallbackReason).isNull());
    }

    @ParameterizedTest
    @CsvSource({"flag, 0.0", "pass, 0.5"})
    void givesEveryRowOfABatchThatTimedOutTheFallbackDecisionWithTheReason(
            String decision, float fallbackScore) throws Exception {
        List<FeatureVector> vectors = vectors(5, 9);
        ScoringBatch batch = batches(vectors, 5).get(0);
        BatchingInferenceFunction function =
                new BatchingInferenceFunction(settings(1, fallbackScore, decision));
        OneInputStreamOperatorTestHarness<ScoringBatch, Prediction> harness = harness(function);
        List<Prediction> out;
        try {
            harness.open();
            Collecting future = new Collecting();
            function.timeout(batch, future);
            out = future.results.get();
        } finally {
            harness.close();
        }

        assertThat(out.stream().map(p -> p.eventId))
                .containsExactlyElementsOf(vectors.stream().map(v -> v.eventId).toList());
        for (int row = 0; row < out.size(); row++) {
            Prediction prediction = out.get(row);
            FeatureVector vector = vectors.get(row);
            assertThat(prediction.fallbackReason).isEqualTo(BatchingInferenceFunction.TIMEOUT);
            assertThat(prediction.fallbackReason).isEqualTo("timeout");
            assertThat(prediction.score).isEqualTo(fallbackScore);
            // The setting decides, not the fallback score against the model's threshold (0.0 is
            // below it, 0.5 above).
            assertThat(prediction.decision).isEqualTo(decision);
            assertThat(prediction.cardId).isEqualTo(vector.cardId);
            assertThat(prediction.eventTimeMs).isEqualTo(vector.eventTimeMs);
            assertThat(prediction.ingestTimeMs).isEqualTo(vector.ingestTimeMs);
            assertThat(prediction.modelName).isEqualTo("fraud");
            assertThat(prediction.modelVersion).isEqualTo("4");
            assertThat(prediction.featureSet).isEqualTo(ShippedSpec.ID);
            assertThat(prediction.features).containsExactly(vector.values);
        }
    }

    @ParameterizedTest
    @CsvSource({"flag, 0.0", "pass, 0.5"})
    void fallsBackWithModelErrorForTheRowsOfABatchTheModelCannotScore(
            String decision, float fallbackScore) throws Exception {
        List<FeatureVector> vectors = vectors(6, 2);
        List<ScoringBatch> batches = batches(vectors, 3);
        // Three columns where the model takes the spec's: the predict call fails.
        ScoringBatch malformed = batches.get(1);
        malformed.columns = 3;
        malformed.values = new float[9];

        List<Prediction> out =
                run(new BatchingInferenceFunction(settings(1, fallbackScore, decision)), batches);

        assertThat(out).hasSize(vectors.size());
        for (Prediction prediction : out) {
            if (List.of(malformed.eventIds).contains(prediction.eventId)) {
                assertThat(prediction.fallbackReason).isEqualTo("model_error");
                assertThat(prediction.score).isEqualTo(fallbackScore);
                assertThat(prediction.decision).isEqualTo(decision);
            } else {
                assertThat(prediction.fallbackReason).isNull();
                assertThat(prediction.score)
                        .isCloseTo(scoreAlone(prediction.features), within(SCORE_TOLERANCE));
            }
        }
    }

    @Test
    void refusesToOpenWithAModelThatDoesNotTakeTheFeatures() throws Exception {
        List<String> reordered = new ArrayList<>(ShippedSpec.load().columns());
        Collections.swap(reordered, 0, 1);
        InferenceSettings settings =
                new InferenceSettings(
                        ShippedModel.directory().getParent().getParent().toString(),
                        "fraud",
                        "4",
                        null,
                        InferenceDevice.CPU,
                        ShippedSpec.ID,
                        reordered,
                        8,
                        Duration.ofMillis(1),
                        1,
                        16,
                        FALLBACK_SCORE,
                        Prediction.FLAG);

        OneInputStreamOperatorTestHarness<ScoringBatch, Prediction> harness =
                harness(new BatchingInferenceFunction(settings));
        try {
            assertThatThrownBy(harness::open)
                    .isInstanceOf(ModelContractException.class)
                    .hasMessage(
                            "model fraud/4 does not match feature set fraud-v3: inputs are in"
                                    + " another order: position 0 is amount_log1p in the model and"
                                    + " channel_pos in the features");
        } finally {
            harness.close();
        }
    }

    @Test
    void scoresEachRowWithItsOwnVersionAndAShadowAlongside() throws Exception {
        List<FeatureVector> vectors = vectors(200, 5);
        for (int i = 0; i < vectors.size(); i++) {
            vectors.get(i).modelVersion = i % 2 == 0 ? "4" : "5";
            vectors.get(i).shadowVersion = i % 2 == 0 ? "5" : null;
        }
        try (TorchScriptModel five =
                TorchScriptModel.load(
                        ModelArtifact.load(ShippedModel.directory().resolveSibling("5")))) {
            List<Prediction> out =
                    run(new BatchingInferenceFunction(settings(1)), batches(vectors, 32));

            assertThat(out).hasSize(vectors.size());
            Map<String, FeatureVector> byId =
                    vectors.stream().collect(Collectors.toMap(v -> v.eventId, Function.identity()));
            for (Prediction prediction : out) {
                FeatureVector vector = byId.get(prediction.eventId);
                TorchScriptModel champion = vector.modelVersion.equals("4") ? reference : five;
                assertThat(prediction.modelVersion).isEqualTo(vector.modelVersion);
                assertThat(prediction.score)
                        .isCloseTo(score(champion, vector.values), within(SCORE_TOLERANCE));
                assertThat(prediction.shadowVersion).isEqualTo(vector.shadowVersion);
                if (vector.shadowVersion != null) {
                    assertThat(prediction.shadowScore)
                            .isCloseTo(score(five, vector.values), within(SCORE_TOLERANCE));
                    assertThat(prediction.shadowDecision)
                            .isEqualTo(
                                    prediction.shadowScore >= five.artifact().threshold()
                                            ? Prediction.FLAG
                                            : Prediction.PASS);
                }
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"flag, 0.0", "pass, 0.5"})
    void givesTheFallbackToRowsOfAVersionThatCannotBeLoadedHere(
            String decision, float fallbackScore) throws Exception {
        List<FeatureVector> vectors = vectors(20, 9);
        vectors.get(3).modelVersion = "404";

        List<Prediction> out =
                run(
                        new BatchingInferenceFunction(settings(1, fallbackScore, decision)),
                        batches(vectors, 8));

        assertThat(out).hasSize(20);
        for (Prediction prediction : out) {
            if (prediction.eventId.equals(vectors.get(3).eventId)) {
                assertThat(prediction.fallbackReason)
                        .isEqualTo(BatchingInferenceFunction.MODEL_UNAVAILABLE);
                assertThat(prediction.score).isEqualTo(fallbackScore);
                assertThat(prediction.modelVersion).isEqualTo("404");
                assertThat(prediction.decision).isEqualTo(decision);
            } else {
                assertThat(prediction.fallbackReason).isNull();
            }
        }
    }

    @Test
    void countsEachScoreInItsTenthOfTheRange() {
        assertThat(BatchingInferenceFunction.scoreBucket(0f)).isZero();
        assertThat(BatchingInferenceFunction.scoreBucket(0.0999f)).isZero();
        assertThat(BatchingInferenceFunction.scoreBucket(0.1f)).isEqualTo(1);
        assertThat(BatchingInferenceFunction.scoreBucket(0.95f)).isEqualTo(9);
        assertThat(BatchingInferenceFunction.scoreBucket(1f)).isEqualTo(9);
    }

    // ---- helpers ----

    private static float score(TorchScriptModel model, float[] row) throws Exception {
        try (Predictor<FeatureBatch, float[]> predictor = model.newPredictor()) {
            return predictor.predict(new FeatureBatch(row, 1, row.length))[0];
        }
    }

    private static InferenceSettings settings(int threads) {
        return settings(threads, FALLBACK_SCORE, Prediction.FLAG);
    }

    private static InferenceSettings settings(
            int threads, float fallbackScore, String fallbackDecision) {
        return new InferenceSettings(
                ShippedModel.directory().getParent().getParent().toString(),
                "fraud",
                "4",
                null,
                InferenceDevice.CPU,
                ShippedSpec.ID,
                ShippedSpec.load().columns(),
                64,
                Duration.ofMillis(5),
                threads,
                256,
                fallbackScore,
                fallbackDecision);
    }

    private static OneInputStreamOperatorTestHarness<ScoringBatch, Prediction> harness(
            BatchingInferenceFunction function) throws Exception {
        return new OneInputStreamOperatorTestHarness<>(
                new AsyncWaitOperatorFactory<>(
                        function, OPERATOR_TIMEOUT_MS, 4, AsyncDataStream.OutputMode.UNORDERED),
                TypeInformation.of(ScoringBatch.class)
                        .createSerializer(new SerializerConfigImpl()));
    }

    /** Runs the batches through the operator to the end of input. */
    private static List<Prediction> run(
            BatchingInferenceFunction function, List<ScoringBatch> batches) throws Exception {
        OneInputStreamOperatorTestHarness<ScoringBatch, Prediction> harness = harness(function);
        try {
            harness.open();
            for (ScoringBatch batch : batches) {
                harness.processElement(batch, 0);
            }
            harness.endInput(); // waits, processing mails, until every batch is complete
            return harness.extractOutputValues();
        } finally {
            harness.close();
        }
    }

    /** The vectors in batches of {@code size} rows, in order, the last one short. */
    private static List<ScoringBatch> batches(List<FeatureVector> vectors, int size) {
        List<ScoringBatch> batches = new ArrayList<>();
        for (int from = 0; from < vectors.size(); from += size) {
            List<FeatureVector> rows = vectors.subList(from, Math.min(vectors.size(), from + size));
            int columns = rows.get(0).values.length;
            ScoringBatch batch = ScoringBatch.withCapacity(ShippedSpec.ID, columns, size);
            for (FeatureVector vector : rows) {
                int row = batch.rows++;
                System.arraycopy(vector.values, 0, batch.values, row * columns, columns);
                batch.eventIds[row] = vector.eventId;
                batch.cardIds[row] = vector.cardId;
                batch.eventTimeMs[row] = vector.eventTimeMs;
                batch.ingestTimeMs[row] = vector.ingestTimeMs;
                batch.modelNames[row] = vector.modelName;
                batch.modelVersions[row] = vector.modelVersion;
                batch.shadowVersions[row] = vector.shadowVersion;
            }
            batches.add(batch.trimmed());
        }
        return batches;
    }

    private static List<FeatureVector> vectors(int count, long seed) {
        FeatureRows rows = FeatureRows.shipped();
        List<FeatureVector> vectors = new ArrayList<>();
        for (TransactionEvent event : TypicalRows.mixedEvents(count, seed)) {
            FeatureVector vector = new FeatureVector();
            vector.eventId = event.eventId;
            vector.cardId = event.cardId;
            vector.eventTimeMs = event.eventTimeMs;
            vector.ingestTimeMs = event.ingestTimeMs;
            vector.values = rows.add(event);
            vector.featureSet = ShippedSpec.ID;
            vector.modelName = "fraud";
            vector.modelVersion = "4";
            vectors.add(vector);
        }
        return vectors;
    }

    private static float scoreAlone(float[] row) throws Exception {
        try (Predictor<FeatureBatch, float[]> predictor = reference.newPredictor()) {
            return predictor.predict(new FeatureBatch(row, 1, row.length))[0];
        }
    }

    private static String decisionOf(List<Prediction> out, String eventId) {
        return out.stream()
                .filter(p -> p.eventId.equals(eventId))
                .findFirst()
                .orElseThrow()
                .decision;
    }

    /** A result future that keeps what it is completed with. */
    private static final class Collecting implements ResultFuture<Prediction> {
        final CompletableFuture<List<Prediction>> results = new CompletableFuture<>();

        @Override
        public void complete(java.util.Collection<Prediction> result) {
            results.complete(new ArrayList<>(result));
        }

        @Override
        public void completeExceptionally(Throwable error) {
            results.completeExceptionally(error);
        }

        @Override
        public void complete(CollectionSupplier<Prediction> supplier) {
            try {
                complete(supplier.get());
            } catch (Exception e) {
                completeExceptionally(e);
            }
        }
    }
}
