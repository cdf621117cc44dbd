package io.rtml.features;

import io.rtml.features.spec.FeatureSpec;
import org.apache.flink.api.common.functions.MapFunction;

/** A finished vector on its own, with the model that is to score it: what the feature log keeps. */
public class VectorFunction implements MapFunction<PartialFeatures, FeatureVector> {
    private static final long serialVersionUID = 1L;

    private final String featureSet;

    public VectorFunction(FeatureSpec spec) {
        this.featureSet = spec.id();
    }

    @Override
    public FeatureVector map(PartialFeatures partial) {
        FeatureVector vector = new FeatureVector();
        vector.eventId = partial.event.eventId;
        vector.cardId = partial.event.cardId;
        vector.eventTimeMs = partial.event.eventTimeMs;
        vector.ingestTimeMs = partial.event.ingestTimeMs;
        vector.values = partial.values.clone();
        vector.featureSet = featureSet;
        vector.modelName = partial.modelName;
        vector.modelVersion = partial.modelVersion;
        vector.shadowVersion = partial.shadowVersion;
        return vector;
    }
}
