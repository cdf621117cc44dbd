package io.rtml.job.bench;

import ai.djl.inference.Predictor;
import io.rtml.event.TransactionEvent;
import io.rtml.features.PartialFeatures;
import io.rtml.inference.FeatureBatch;
import io.rtml.inference.InferenceSettings;
import io.rtml.inference.Prediction;
import io.rtml.inference.TorchScriptModel;
import io.rtml.job.Pipeline;
import io.rtml.job.config.ConfigOptions;
import io.rtml.job.config.RtmlConfig;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.util.TimeUtils;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code rtml bench-inference}: the inference stage alone (docs/benchmarks.md). First the model
 * through one DJL predictor, batch by batch; then the job's batching stage in Flink.
 */
@Command(
        name = "bench-inference",
        mixinStandardHelpOptions = true,
        description = {
            "Measures inference alone with the configured model: rows/s and time per batch of one",
            "DJL predictor for each batch size, then the job's batching stage (queue, threads,",
            "batches cut by size or delay) in Flink with parallelism 1."
        })
public final class BenchInferenceCommand implements Callable<Integer> {
    @Mixin ConfigOptions config;

    @Option(
            names = "--batch-sizes",
            split = ",",
            description = "Batch sizes (default: ${DEFAULT-VALUE}).")
    List<Integer> batchSizes = List.of(1, 4, 16, 64, 256, 1024);

    @Option(
            names = "--rows",
            description = "Rows scored per batch size (default: ${DEFAULT-VALUE}).")
    int rows = 200_000;

    @Option(
            names = "--stage-batches",
            split = ",",
            description = "Batch sizes for the stage in Flink (default: ${DEFAULT-VALUE}).")
    List<Integer> stageBatches = List.of(1, 16, 256);

    @Option(
            names = "--stage-delays",
            split = ",",
            description = "Batch delays for the stage, e.g. 0ms,5ms (default: ${DEFAULT-VALUE}).")
    List<String> stageDelays = List.of("0 ms", "5 ms");

    @Option(
            names = "--stage-rows",
            description = "Rows through the stage per setting (default: ${DEFAULT-VALUE}).")
    long stageRows = 300_000;

    @Override
    public Integer call() throws Exception {
        RtmlConfig options = config.load();
        int columns = options.spec().columns().size();
        report(
                "bench-inference: model %s/%s, %d inputs, DJL threads %s, interop %s, graph optimizer %s%n",
                options.model().name(),
                options.model().version(),
                columns,
                System.getProperty("ai.djl.pytorch.num_threads", "1"),
                System.getProperty("ai.djl.pytorch.num_interop_threads", "1"),
                System.getProperty("ai.djl.pytorch.graph_optimizer", "false"));
        try (TorchScriptModel model =
                        TorchScriptModel.load(options.model(), options.inference().device());
                Predictor<FeatureBatch, float[]> predictor = model.newPredictor()) {
            report("%-10s %12s %14s %14s%n", "batch", "rows/s", "p50 µs/batch", "p99 µs/batch");
            SplittableRandom random = new SplittableRandom(7);
            for (int size : batchSizes) {
                float[] values = new float[size * columns];
                for (int i = 0; i < values.length; i++) {
                    values[i] = (float) random.nextGaussian();
                }
                FeatureBatch batch = new FeatureBatch(values, size, columns);
                for (int i = 0; i < 50; i++) {
                    predictor.predict(batch);
                }
                int batches = Math.max(20, rows / size);
                long[] micros = new long[batches];
                long started = System.nanoTime();
                for (int i = 0; i < batches; i++) {
                    long t = System.nanoTime();
                    predictor.predict(batch);
                    micros[i] = (System.nanoTime() - t) / 1000;
                }
                double seconds = (System.nanoTime() - started) / 1e9;
                Arrays.sort(micros);
                report(
                        "%-10d %,12.0f %,14d %,14d%n",
                        size,
                        (double) batches * size / seconds,
                        micros[batches / 2],
                        micros[Math.min(batches - 1, (int) (batches * 0.99))]);
            }
        }
        report("%nthe stage in Flink (parallelism 1, %d rows each):%n", stageRows);
        report("%-10s %-8s %12s%n", "batch", "delay", "rows/s");
        for (int size : stageBatches) {
            for (String delay : stageDelays) {
                report("%-10d %-8s %,12.0f%n", size, delay, stage(options, columns, size, delay));
            }
        }
        return 0;
    }

    private double stage(RtmlConfig options, int columns, int batchSize, String delay)
            throws Exception {
        InferenceSettings base = options.inference();
        InferenceSettings settings =
                new InferenceSettings(
                        base.modelRepository(),
                        base.modelName(),
                        base.modelVersion(),
                        null,
                        base.device(),
                        base.featureSet(),
                        base.features(),
                        batchSize,
                        TimeUtils.parseDuration(delay),
                        base.threads(),
                        Math.max(base.capacity(), batchSize * 4),
                        base.fallbackScore(),
                        base.fallbackDecision());
        Configuration flink = new Configuration();
        flink.set(PipelineOptions.AUTO_GENERATE_UIDS, false);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flink);
        env.setParallelism(1);
        String name = base.modelName();
        String version = base.modelVersion();
        GeneratorFunction<Long, PartialFeatures> vectors =
                index -> {
                    SplittableRandom random = new SplittableRandom(index);
                    TransactionEvent event = new TransactionEvent();
                    event.eventId = "b-" + index;
                    event.cardId = "c-" + (index % 1000);
                    PartialFeatures vector = new PartialFeatures(event, new float[columns]);
                    for (int i = 0; i < columns; i++) {
                        vector.values[i] = (float) random.nextGaussian();
                    }
                    vector.modelName = name;
                    vector.modelVersion = version;
                    return vector;
                };
        Pipeline.inference(
                        env.fromSource(
                                        new DataGeneratorSource<>(
                                                vectors,
                                                stageRows,
                                                TypeInformation.of(PartialFeatures.class)),
                                        WatermarkStrategy.noWatermarks(),
                                        "vectors")
                                .uid("bench-vectors"),
                        settings,
                        Duration.ofMinutes(1).toMillis())
                .sinkTo(new DiscardingSink<Prediction>())
                .uid("bench-sink");
        long started = System.nanoTime();
        env.execute("rtml bench-inference");
        return stageRows / ((System.nanoTime() - started) / 1e9);
    }

    private static void report(String format, Object... args) {
        System.out.printf(format, args);
        System.out.flush();
    }
}
