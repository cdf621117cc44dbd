package io.rtml.job;

import io.rtml.evaluation.EvaluationRecord;
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
 * recall and PR-AUC over a sliding window, as metrics and records. One source reads both topics, so
 * in one subtask the whole evaluation is one chain. Wiring only; the source and sink are handed in,
 * as for {@link Pipeline}.
 */
public final class EvaluationPipeline {
    private final RtmlConfig config;
    private final Source<ScoredLabel, ?, ?> inputs;
    private final Sink<EvaluationRecord> evaluation;

    private EvaluationPipeline(Builder builder) {
        this.config = builder.config;
        this.inputs = builder.inputs;
        this.evaluation = builder.evaluation;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Adds the evaluation to {@code env}. */
    public void attachTo(StreamExecutionEnvironment env) {
        // Neither input has an event time the evaluation uses (its windows are processing time):
        // idle, never holding watermarks back.
        DataStream<ScoredLabel> scoredAndLabels =
                env.fromSource(
                                inputs,
                                WatermarkStrategy.<ScoredLabel>noWatermarks()
                                        .withIdleness(Duration.ofMillis(200)),
                                Uids.EVALUATION_SOURCE_NAME)
                        .uid(Uids.EVALUATION_SOURCE);
        DataStream<ScoredLabel> joined =
                Pipeline.keyed(scoredAndLabels, scored -> scored.eventId, Types.STRING, false)
                        .process(new LabelJoin(config.get(RtmlOptions.EVALUATION_JOIN_TTL)))
                        .uid(Uids.LABEL_JOIN)
                        .name(Uids.LABEL_JOIN_NAME);
        // One key: the windows cover every prediction, whichever subtask joined it.
        Pipeline.keyed(joined, scored -> 0, Types.INT, false)
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

    public static final class Builder {
        private RtmlConfig config;
        private Source<ScoredLabel, ?, ?> inputs;
        private Sink<EvaluationRecord> evaluation;

        private Builder() {}

        public Builder config(RtmlConfig config) {
            this.config = config;
            return this;
        }

        /**
         * The committed predictions, as scores waiting for their labels, and the events' ground
         * truth, as labels waiting for their predictions ({@link
         * io.rtml.evaluation.EvaluationInputs}).
         */
        public Builder inputs(Source<ScoredLabel, ?, ?> inputs) {
            this.inputs = inputs;
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
            if (inputs == null) {
                missing.append(" inputs");
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
