package io.rtml.features;

import io.rtml.features.spec.FeatureSpec;
import io.rtml.metrics.MetricNames;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/**
 * The last feature stage: the completed vector, with the model that is to score it; measures how
 * long after it reached Kafka an event's features are complete.
 */
public class VectorFunction extends RichMapFunction<PartialFeatures, FeatureVector> {
    private static final long serialVersionUID = 1L;

    private final String featureSet;

    private transient Histogram ingestToFeatures;

    public VectorFunction(FeatureSpec spec) {
        this.featureSet = spec.id();
    }

    @Override
    public void open(OpenContext openContext) {
        ingestToFeatures =
                getRuntimeContext()
                        .getMetricGroup()
                        .addGroup(MetricNames.GROUP)
                        .histogram(
                                MetricNames.LATENCY_INGEST_TO_FEATURES_MS,
                                new DescriptiveStatisticsHistogram(10_000));
    }

    @Override
    public FeatureVector map(PartialFeatures partial) {
        ingestToFeatures.update(System.currentTimeMillis() - partial.event.ingestTimeMs);
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
