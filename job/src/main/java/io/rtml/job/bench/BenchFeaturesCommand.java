package io.rtml.job.bench;

import io.rtml.event.TransactionEvent;
import io.rtml.features.EntityFeatures;
import io.rtml.features.EntityState;
import io.rtml.features.EntityStateCodec;
import io.rtml.features.EventFeatures;
import io.rtml.features.PartialFeatures;
import io.rtml.features.spec.EntitySpec;
import io.rtml.features.spec.FeatureSpec;
import io.rtml.job.Pipeline;
import io.rtml.job.config.ConfigOptions;
import io.rtml.job.config.RtmlConfig;
import io.rtml.job.config.RtmlOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code rtml bench-features}: the cost of the feature stage alone, the engine by itself and the
 * real Flink stages on RocksDB, and the state it keeps per entity (docs/benchmarks.md).
 */
@Command(
        name = "bench-features",
        mixinStandardHelpOptions = true,
        description = {
            "Measures the feature stage alone over synthetic events: the engine in one thread",
            "(decode, compute, encode per event, as the operator does), then the job's feature",
            "stages in Flink with parallelism 1 on RocksDB; and the state bytes per entity."
        })
public final class BenchFeaturesCommand implements Callable<Integer> {
    @Mixin ConfigOptions config;

    @Option(names = "--entities", description = "Cards (default: ${DEFAULT-VALUE}).")
    int entities = 100_000;

    @Option(names = "--events", description = "Events (default: ${DEFAULT-VALUE}).")
    long events = 2_000_000;

    @Option(
            names = "--per-entity-per-day",
            description = "Events per card per simulated day (default: ${DEFAULT-VALUE}).")
    double perEntityPerDay = 5;

    @Option(names = "--skip-flink", description = "Measure the engine only.")
    boolean skipFlink;

    private static final long START_MS = 1_767_225_600_000L;

    @Override
    public Integer call() throws Exception {
        RtmlConfig options = config.withoutModel();
        FeatureSpec spec = options.spec();
        SyntheticEvents synthetic = new SyntheticEvents(entities, perEntityPerDay, START_MS);
        report(
                "bench-features: spec %s, %,d cards, %,d events, %.1f per card per day%n",
                spec.id(), entities, events, perEntityPerDay);

        EventFeatures eventFeatures = new EventFeatures(spec);
        List<EntityFeatures> stages = new ArrayList<>();
        List<Map<String, byte[]>> states = new ArrayList<>();
        for (EntitySpec entity : spec.entities()) {
            stages.add(new EntityFeatures(spec, entity.name()));
            states.add(new HashMap<>());
        }
        long started = System.nanoTime();
        for (long i = 0; i < events; i++) {
            TransactionEvent event = synthetic.map(i);
            float[] values = eventFeatures.compute(event);
            for (int s = 0; s < stages.size(); s++) {
                EntityFeatures stage = stages.get(s);
                String key = stage.entity().key().text(event);
                byte[] stored = states.get(s).get(key);
                EntityState state = stored == null ? stage.newState() : stage.decode(stored);
                if (stage.entity().ordered()) {
                    stage.computeAndAdd(state, event, values);
                } else {
                    // As in the job on live traffic: the watermark has passed the windows, a few
                    // seconds behind the event.
                    stage.add(state, event);
                    stage.compute(state, event, values);
                    stage.pruneAtWatermark(state, event.eventTimeMs - 5_000);
                }
                states.get(s).put(key, EntityStateCodec.encode(state));
            }
        }
        double engineSeconds = (System.nanoTime() - started) / 1e9;
        report(
                "engine: %,.0f events/s on one thread (%.1f s)%n",
                events / engineSeconds, engineSeconds);
        for (int s = 0; s < stages.size(); s++) {
            long bytes = 0;
            for (byte[] value : states.get(s).values()) {
                bytes += value.length;
            }
            report(
                    "state: %s: %,d entities, %.0f bytes per entity on average (%,.1f MB)%n",
                    stages.get(s).entity().name(),
                    states.get(s).size(),
                    (double) bytes / states.get(s).size(),
                    bytes / 1e6);
        }
        if (!skipFlink) {
            report(
                    "flink: %,.0f events/s through the feature stages (parallelism 1, RocksDB)%n",
                    flink(spec, synthetic, options.get(RtmlOptions.FEATURE_MAX_WAIT)));
        }
        return 0;
    }

    private static void report(String format, Object... args) {
        System.out.printf(format, args);
        System.out.flush();
    }

    private double flink(FeatureSpec spec, SyntheticEvents synthetic, Duration maxWait)
            throws Exception {
        Configuration flink = new Configuration();
        flink.set(PipelineOptions.AUTO_GENERATE_UIDS, false);
        flink.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flink);
        env.setParallelism(1);
        Pipeline.featureStages(
                        env.fromSource(
                                        new DataGeneratorSource<>(
                                                synthetic,
                                                events,
                                                TypeInformation.of(TransactionEvent.class)),
                                        WatermarkStrategy
                                                .<TransactionEvent>forMonotonousTimestamps()
                                                .withTimestampAssigner((e, t) -> e.eventTimeMs),
                                        "synthetic events")
                                .uid("bench-source"),
                        spec,
                        new Pipeline.StateSettings(
                                maxWait,
                                RtmlOptions.FEATURE_STATE_TTL.defaultValue(),
                                RtmlOptions.FEATURE_STATE_CACHE_ENTRIES.defaultValue()))
                .sinkTo(new DiscardingSink<PartialFeatures>())
                .uid("bench-sink");
        long started = System.nanoTime();
        env.execute("rtml bench-features");
        return events / ((System.nanoTime() - started) / 1e9);
    }
}
