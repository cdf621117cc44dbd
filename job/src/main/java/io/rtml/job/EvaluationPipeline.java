package io.rtml.job;

import io.rtml.evaluation.EvaluationRecord;
import io.rtml.evaluation.Label;
import io.rtml.evaluation.LabelJoin;
import io.rtml.evaluation.ScoredLabel;
import io.rtml.evaluation.SlidingEvaluation;
import io.rtml.job.config.RtmlConfig;
import io.rtml.job.config.RtmlOptions;
import java.time.Duration;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The live evaluation, a job of its own beside the scoring job (docs/architecture.md): the
 * committed predictions joined with their labels (arriving later) by event id, and precision,
 * recall and PR-AUC over a sliding window, as metrics and records. Wiring only; sources and sink
 * are handed in, as for {@link Pipeline}.
 */
public final class EvaluationPipeline {
    private final RtmlConfig config;
    private final Source<ScoredLabel, ?, ?> predictions;
    private final Source<Label, ?, ?> labels;
    private final Sink<EvaluationRecord> evaluation;

    private EvaluationPipeline(Builder builder) {
        this.config = builder.config;
        this.predictions = builder.predictions;
        this.labels = builder.labels;
        this.evaluation = builder.evaluation;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Adds the evaluation to {@code env}. */
    public void attachTo(StreamExecutionEnvironment env) {
        // Neither input has an event time the evaluation uses (its windows are processing time):
        // idle, never holding watermarks back.
        DataStream<ScoredLabel> scored =
                env.fromSource(
                                predictions,
                                WatermarkStrategy.<ScoredLabel>noWatermarks()
                                        .withIdleness(Duration.ofMillis(200)),
                                Uids.EVALUATION_PREDICTIONS_SOURCE_NAME)
                        .uid(Uids.EVALUATION_PREDICTIONS_SOURCE);
        DataStream<Label> labelled =
                env.fromSource(
                                labels,
                                WatermarkStrategy.<Label>noWatermarks()
                                        .withIdleness(Duration.ofMillis(200)),
                                Uids.LABELS_SOURCE_NAME)
                        .uid(Uids.LABELS_SOURCE);
        DataStream<ScoredLabel> joined =
                scored.keyBy(EvaluationPipeline::eventId, Types.STRING)
                        .connect(
                                labelled.keyBy(
                                        label -> label.eventId == null ? "" : label.eventId,
                                        Types.STRING))
                        .process(new LabelJoin(config.get(RtmlOptions.EVALUATION_JOIN_TTL)))
                        .uid(Uids.LABEL_JOIN)
                        .name(Uids.LABEL_JOIN_NAME);
        // One key: the windows cover every prediction, whichever subtask joined it.
        joined.keyBy(scoredLabel -> 0, Types.INT)
                .process(
                        new SlidingEvaluation(
                                config.get(RtmlOptions.EVALUATION_WINDOW),
                                config.get(RtmlOptions.EVALUATION_SLIDE)))
                .setParallelism(1)
                .uid(Uids.EVALUATION)
                .name(Uids.EVALUATION_NAME)
                .sinkTo(evaluation)
                .setParallelism(1)
                .uid(Uids.EVALUATION_SINK)
                .name(Uids.EVALUATION_SINK_NAME);
    }

    private static String eventId(ScoredLabel scored) {
        return scored.eventId == null ? "" : scored.eventId;
    }

    public static final class Builder {
        private RtmlConfig config;
        private Source<ScoredLabel, ?, ?> predictions;
        private Source<Label, ?, ?> labels;
        private Sink<EvaluationRecord> evaluation;

        private Builder() {}

        public Builder config(RtmlConfig config) {
            this.config = config;
            return this;
        }

        /** The committed predictions, as scores waiting for their labels. */
        public Builder predictions(Source<ScoredLabel, ?, ?> predictions) {
            this.predictions = predictions;
            return this;
        }

        /** The events' ground truth. */
        public Builder labels(Source<Label, ?, ?> labels) {
            this.labels = labels;
            return this;
        }

        /** Where the windowed figures go. */
        public Builder evaluation(Sink<EvaluationRecord> evaluation) {
            this.evaluation = evaluation;
            return this;
        }

        public EvaluationPipeline build() {
            StringBuilder missing = new StringBuilder();
            if (config == null) {
                missing.append(" config");
            }
            if (predictions == null) {
                missing.append(" predictions");
            }
            if (labels == null) {
                missing.append(" labels");
            }
            if (evaluation == null) {
                missing.append(" evaluation");
            }
            if (missing.length() > 0) {
                throw new IllegalStateException("Evaluation pipeline needs" + missing);
            }
            return new EvaluationPipeline(this);
        }
    }
}
