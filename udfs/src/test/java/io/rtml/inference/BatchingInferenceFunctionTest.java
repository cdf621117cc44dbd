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
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.operators.async.AsyncWaitOperatorFactory;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The inference stage in Flink's async operator, with the real model. Operator timeouts fire on the
 * harness's processing-time clock, which only moves when a test moves it.
 */
@Timeout(60)
class BatchingInferenceFunctionTest {
    /**
     * libtorch's float results for a row depend in their last bits on the batch it is in (see
     * docs/decisions.md): scores agree to this much, not bit for bit.
     */
    private static final float SCORE_TOLERANCE = 1e-5f;

    private static final float FALLBACK_SCORE = 0.5f;
    private static final long OPERATOR_TIMEOUT_MS = 10;

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
    void scoresEveryVectorExactlyOnceWithTheModelsScore() throws Exception {
        List<FeatureVector> vectors = vectors(300, 21);
        vectors.get(123).values = TypicalRows.cardTesting();
        vectors.get(124).values = TypicalRows.legitimate();
        double threshold = reference.artifact().threshold();

        List<StreamRecord<? extends Prediction>> out =
                run(new BatchingInferenceFunction(settings(16, Duration.ofMillis(2), 2)), vectors);

        assertThat(out).hasSize(vectors.size());
        Map<String, FeatureVector> byId =
                vectors.stream().collect(Collectors.toMap(v -> v.eventId, Function.identity()));
        assertThat(out.stream().map(r -> r.getValue().eventId).distinct())
                .containsExactlyInAnyOrderElementsOf(byId.keySet());
        for (StreamRecord<? extends Prediction> record : out) {
            Prediction prediction = record.getValue();
            FeatureVector vector = byId.get(prediction.eventId);
            assertThat(record.getTimestamp()).isEqualTo(vector.eventTimeMs);
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
    void scoresWithOneThreadAndBatchesOfOne() throws Exception {
        List<FeatureVector> vectors = vectors(20, 4);

        List<StreamRecord<? extends Prediction>> out =
                run(new BatchingInferenceFunction(settings(1, Duration.ZERO, 1)), vectors);

        assertThat(out).hasSize(vectors.size());
        for (StreamRecord<? extends Prediction> record : out) {
            assertThat(record.getValue().fallbackReason).isNull();
        }
    }

    @Test
    void fallsBackWithTheConfiguredScoreWhenRowsWaitPastTheTimeout() throws Exception {
        // Batches are cut only at 1000 rows or after an hour: the rows wait in the queue until
        // the operator's timeout fires.
        List<FeatureVector> vectors = vectors(5, 9);
        BatchingInferenceFunction function =
                new BatchingInferenceFunction(settings(1_000, Duration.ofHours(1), 1));

        List<StreamRecord<? extends Prediction>> out;
        OneInputStreamOperatorTestHarness<FeatureVector, Prediction> harness = harness(function);
        try {
            harness.open();
            for (FeatureVector vector : vectors) {
                harness.processElement(vector, vector.eventTimeMs);
            }
            assertThat(harness.extractOutputValues()).isEmpty();

            harness.setProcessingTime(OPERATOR_TIMEOUT_MS);
            harness.endInput();
            out = harness.extractOutputStreamRecords();
        } finally {
            harness.close();
        }

        assertThat(out).hasSize(vectors.size());
        assertThat(out.stream().map(r -> r.getValue().eventId))
                .containsExactlyInAnyOrderElementsOf(vectors.stream().map(v -> v.eventId).toList());
        for (StreamRecord<? extends Prediction> record : out) {
            Prediction prediction = record.getValue();
            FeatureVector vector =
                    vectors.stream()
                            .filter(v -> v.eventId.equals(prediction.eventId))
                            .findFirst()
                            .orElseThrow();
            assertThat(prediction.fallbackReason).isEqualTo(BatchingInferenceFunction.TIMEOUT);
            assertThat(prediction.fallbackReason).isEqualTo("timeout");
            assertThat(prediction.score).isEqualTo(FALLBACK_SCORE);
            assertThat(prediction.decision)
                    .isEqualTo(Prediction.FLAG); // the fallback score is above the threshold
            assertThat(prediction.cardId).isEqualTo(vector.cardId);
            assertThat(prediction.eventTimeMs).isEqualTo(vector.eventTimeMs);
            assertThat(prediction.ingestTimeMs).isEqualTo(vector.ingestTimeMs);
            assertThat(prediction.modelName).isEqualTo("fraud");
            assertThat(prediction.modelVersion).isEqualTo("4");
            assertThat(prediction.featureSet).isEqualTo(ShippedSpec.ID);
            assertThat(prediction.features).containsExactly(vector.values);
        }
    }

    @Test
    void fallsBackWithModelErrorForARowTheModelCannotScore() throws Exception {
        List<FeatureVector> vectors = vectors(6, 2);
        vectors.get(2).values = new float[] {1f, 2f, 3f};

        List<StreamRecord<? extends Prediction>> out =
                run(new BatchingInferenceFunction(settings(1, Duration.ZERO, 1)), vectors);

        assertThat(out).hasSize(vectors.size());
        for (StreamRecord<? extends Prediction> record : out) {
            Prediction prediction = record.getValue();
            if (prediction.eventId.equals(vectors.get(2).eventId)) {
                assertThat(prediction.fallbackReason).isEqualTo("model_error");
                assertThat(prediction.score).isEqualTo(FALLBACK_SCORE);
                assertThat(prediction.decision).isEqualTo(Prediction.FLAG);
            } else {
                assertThat(prediction.fallbackReason).isNull();
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
                        FALLBACK_SCORE);

        OneInputStreamOperatorTestHarness<FeatureVector, Prediction> harness =
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
            List<StreamRecord<? extends Prediction>> out =
                    run(
                            new BatchingInferenceFunction(settings(32, Duration.ofMillis(2), 1)),
                            vectors);

            assertThat(out).hasSize(vectors.size());
            Map<String, FeatureVector> byId =
                    vectors.stream().collect(Collectors.toMap(v -> v.eventId, Function.identity()));
            for (StreamRecord<? extends Prediction> record : out) {
                Prediction prediction = record.getValue();
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

    @Test
    void givesTheFallbackToRowsOfAVersionThatCannotBeLoadedHere() throws Exception {
        List<FeatureVector> vectors = vectors(20, 9);
        vectors.get(3).modelVersion = "404";

        List<StreamRecord<? extends Prediction>> out =
                run(new BatchingInferenceFunction(settings(8, Duration.ofMillis(1), 1)), vectors);

        assertThat(out).hasSize(20);
        for (StreamRecord<? extends Prediction> record : out) {
            Prediction prediction = record.getValue();
            if (prediction.eventId.equals(vectors.get(3).eventId)) {
                assertThat(prediction.fallbackReason)
                        .isEqualTo(BatchingInferenceFunction.MODEL_UNAVAILABLE);
                assertThat(prediction.score).isEqualTo(FALLBACK_SCORE);
                assertThat(prediction.modelVersion).isEqualTo("404");
                assertThat(prediction.decision).isEqualTo(Prediction.PASS);
            } else {
                assertThat(prediction.fallbackReason).isNull();
            }
        }
    }

    // ---- helpers ----

    private static float score(TorchScriptModel model, float[] row) throws Exception {
        try (Predictor<FeatureBatch, float[]> predictor = model.newPredictor()) {
            return predictor.predict(new FeatureBatch(row, 1, row.length))[0];
        }
    }

    private static InferenceSettings settings(int maxBatch, Duration maxDelay, int threads) {
        return new InferenceSettings(
                ShippedModel.directory().getParent().getParent().toString(),
                "fraud",
                "4",
                null,
                InferenceDevice.CPU,
                ShippedSpec.ID,
                ShippedSpec.load().columns(),
                maxBatch,
                maxDelay,
                threads,
                64,
                FALLBACK_SCORE);
    }

    private static OneInputStreamOperatorTestHarness<FeatureVector, Prediction> harness(
            BatchingInferenceFunction function) throws Exception {
        return new OneInputStreamOperatorTestHarness<>(
                new AsyncWaitOperatorFactory<>(
                        function, OPERATOR_TIMEOUT_MS, 100, AsyncDataStream.OutputMode.UNORDERED),
                TypeInformation.of(FeatureVector.class)
                        .createSerializer(new SerializerConfigImpl()));
    }

    /** Runs the vectors through the operator to the end of input; the clock never moves. */
    private static List<StreamRecord<? extends Prediction>> run(
            BatchingInferenceFunction function, List<FeatureVector> vectors) throws Exception {
        OneInputStreamOperatorTestHarness<FeatureVector, Prediction> harness = harness(function);
        try {
            harness.open();
            for (FeatureVector vector : vectors) {
                harness.processElement(vector, vector.eventTimeMs);
            }
            harness.endInput(); // waits, processing mails, until every row is complete
            return harness.extractOutputStreamRecords();
        } finally {
            harness.close();
        }
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

    private static String decisionOf(List<StreamRecord<? extends Prediction>> out, String eventId) {
        return out.stream()
                .map(StreamRecord::getValue)
                .filter(p -> p.eventId.equals(eventId))
                .findFirst()
                .orElseThrow()
                .decision;
    }

    @Test
    void countsEachScoreInItsTenthOfTheRange() {
        assertThat(BatchingInferenceFunction.scoreBucket(0f)).isZero();
        assertThat(BatchingInferenceFunction.scoreBucket(0.0999f)).isZero();
        assertThat(BatchingInferenceFunction.scoreBucket(0.1f)).isEqualTo(1);
        assertThat(BatchingInferenceFunction.scoreBucket(0.95f)).isEqualTo(9);
        assertThat(BatchingInferenceFunction.scoreBucket(1f)).isEqualTo(9);
    }
}
