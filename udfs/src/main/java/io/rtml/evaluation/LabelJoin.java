package io.rtml.evaluation;

import io.rtml.metrics.MetricNames;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Joins predictions with their labels by event id, whichever comes first, in keyed state that
 * expires after {@code ttl} (processing time): a label that never comes, or a label for an event
 * the job did not score, is dropped from the join then, never kept forever. Records that are not
 * labels or not predictions are counted and dropped.
 */
public class LabelJoin extends KeyedCoProcessFunction<String, ScoredLabel, Label, ScoredLabel> {
    private static final long serialVersionUID = 1L;

    /** The states' names: part of the savepoint format. */
    public static final String PREDICTION_STATE = "awaiting-label";

    public static final String LABEL_STATE = "awaiting-prediction";

    private final Duration ttl;

    private transient ValueState<ScoredLabel> prediction;
    private transient ValueState<Label> label;
    private transient Counter joined;
    private transient Counter unreadable;
    private transient Counter unreadablePredictions;

    public LabelJoin(Duration ttl) {
        this.ttl = ttl;
    }

    @Override
    public void open(OpenContext openContext) {
        StateTtlConfig expiry =
                StateTtlConfig.newBuilder(ttl)
                        .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                        .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                        .build();
        ValueStateDescriptor<ScoredLabel> predictionDescriptor =
                new ValueStateDescriptor<>(PREDICTION_STATE, ScoredLabel.class);
        predictionDescriptor.enableTimeToLive(expiry);
        ValueStateDescriptor<Label> labelDescriptor =
                new ValueStateDescriptor<>(LABEL_STATE, Label.class);
        labelDescriptor.enableTimeToLive(expiry);
        prediction = getRuntimeContext().getState(predictionDescriptor);
        label = getRuntimeContext().getState(labelDescriptor);
        MetricGroup group = getRuntimeContext().getMetricGroup().addGroup(MetricNames.GROUP);
        joined = group.counter(MetricNames.LABELS_JOINED);
        unreadable = group.counter(MetricNames.LABELS_UNREADABLE);
        unreadablePredictions = group.counter(MetricNames.PREDICTIONS_UNREADABLE);
    }

    @Override
    public void processElement1(ScoredLabel scored, Context ctx, Collector<ScoredLabel> out)
            throws Exception {
        if (scored.eventId == null) {
            unreadablePredictions.inc();
            return;
        }
        Label known = label.value();
        if (known == null) {
            prediction.update(scored);
        } else {
            label.clear();
            emit(scored, known, out);
        }
    }

    @Override
    public void processElement2(Label arrived, Context ctx, Collector<ScoredLabel> out)
            throws Exception {
        if (arrived.eventId == null) {
            unreadable.inc();
            return;
        }
        ScoredLabel known = prediction.value();
        if (known == null) {
            label.update(arrived);
        } else {
            prediction.clear();
            emit(known, arrived, out);
        }
    }

    private void emit(ScoredLabel scored, Label known, Collector<ScoredLabel> out) {
        joined.inc();
        scored.label = known.label;
        out.collect(scored);
    }
}
