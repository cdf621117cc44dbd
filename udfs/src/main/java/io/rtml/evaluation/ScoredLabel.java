package io.rtml.evaluation;

/** A prediction with its label, once both are known. */
public class ScoredLabel {
    public String eventId;
    public float score;
    public boolean flagged;
    public int label;
    public String modelVersion;

    /** When the live evaluation received it (processing time); set there. */
    public long joinedAtMs;

    public ScoredLabel() {}

    public ScoredLabel(
            String eventId, float score, boolean flagged, int label, String modelVersion) {
        this.eventId = eventId;
        this.score = score;
        this.flagged = flagged;
        this.label = label;
        this.modelVersion = modelVersion;
    }
}
