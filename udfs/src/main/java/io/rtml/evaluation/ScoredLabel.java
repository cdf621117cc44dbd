package io.rtml.evaluation;

import io.rtml.inference.Prediction;

/** A prediction's score and decision with its label, once both are known. */
public class ScoredLabel {
    public String eventId;
    public float score;
    public boolean flagged;
    public int label;
    public String modelVersion;

    /** When the live evaluation received it (processing time); set there. */
    public long joinedAtMs;

    public ScoredLabel() {}

    /** A prediction waiting for its label ({@link #label} -1 until it is known). */
    public static ScoredLabel of(Prediction prediction) {
        return new ScoredLabel(
                prediction.eventId,
                prediction.score,
                Prediction.FLAG.equals(prediction.decision),
                -1,
                prediction.modelVersion);
    }

    public ScoredLabel(
            String eventId, float score, boolean flagged, int label, String modelVersion) {
        this.eventId = eventId;
        this.score = score;
        this.flagged = flagged;
        this.label = label;
        this.modelVersion = modelVersion;
    }
}
