package io.rtml.features;

import io.rtml.event.TransactionEvent;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * An event on its way through the feature stages: the vector is filled in stage by stage (the
 * event's own features, then each entity's aggregates), and the model that is to score it is
 * decided on the way (in checkpointed state, so a replay decides the same). Flink writes it with
 * {@link PartialFeaturesSerializer}.
 */
@TypeInfo(PartialFeaturesSerializer.Factory.class)
public class PartialFeatures {
    public TransactionEvent event;
    public float[] values;

    /** The model to score with; {@code null} outside the streaming job (e.g. the backfill). */
    public String modelName;

    public String modelVersion;

    /** A challenger version of the same model to score alongside, or {@code null}. */
    public String shadowVersion;

    public PartialFeatures() {}

    public PartialFeatures(TransactionEvent event, float[] values) {
        this.event = event;
        this.values = values;
    }
}
