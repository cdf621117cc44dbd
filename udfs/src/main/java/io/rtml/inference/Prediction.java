package io.rtml.inference;

import java.util.Arrays;
import java.util.Objects;

/**
 * A scored event: what is written to the predictions topic and to Redis (see docs/contracts.md).
 */
public class Prediction {
    public static final String FLAG = "flag";
    public static final String PASS = "pass";

    public String eventId;
    public String cardId;
    public long eventTimeMs;

    /** When the event reached Kafka. */
    public long ingestTimeMs;

    /** When the model produced the score. */
    public long scoredTimeMs;

    /** The model's output: for fraud, the probability that the transaction is fraudulent. */
    public float score;

    /** {@link #FLAG} when the score reaches the model's threshold, else {@link #PASS}. */
    public String decision;

    public String modelName;
    public String modelVersion;
    public String featureSet;

    /** Why the fallback score was used instead of the model's, or {@code null} if it was not. */
    public String fallbackReason;

    /** The challenger version that also scored the event (shadow scoring), or {@code null}. */
    public String shadowVersion;

    public float shadowScore;
    public String shadowDecision;

    /** The feature values the model saw, in the feature set's order. */
    public float[] features;

    /**
     * The record as JSON once a sink has written it ({@code PredictionJson.writeOnce}), so that the
     * Kafka and Redis sinks, which take the same prediction, write it once. Transient: not part of
     * the prediction's state, and a prediction does not change once written.
     */
    public transient byte[] json;

    public Prediction() {}

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Prediction)) {
            return false;
        }
        Prediction that = (Prediction) o;
        return eventTimeMs == that.eventTimeMs
                && ingestTimeMs == that.ingestTimeMs
                && scoredTimeMs == that.scoredTimeMs
                && Float.compare(score, that.score) == 0
                && Objects.equals(eventId, that.eventId)
                && Objects.equals(cardId, that.cardId)
                && Objects.equals(decision, that.decision)
                && Objects.equals(modelName, that.modelName)
                && Objects.equals(modelVersion, that.modelVersion)
                && Objects.equals(featureSet, that.featureSet)
                && Objects.equals(fallbackReason, that.fallbackReason)
                && Objects.equals(shadowVersion, that.shadowVersion)
                && Float.compare(shadowScore, that.shadowScore) == 0
                && Objects.equals(shadowDecision, that.shadowDecision)
                && Arrays.equals(features, that.features);
    }

    @Override
    public int hashCode() {
        return Objects.hash(eventId, cardId, eventTimeMs, score);
    }

    @Override
    public String toString() {
        return "Prediction{eventId="
                + eventId
                + ", cardId="
                + cardId
                + ", score="
                + score
                + ", decision="
                + decision
                + ", model="
                + modelName
                + "/"
                + modelVersion
                + (fallbackReason == null ? "" : ", fallback=" + fallbackReason)
                + '}';
    }
}
