package io.rtml.features;

import java.util.Arrays;
import java.util.Objects;

/** The features of one event, and which model is to score them. */
public class FeatureVector {
    public String eventId;
    public String cardId;
    public long eventTimeMs;
    public long ingestTimeMs;

    /** Values in the order of the feature set's names. */
    public float[] values;

    public String featureSet;

    /**
     * The model to score with, decided in checkpointed state upstream so that a replay scores with
     * the same model.
     */
    public String modelName;

    public String modelVersion;

    /** A challenger version to score alongside (shadow scoring), or {@code null}. */
    public String shadowVersion;

    public FeatureVector() {}

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof FeatureVector)) {
            return false;
        }
        FeatureVector that = (FeatureVector) o;
        return eventTimeMs == that.eventTimeMs
                && ingestTimeMs == that.ingestTimeMs
                && Objects.equals(eventId, that.eventId)
                && Objects.equals(cardId, that.cardId)
                && Arrays.equals(values, that.values)
                && Objects.equals(featureSet, that.featureSet)
                && Objects.equals(modelName, that.modelName)
                && Objects.equals(modelVersion, that.modelVersion)
                && Objects.equals(shadowVersion, that.shadowVersion);
    }

    @Override
    public int hashCode() {
        return Objects.hash(eventId, cardId, eventTimeMs);
    }

    @Override
    public String toString() {
        return "FeatureVector{eventId="
                + eventId
                + ", cardId="
                + cardId
                + ", eventTimeMs="
                + eventTimeMs
                + ", values="
                + Arrays.toString(values)
                + ", model="
                + modelName
                + "/"
                + modelVersion
                + '}';
    }
}
