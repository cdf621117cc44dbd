package io.rtml.features;

import io.rtml.event.TransactionEvent;

/**
 * An event on its way through the feature stages: the vector is filled in stage by stage (the
 * event's own features, then each entity's aggregates).
 */
public class PartialFeatures {
    public TransactionEvent event;
    public float[] values;

    public PartialFeatures() {}

    public PartialFeatures(TransactionEvent event, float[] values) {
        this.event = event;
        this.values = values;
    }
}
