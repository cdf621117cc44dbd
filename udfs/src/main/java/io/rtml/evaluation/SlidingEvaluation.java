package io.rtml.evaluation;

import io.rtml.metrics.MetricNames;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The live quality of the predictions: every {@code slide} of processing time, precision and recall
 * of the decisions and PR-AUC of the scores over the labelled predictions joined in the last {@code
 * window}, as gauges (the latest window) and as one {@link EvaluationRecord}.
 *
 * <p>Each labelled prediction is stored once, in one list appended to (cheap on RocksDB), however
 * many windows it falls in; a Flink sliding window would copy it into window/slide windows. At each
 * slide the list is read once and what has left the window is dropped. Run it on a single key.
 */
public class SlidingEvaluation
        extends KeyedProcessFunction<Integer, ScoredLabel, EvaluationRecord> {
    private static final long serialVersionUID = 1L;

    /** The state's name: part of the savepoint format. */
    public static final String STATE = "labelled-predictions";

    private final long windowMs;
    private final long slideMs;

    private transient ListState<ScoredLabel> labelled;
    private transient volatile Evaluation latest;

    public SlidingEvaluation(Duration window, Duration slide) {
        if (slide.isZero() || slide.isNegative() || window.compareTo(slide) < 0) {
            throw new IllegalArgumentException(
                    "the evaluation slide must be positive and at most the window");
        }
        this.windowMs = window.toMillis();
        this.slideMs = slide.toMillis();
    }

    @Override
    public void open(OpenContext openContext) {
        labelled =
                getRuntimeContext()
                        .getListState(new ListStateDescriptor<>(STATE, ScoredLabel.class));
        latest = new Evaluation(0, 0, Double.NaN, Double.NaN, Double.NaN);
        MetricGroup group = getRuntimeContext().getMetricGroup().addGroup(MetricNames.GROUP);
        group.gauge(MetricNames.LIVE_PRECISION, () -> latest.precision());
        group.gauge(MetricNames.LIVE_RECALL, () -> latest.recall());
        group.gauge(MetricNames.LIVE_PR_AUC, () -> latest.prAuc());
        group.gauge(MetricNames.LIVE_LABELLED, () -> latest.labelled());
    }

    @Override
    public void processElement(ScoredLabel value, Context ctx, Collector<EvaluationRecord> out)
            throws Exception {
        long now = ctx.timerService().currentProcessingTime();
        value.joinedAtMs = now;
        labelled.add(value);
        ctx.timerService().registerProcessingTimeTimer(now - now % slideMs + slideMs);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<EvaluationRecord> out)
            throws Exception {
        long start = timestamp - windowMs;
        List<ScoredLabel> inWindow = new ArrayList<>();
        List<ScoredLabel> kept = new ArrayList<>();
        TreeSet<String> versions = new TreeSet<>();
        for (ScoredLabel element : labelled.get()) {
            if (element.joinedAtMs >= start && element.joinedAtMs < timestamp) {
                inWindow.add(element);
                versions.add(element.modelVersion);
            }
            // Still in the window that ends one slide later (or joined after this one).
            if (element.joinedAtMs >= start + slideMs) {
                kept.add(element);
            }
        }
        labelled.update(kept);
        if (!kept.isEmpty()) {
            ctx.timerService().registerProcessingTimeTimer(timestamp + slideMs);
        }
        if (inWindow.isEmpty()) {
            return;
        }
        Evaluation evaluation = Evaluation.of(inWindow);
        latest = evaluation;
        EvaluationRecord record = new EvaluationRecord();
        record.windowStartMs = start;
        record.windowEndMs = timestamp;
        record.labelled = evaluation.labelled();
        record.positives = evaluation.positives();
        record.precision = evaluation.precision();
        record.recall = evaluation.recall();
        record.prAuc = evaluation.prAuc();
        record.modelVersions = String.join(",", versions);
        out.collect(record);
    }
}
