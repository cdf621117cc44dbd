package io.rtml.job;

import io.rtml.dlq.DeadLetter;
import io.rtml.event.DecodedRecord;
import io.rtml.event.RouteDecodedRecords;
import io.rtml.event.TransactionEvent;
import io.rtml.features.EntityFeatureFunction;
import io.rtml.features.EntityKey;
import io.rtml.features.EventFeatureFunction;
import io.rtml.features.FeatureVector;
import io.rtml.features.PartialFeatures;
import io.rtml.features.VectorFunction;
import io.rtml.features.spec.EntitySpec;
import io.rtml.features.spec.FeatureSpec;
import io.rtml.inference.BatchingInferenceFunction;
import io.rtml.inference.Prediction;
import io.rtml.job.config.RtmlConfig;
import io.rtml.job.config.RtmlOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The dataflow of docs/architecture.md, wiring only: source, parse, features (the event's own, then
 * one keyed stage per entity of the spec), batched inference, and the sinks. Sources and sinks are
 * handed in, so tests run this exact pipeline on their own inputs and outputs; {@link #features} is
 * also what the backfill runs.
 */
public final class Pipeline {
    private final RtmlConfig config;
    private final Source<DecodedRecord, ?, ?> events;
    private final Sink<Prediction> predictions;
    private final Sink<Prediction> latestPredictions;
    private final Sink<DeadLetter> deadLetters;
    private final Sink<FeatureVector> featureLog;

    private Pipeline(Builder builder) {
        this.config = builder.config;
        this.events = builder.events;
        this.predictions = builder.predictions;
        this.latestPredictions = builder.latestPredictions;
        this.deadLetters = builder.deadLetters;
        this.featureLog = builder.featureLog;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Adds the pipeline to {@code env}. */
    public void attachTo(StreamExecutionEnvironment env) {
        DataStream<DecodedRecord> decoded =
                env.fromSource(events, watermarks(config), Uids.SOURCE_NAME).uid(Uids.SOURCE);

        SingleOutputStreamOperator<TransactionEvent> parsed =
                decoded.process(new RouteDecodedRecords()).uid(Uids.PARSE).name(Uids.PARSE_NAME);

        DataStream<FeatureVector> features = features(parsed, config);

        DataStream<Prediction> scored =
                AsyncDataStream.unorderedWait(
                                features,
                                new BatchingInferenceFunction(config.inference()),
                                config.get(RtmlOptions.INFERENCE_TIMEOUT).toMillis(),
                                TimeUnit.MILLISECONDS,
                                config.get(RtmlOptions.INFERENCE_CAPACITY))
                        .uid(Uids.INFERENCE)
                        .name(Uids.INFERENCE_NAME);

        scored.sinkTo(predictions).uid(Uids.PREDICTIONS_SINK).name(Uids.PREDICTIONS_SINK_NAME);
        scored.sinkTo(latestPredictions).uid(Uids.REDIS_SINK).name(Uids.REDIS_SINK_NAME);
        parsed.getSideOutput(RouteDecodedRecords.DEAD_LETTERS)
                .sinkTo(deadLetters)
                .uid(Uids.DEAD_LETTER_SINK)
                .name(Uids.DEAD_LETTER_SINK_NAME);
        if (featureLog != null) {
            features.sinkTo(featureLog).uid(Uids.FEATURE_LOG_SINK).name(Uids.FEATURE_LOG_SINK_NAME);
        }
    }

    /**
     * The feature stages: the event's own features, then each entity's windowed aggregates in a
     * stage keyed by that entity, then the finished vector. The streaming job and the backfill both
     * run exactly this.
     */
    public static DataStream<FeatureVector> features(
            DataStream<TransactionEvent> events, RtmlConfig config) {
        return featureStages(events, config.spec(), config.get(RtmlOptions.FEATURE_MAX_WAIT))
                .map(
                        new VectorFunction(
                                config.spec(), config.model().name(), config.model().version()))
                .uid(Uids.VECTORS)
                .name(Uids.VECTORS_NAME);
    }

    /** The feature stages up to the finished values, with each event: what the backfill keeps. */
    public static DataStream<PartialFeatures> featureStages(
            DataStream<TransactionEvent> events, FeatureSpec spec, Duration maxWait) {
        DataStream<PartialFeatures> partial =
                events.map(new EventFeatureFunction(spec))
                        .uid(Uids.EVENT_FEATURES)
                        .name(Uids.EVENT_FEATURES_NAME);
        // Ordered entities first: they need each key's events in partition order, which the
        // stages of other entities (scoring when the watermark allows) do not keep.
        List<EntitySpec> entities = new ArrayList<>(spec.entities());
        entities.sort(Comparator.comparing(entity -> !entity.ordered()));
        for (EntitySpec entity : entities) {
            partial =
                    partial.keyBy(new EntityKey(entity), Types.STRING)
                            .process(new EntityFeatureFunction(spec, entity.name(), maxWait))
                            .uid(Uids.entityFeatures(entity.name()))
                            .name(Uids.entityFeaturesName(entity.name()));
        }
        return partial;
    }

    /** Per-partition event-time watermarks from each event's own time. */
    public static WatermarkStrategy<DecodedRecord> watermarks(RtmlConfig config) {
        return WatermarkStrategy.<DecodedRecord>forBoundedOutOfOrderness(
                        config.get(RtmlOptions.WATERMARK_OUT_OF_ORDERNESS))
                .withTimestampAssigner((record, kafkaTimestamp) -> record.timestampMs())
                .withIdleness(config.get(RtmlOptions.WATERMARK_IDLENESS));
    }

    public static final class Builder {
        private RtmlConfig config;
        private Source<DecodedRecord, ?, ?> events;
        private Sink<Prediction> predictions;
        private Sink<Prediction> latestPredictions;
        private Sink<DeadLetter> deadLetters;
        private Sink<FeatureVector> featureLog;

        private Builder() {}

        public Builder config(RtmlConfig config) {
            this.config = config;
            return this;
        }

        /** Where events come from. */
        public Builder events(Source<DecodedRecord, ?, ?> events) {
            this.events = events;
            return this;
        }

        /** Where every prediction goes, exactly once. */
        public Builder predictions(Sink<Prediction> predictions) {
            this.predictions = predictions;
            return this;
        }

        /** Where each card's latest prediction goes, newest-wins. */
        public Builder latestPredictions(Sink<Prediction> latestPredictions) {
            this.latestPredictions = latestPredictions;
            return this;
        }

        /** Where records that are not valid events go, with the reason. */
        public Builder deadLetters(Sink<DeadLetter> deadLetters) {
            this.deadLetters = deadLetters;
            return this;
        }

        /** Optional: where every served feature vector goes. */
        public Builder featureLog(Sink<FeatureVector> featureLog) {
            this.featureLog = featureLog;
            return this;
        }

        public Pipeline build() {
            StringBuilder missing = new StringBuilder();
            if (config == null) {
                missing.append(" config");
            }
            if (events == null) {
                missing.append(" events");
            }
            if (predictions == null) {
                missing.append(" predictions");
            }
            if (latestPredictions == null) {
                missing.append(" latestPredictions");
            }
            if (deadLetters == null) {
                missing.append(" deadLetters");
            }
            if (missing.length() > 0) {
                throw new IllegalStateException("Pipeline needs" + missing);
            }
            return new Pipeline(this);
        }
    }
}
