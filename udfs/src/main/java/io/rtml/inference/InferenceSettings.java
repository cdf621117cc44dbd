package io.rtml.inference;

import java.io.Serializable;
import java.time.Duration;
import java.util.List;

/**
 * What the inference stage needs to know, fixed when the job is built.
 *
 * @param modelRepository where model artifacts are ({@code <repository>/<name>/<version>/}), as
 *     seen from the task managers
 * @param modelName the model configured at start
 * @param modelVersion its version, loaded at start: the job does not start without it
 * @param shadowVersion a challenger version configured at start, or {@code null}
 * @param device where models run
 * @param featureSet the name of the feature set the vectors come from
 * @param features the feature names, in order; the model's inputs must equal them
 * @param maxBatchSize a batch is cut when it holds this many rows
 * @param maxBatchDelay or when its first row has waited this long
 * @param threads inference threads per subtask, each with its own predictor
 * @param capacity rows in flight (queued or being scored), rounded up to whole batches; beyond it
 *     the stage backpressures
 * @param fallbackScore the score given when the model cannot score a row
 * @param fallbackDecision the decision given to such a row, {@link Prediction#FLAG} or {@link
 *     Prediction#PASS}, whatever its score
 */
public record InferenceSettings(
        String modelRepository,
        String modelName,
        String modelVersion,
        String shadowVersion,
        InferenceDevice device,
        String featureSet,
        List<String> features,
        int maxBatchSize,
        Duration maxBatchDelay,
        int threads,
        int capacity,
        float fallbackScore,
        String fallbackDecision)
        implements Serializable {

    public InferenceSettings {
        features = List.copyOf(features);
        if (!Prediction.FLAG.equals(fallbackDecision)
                && !Prediction.PASS.equals(fallbackDecision)) {
            throw new IllegalArgumentException(
                    "fallback decision must be flag or pass, got " + fallbackDecision);
        }
    }

    /** Batches in flight at most: {@link #capacity} in whole batches. */
    public int batchesInFlight() {
        return Math.max(1, (capacity + maxBatchSize - 1) / maxBatchSize);
    }
}
