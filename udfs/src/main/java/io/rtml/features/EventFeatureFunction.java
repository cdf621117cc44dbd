package io.rtml.features;

import io.rtml.event.TransactionEvent;
import io.rtml.features.spec.FeatureSpec;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;

/** The first feature stage: the event's own features, before any keyed state. */
public class EventFeatureFunction extends RichMapFunction<TransactionEvent, PartialFeatures> {
    private static final long serialVersionUID = 1L;

    private final FeatureSpec spec;
    private transient EventFeatures features;

    public EventFeatureFunction(FeatureSpec spec) {
        this.spec = spec;
    }

    @Override
    public void open(OpenContext openContext) {
        features = new EventFeatures(spec);
    }

    @Override
    public PartialFeatures map(TransactionEvent event) {
        return new PartialFeatures(event, features.compute(event));
    }
}
