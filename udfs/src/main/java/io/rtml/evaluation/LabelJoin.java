package io.rtml.evaluation;

import io.rtml.metrics.MetricNames;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Joins predictions with their labels by event id, whichever comes first ({@link EvaluationInputs}
 * reads both as {@link ScoredLabel}s: a prediction with label -1, a label with its 0 or 1). The
 * first of the pair waits in keyed state that expires after {@code ttl} (processing time): a label
 * that never comes, or a label for an event the job did not score, is dropped from the join then,
 * never kept forever. Per pair: one read that finds nothing and a write, then one read that finds
 * it and a delete.
 */
public class LabelJoin extends KeyedProcessFunction<String, ScoredLabel, ScoredLabel> {
    private static final long serialVersionUID = 1L;

    /** The state's name: part of the savepoint format. */
    public static final String STATE = "awaiting";

    private final Duration ttl;

    /** The prediction waiting for its label, or the label waiting for its prediction. */
    private transient ValueState<ScoredLabel> awaiting;

    private transient Counter joined;

    public LabelJoin(Duration ttl) {
        this.ttl = ttl;
    }

    @Override
    public void open(OpenContext openContext) {
        ValueStateDescriptor<ScoredLabel> descriptor =
                new ValueStateDescriptor<>(STATE, ScoredLabel.class);
        descriptor.enableTimeToLive(
                StateTtlConfig.newBuilder(ttl)
                        .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                        .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                        .build());
        awaiting = getRuntimeContext().getState(descriptor);
        joined =
                getRuntimeContext()
                        .getMetricGroup()
                        .addGroup(MetricNames.GROUP)
                        .counter(MetricNames.LABELS_JOINED);
    }

    @Override
    public void processElement(ScoredLabel arrived, Context ctx, Collector<ScoredLabel> out)
            throws Exception {
        ScoredLabel waiting = awaiting.value();
        if (waiting == null || isLabel(waiting) == isLabel(arrived)) {
            // First of its pair, or a repeat of its kind (a redelivered chargeback): it waits.
            awaiting.update(arrived);
            return;
        }
        awaiting.clear();
        ScoredLabel prediction = isLabel(arrived) ? waiting : arrived;
        prediction.label = isLabel(arrived) ? arrived.label : waiting.label;
        joined.inc();
        out.collect(prediction);
    }

    private static boolean isLabel(ScoredLabel scored) {
        return scored.label >= 0;
    }
}
