package io.rtml.features;

import io.rtml.features.spec.FeatureSpec;
import org.apache.flink.api.common.functions.MapFunction;

/** The last feature stage: the completed vector, with the model that is to score it. */
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
        vector.values = partial.values;
        vector.featureSet = featureSet;
        vector.modelName = partial.modelName;
        vector.modelVersion = partial.modelVersion;
        vector.shadowVersion = partial.shadowVersion;
        return vector;
    }
}
