package io.rtml.job;

import io.rtml.dlq.DeadLetter;
import io.rtml.event.DecodedRecord;
import io.rtml.event.EventTimeWatermarks;
import io.rtml.event.RouteDecodedRecords;
import io.rtml.event.TransactionEvent;
import io.rtml.features.EntityFeatureFunction;
import io.rtml.features.EntityFeatureOperator;
import io.rtml.features.EntityKey;
import io.rtml.features.EventFeatureFunction;
import io.rtml.features.FeatureVector;
import io.rtml.features.PartialFeatures;
import io.rtml.features.VectorFunction;
import io.rtml.features.spec.EntitySpec;
import io.rtml.features.spec.EventField;
import io.rtml.features.spec.FeatureSpec;
import io.rtml.inference.BatchingInferenceFunction;
import io.rtml.inference.InferenceSettings;
import io.rtml.inference.ModelControl;
import io.rtml.inference.ModelRouter;
import io.rtml.inference.Prediction;
import io.rtml.inference.ScoringBatch;
import io.rtml.inference.VectorBatcher;
import io.rtml.job.config.RtmlConfig;
import io.rtml.job.config.RtmlOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.BroadcastStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamUtils;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The scoring job's dataflow of docs/architecture.md, wiring only: source, parse, features (the
 * event's own, then one keyed stage per entity of the spec), batched inference, and the sinks. The
 * live evaluation is a job of its own ({@link EvaluationPipeline}). Sources and sinks are handed
 * in, so tests run this exact pipeline on their own inputs and outputs; {@link #features} is also
 * what the backfill runs.
 */
public final class Pipeline {
    private final RtmlConfig config;
    private final Source<DecodedRecord, ?, ?> events;
    private final Sink<Prediction> predictions;
    private final Sink<Prediction> latestPredictions;
    private final Sink<DeadLetter> deadLetters;
    private final Sink<FeatureVector> featureLog;
    private final Source<ModelControl, ?, ?> modelControl;
    private final Sink<Prediction> shadowPredictions;

    private Pipeline(Builder builder) {
        this.config = builder.config;
        this.events = builder.events;
        this.predictions = builder.predictions;
        this.latestPredictions = builder.latestPredictions;
        this.deadLetters = builder.deadLetters;
        this.featureLog = builder.featureLog;
        this.modelControl = builder.modelControl;
        this.shadowPredictions = builder.shadowPredictions;
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

        BroadcastStream<ModelControl> control =
                env.fromSource(
                                modelControl,
                                // No event time of its own: idle, so it never holds watermarks.
                                WatermarkStrategy.<ModelControl>noWatermarks()
                                        .withIdleness(Duration.ofMillis(200)),
                                Uids.MODEL_CONTROL_SOURCE_NAME)
                        .uid(Uids.MODEL_CONTROL_SOURCE)
                        .setParallelism(1)
                        .broadcast(ModelRouter.ACTIVE_MODEL);

        DataStream<PartialFeatures> features = features(parsed, control, config);

        DataStream<Prediction> scored =
                inference(
                        features,
                        config.inference(),
                        config.get(RtmlOptions.INFERENCE_TIMEOUT).toMillis());

        scored.sinkTo(predictions).uid(Uids.PREDICTIONS_SINK).name(Uids.PREDICTIONS_SINK_NAME);
        scored.sinkTo(latestPredictions).uid(Uids.REDIS_SINK).name(Uids.REDIS_SINK_NAME);
        scored.filter(prediction -> prediction.shadowVersion != null)
                .uid(Uids.SHADOW_FILTER)
                .name(Uids.SHADOW_FILTER_NAME)
                .sinkTo(shadowPredictions)
                .uid(Uids.SHADOW_SINK)
                .name(Uids.SHADOW_SINK_NAME);
        parsed.getSideOutput(RouteDecodedRecords.DEAD_LETTERS)
                .sinkTo(deadLetters)
                .uid(Uids.DEAD_LETTER_SINK)
                .name(Uids.DEAD_LETTER_SINK_NAME);
        if (featureLog != null) {
            features.map(new VectorFunction(config.spec()))
                    .uid(Uids.FEATURE_LOG_VECTORS)
                    .name(Uids.FEATURE_LOG_VECTORS_NAME)
                    .sinkTo(featureLog)
                    .uid(Uids.FEATURE_LOG_SINK)
                    .name(Uids.FEATURE_LOG_SINK_NAME);
        }
    }

    /**
     * The features: the event's own features, the model choice (keyed by card, from the
     * model-control broadcast), each entity's windowed aggregates in a stage keyed by that entity
     * (see {@link #featureStages}, which the backfill runs too).
     */
    public static DataStream<PartialFeatures> features(
            DataStream<TransactionEvent> events,
            BroadcastStream<ModelControl> control,
            RtmlConfig config) {
        FeatureSpec spec = config.spec();
        DataStream<PartialFeatures> withEventFeatures = eventFeatures(events, spec);
        DataStream<PartialFeatures> routed =
                keyed(withEventFeatures, partial -> partial.event.cardId, Types.STRING, false)
                        .connect(control)
                        .process(
                                new ModelRouter(
                                        config.modelChoice(),
                                        config.inference().modelRepository(),
                                        spec,
                                        config.get(RtmlOptions.INFERENCE_DEVICE)))
                        .uid(Uids.MODEL_ROUTER)
                        .name(Uids.MODEL_ROUTER_NAME);
        return entityStages(routed, spec, StateSettings.of(config), true);
    }

    /**
     * The inference stage: the finished vectors cut into batches ({@link VectorBatcher}), then
     * Flink's async operator scoring one batch per element ({@link BatchingInferenceFunction}).
     */
    public static DataStream<Prediction> inference(
            DataStream<PartialFeatures> features, InferenceSettings settings, long timeoutMs) {
        DataStream<ScoringBatch> batches =
                features.transform(
                                Uids.VECTORS_NAME,
                                TypeInformation.of(ScoringBatch.class),
                                new VectorBatcher(
                                        settings.featureSet(),
                                        settings.features().size(),
                                        settings.maxBatchSize(),
                                        settings.maxBatchDelay()))
                        .uid(Uids.VECTORS);
        return AsyncDataStream.unorderedWait(
                        batches,
                        new BatchingInferenceFunction(settings),
                        timeoutMs,
                        TimeUnit.MILLISECONDS,
                        settings.batchesInFlight())
                .uid(Uids.INFERENCE)
                .name(Uids.INFERENCE_NAME);
    }

    /** The feature stages up to the finished values, with each event: what the backfill keeps. */
    public static DataStream<PartialFeatures> featureStages(
            DataStream<TransactionEvent> events, FeatureSpec spec, StateSettings state) {
        return entityStages(eventFeatures(events, spec), spec, state, false);
    }

    private static DataStream<PartialFeatures> eventFeatures(
            DataStream<TransactionEvent> events, FeatureSpec spec) {
        return events.map(new EventFeatureFunction(spec))
                .uid(Uids.EVENT_FEATURES)
                .name(Uids.EVENT_FEATURES_NAME);
    }

    /**
     * One keyed stage per entity, ordered entities first: they need each key's events in partition
     * order, which the stages of other entities (scoring when the watermark allows) do not keep.
     * When the input is already partitioned by card (after the model choice), a stage keyed by card
     * takes it as it is instead of shuffling it again; with one subtask, every stage does (see
     * {@link #keyed}).
     */
    private static DataStream<PartialFeatures> entityStages(
            DataStream<PartialFeatures> partial,
            FeatureSpec spec,
            StateSettings state,
            boolean partitionedByCard) {
        List<EntitySpec> entities = new ArrayList<>(spec.entities());
        entities.sort(Comparator.comparing(entity -> !entity.ordered()));
        for (EntitySpec entity : entities) {
            KeyedStream<PartialFeatures, String> byEntity =
                    keyed(
                            partial,
                            new EntityKey(entity),
                            Types.STRING,
                            partitionedByCard && entity.key() == EventField.CARD_ID);
            partitionedByCard = false;
            partial =
                    byEntity.transform(
                                    Uids.entityFeaturesName(entity.name()),
                                    TypeInformation.of(PartialFeatures.class),
                                    new EntityFeatureOperator(
                                            new EntityFeatureFunction(
                                                    spec,
                                                    entity.name(),
                                                    state.maxWait(),
                                                    state.ttl(),
                                                    state.cacheEntries())))
                            .uid(Uids.entityFeatures(entity.name()));
        }
        return partial;
    }

    /**
     * How the feature stages keep their state.
     *
     * @param maxWait how long waiting events wait for a watermark that stands still
     * @param ttl how long an entity's state lives without a write
     * @param cacheEntries entities kept decoded per stage and subtask
     */
    public record StateSettings(Duration maxWait, Duration ttl, int cacheEntries) {
        public static StateSettings of(RtmlConfig config) {
            return new StateSettings(
                    config.get(RtmlOptions.FEATURE_MAX_WAIT),
                    config.get(RtmlOptions.FEATURE_STATE_TTL),
                    config.get(RtmlOptions.FEATURE_STATE_CACHE_ENTRIES));
        }
    }

    /**
     * The stream keyed by {@code key}: shuffled to the key's subtask, or taken as it is when it is
     * already partitioned so, or when it runs in one subtask, which holds every key group. Then the
     * keyed operator chains to its input instead of receiving it over the network, serialized
     * (docs/decisions.md, "One subtask, one chain"). That shape is decided when the job is built: a
     * job built for one subtask that is later run with more fails at its first key of another
     * subtask's key group; rescale it by resuming it from a savepoint with another {@code
     * job.parallelism}.
     */
    static <T, K> KeyedStream<T, K> keyed(
            DataStream<T> stream,
            KeySelector<T, K> key,
            TypeInformation<K> keyType,
            boolean partitionedByKey) {
        return partitionedByKey || stream.getParallelism() == 1
                ? DataStreamUtils.reinterpretAsKeyedStream(stream, key, keyType)
                : stream.keyBy(key, keyType);
    }

    /**
     * Per-partition event-time watermarks from each valid event's own time; dead letters neither
     * move them nor keep a partition from going idle.
     */
    public static WatermarkStrategy<DecodedRecord> watermarks(RtmlConfig config) {
        return new EventTimeWatermarks(
                config.get(RtmlOptions.WATERMARK_OUT_OF_ORDERNESS),
                config.get(RtmlOptions.WATERMARK_IDLENESS));
    }

    public static final class Builder {
        private RtmlConfig config;
        private Source<DecodedRecord, ?, ?> events;
        private Sink<Prediction> predictions;
        private Sink<Prediction> latestPredictions;
        private Sink<DeadLetter> deadLetters;
        private Sink<FeatureVector> featureLog;
        private Source<ModelControl, ?, ?> modelControl;
        private Sink<Prediction> shadowPredictions;

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

        /**
         * The model-control topic: which model version is active. Without it the configured version
         * serves for the life of the job.
         */
        public Builder modelControl(Source<ModelControl, ?, ?> modelControl) {
            this.modelControl = modelControl;
            return this;
        }

        /** Where the challenger's predictions go, when a shadow version is active. */
        public Builder shadowPredictions(Sink<Prediction> shadowPredictions) {
            this.shadowPredictions = shadowPredictions;
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

            if (modelControl == null) {
                missing.append(" modelControl");
            }
            if (shadowPredictions == null) {
                missing.append(" shadowPredictions");
            }
            if (missing.length() > 0) {
                throw new IllegalStateException("Pipeline needs" + missing);
            }
            return new Pipeline(this);
        }
    }
}
