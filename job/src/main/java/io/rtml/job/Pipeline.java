package io.rtml.job;

import io.rtml.dlq.DeadLetter;
import io.rtml.event.DecodedRecord;
import io.rtml.event.RouteDecodedRecords;
import io.rtml.event.TransactionEvent;
import io.rtml.features.CardFeatureFunction;
import io.rtml.features.FeatureVector;
import io.rtml.inference.BatchingInferenceFunction;
import io.rtml.inference.Prediction;
import io.rtml.job.config.RtmlConfig;
import io.rtml.job.config.RtmlOptions;
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
 * The dataflow of ARCHITECTURE.md, wiring only: source, parse, features keyed by card, batched
 * inference, and the three sinks. Sources and sinks are handed in, so tests run this exact pipeline
 * on their own inputs and outputs.
 */
public final class Pipeline {
    private final RtmlConfig config;
    private final Source<DecodedRecord, ?, ?> events;
    private final Sink<Prediction> predictions;
    private final Sink<Prediction> latestPredictions;
    private final Sink<DeadLetter> deadLetters;

    private Pipeline(Builder builder) {
        this.config = builder.config;
        this.events = builder.events;
        this.predictions = builder.predictions;
        this.latestPredictions = builder.latestPredictions;
        this.deadLetters = builder.deadLetters;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Adds the pipeline to {@code env}. */
    public void attachTo(StreamExecutionEnvironment env) {
        DataStream<DecodedRecord> decoded =
                env.fromSource(events, watermarks(), Uids.SOURCE_NAME).uid(Uids.SOURCE);

        SingleOutputStreamOperator<TransactionEvent> parsed =
                decoded.process(new RouteDecodedRecords()).uid(Uids.PARSE).name(Uids.PARSE_NAME);

        DataStream<FeatureVector> features =
                parsed.keyBy(event -> event.cardId, Types.STRING)
                        .process(
                                new CardFeatureFunction(
                                        config.model().name(), config.model().version()))
                        .uid(Uids.FEATURES)
                        .name(Uids.FEATURES_NAME);

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
    }

    /** Per-partition event-time watermarks from each event's own time. */
    private WatermarkStrategy<DecodedRecord> watermarks() {
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
