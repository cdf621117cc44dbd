package io.rtml.job;

import io.rtml.event.DecodedRecord;
import io.rtml.event.EventDeserializer;
import io.rtml.event.EventParser;
import io.rtml.event.InvalidEventException;
import io.rtml.event.RouteDecodedRecords;
import io.rtml.event.TransactionEvent;
import io.rtml.features.PartialFeatures;
import io.rtml.job.config.KafkaClients;
import io.rtml.job.config.RtmlConfig;
import io.rtml.job.config.RtmlOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.connector.file.src.reader.TextLineInputFormat;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.Collector;

/**
 * The feature stages of the streaming job ({@link Pipeline#featureStages}) over a bounded input: a
 * file of events (one JSON event per line, as on the topic) or the whole of a Kafka topic as it is
 * now. One subtask reads the input in order, so every entity sees its events in the order the
 * stream would; what comes out is what the job serves, by construction.
 */
public final class Backfill {
    private static final String SOURCE_UID = "backfill-source-v1";

    private Backfill() {}

    /** Where the events come from. */
    public sealed interface Input permits EventsFile, KafkaTopic {}

    /** A file of events, one JSON object per line, in the order they were produced. */
    public record EventsFile(Path path) implements Input {}

    /** Everything in the events topic of {@code config} at the time the backfill starts. */
    public record KafkaTopic() implements Input {}

    /**
     * Runs the feature stages over {@code input} and hands each event's features to {@code out};
     * returns how many events had features (invalid records are skipped, as the job sends them to
     * the dead-letter topic).
     */
    public static long run(RtmlConfig config, Input input, Consumer<PartialFeatures> out)
            throws Exception {
        Configuration flink = new Configuration();
        flink.set(PipelineOptions.AUTO_GENERATE_UIDS, false);
        flink.set(PipelineOptions.GENERIC_TYPES, false);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flink);
        env.setParallelism(1);
        DataStream<TransactionEvent> events =
                input instanceof EventsFile file
                        ? fromFile(env, config, file.path())
                        : fromTopic(env, config);
        long count = 0;
        try (CloseableIterator<PartialFeatures> results =
                Pipeline.featureStages(events, config.spec(), Pipeline.StateSettings.of(config))
                        .executeAndCollect("rtml backfill")) {
            while (results.hasNext()) {
                out.accept(results.next());
                count++;
            }
        }
        return count;
    }

    private static DataStream<TransactionEvent> fromFile(
            StreamExecutionEnvironment env, RtmlConfig config, Path path) {
        FileSource<String> lines =
                FileSource.forRecordStreamFormat(
                                new TextLineInputFormat(),
                                new org.apache.flink.core.fs.Path(path.toUri()))
                        .build();
        return env.fromSource(lines, WatermarkStrategy.noWatermarks(), "events file")
                .uid(SOURCE_UID)
                .flatMap(new ParseLines())
                .uid(Uids.PARSE)
                .name(Uids.PARSE_NAME)
                .assignTimestampsAndWatermarks(
                        WatermarkStrategy.<TransactionEvent>forBoundedOutOfOrderness(
                                        config.get(RtmlOptions.WATERMARK_OUT_OF_ORDERNESS))
                                .withTimestampAssigner((event, ignored) -> event.eventTimeMs))
                .uid("backfill-watermarks-v1");
    }

    private static DataStream<TransactionEvent> fromTopic(
            StreamExecutionEnvironment env, RtmlConfig config) {
        KafkaSource<DecodedRecord> topic =
                KafkaSource.<DecodedRecord>builder()
                        .setProperties(KafkaClients.committedConsumer(config, "rtml-backfill"))
                        .setTopics(config.get(RtmlOptions.EVENTS_TOPIC))
                        .setStartingOffsets(OffsetsInitializer.earliest())
                        .setBounded(OffsetsInitializer.latest())
                        // The job's bound on event time: the backfill keeps what it scored.
                        .setDeserializer(
                                new EventDeserializer(config.get(RtmlOptions.WATERMARK_MAX_FUTURE)))
                        .build();
        return env.fromSource(topic, Pipeline.watermarks(config), "events topic")
                .uid(SOURCE_UID)
                .process(new RouteDecodedRecords())
                .uid(Uids.PARSE)
                .name(Uids.PARSE_NAME);
    }

    /** Parses event lines; lines that are not valid events are skipped, as the job would. */
    private static final class ParseLines implements FlatMapFunction<String, TransactionEvent> {
        private static final long serialVersionUID = 1L;

        @Override
        public void flatMap(String line, Collector<TransactionEvent> out) {
            if (line.isBlank()) {
                return;
            }
            try {
                out.collect(EventParser.parse(line.getBytes(StandardCharsets.UTF_8), 0));
            } catch (InvalidEventException e) {
                // Not an event: the streaming job sends such records to the dead-letter topic.
            }
        }
    }
}
