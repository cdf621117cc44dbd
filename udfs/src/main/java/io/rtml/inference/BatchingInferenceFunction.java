package io.rtml.inference;

import ai.djl.inference.Predictor;
import io.rtml.features.FeatureVector;
import io.rtml.metrics.MetricNames;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MeterView;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.ThreadSafeSimpleCounter;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The inference stage: scores feature vectors in micro-batches on dedicated threads, each with the
 * model version that {@link ModelRouter} decided for it upstream.
 *
 * <p>{@link #asyncInvoke} only queues the vector. Each inference thread takes a batch cut at {@code
 * maxBatchSize} rows or when its first row has waited {@code maxBatchDelay}, scores it with one
 * predict call per model version in it (each thread has its own {@link Predictor} per version), and
 * completes each row's future; a row with a shadow version is also scored by the challenger, whose
 * result rides along in the prediction. The queue is bounded, so a slow model backpressures the
 * stream instead of growing memory. A version is loaded (and run once) the first time a row needs
 * it and stays loaded, so rolling back is instant. A row the model cannot score (an error, a
 * version that cannot be loaded here, or the operator's timeout) gets the fallback score, flagged
 * with the reason; the job never fails because of one.
 */
public class BatchingInferenceFunction extends RichAsyncFunction<FeatureVector, Prediction> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(BatchingInferenceFunction.class);

    /** Fallback reasons, as they appear in predictions and in the fallbacks metric. */
    public static final String TIMEOUT = "timeout";

    public static final String MODEL_ERROR = "model_error";
    public static final String MODEL_UNAVAILABLE = "model_unavailable";

    /** Rows per subtask in each window of the feature-drift PSI. */
    public static final int DRIFT_WINDOW_ROWS = 10_000;

    /** How long an idle inference thread waits before checking whether to stop. */
    private static final Duration POLL = Duration.ofMillis(100);

    private final InferenceSettings settings;

    private transient Map<String, TorchScriptModel> models;
    private transient MicroBatchQueue<PendingRow> queue;
    private transient List<Thread> workers;
    private transient volatile boolean running;
    private transient Counter rows;
    private transient Histogram batchSizes;
    private transient Histogram batchMicros;
    private transient Histogram queueMicros;
    private transient Counter agreements;
    private transient Counter disagreements;
    private transient MetricGroup fallbackGroup;
    private transient ConcurrentHashMap<String, Counter> fallbacks;
    private transient AtomicLong failedBatches;
    private transient DriftMonitor drift;
    private transient Counter[] scoreBuckets;

    public BatchingInferenceFunction(InferenceSettings settings) {
        this.settings = settings;
    }

    @Override
    public void open(OpenContext openContext) {
        models = new ConcurrentHashMap<>();
        // The versions configured at start must load here, or the job does not start.
        model(settings.modelName(), settings.modelVersion());
        if (settings.shadowVersion() != null) {
            model(settings.modelName(), settings.shadowVersion());
        }
        LOG.info(
                "Serving model {}/{}{} with {} inference thread(s), batches of up to {} rows or"
                        + " {} ms",
                settings.modelName(),
                settings.modelVersion(),
                settings.shadowVersion() == null
                        ? ""
                        : " (shadow " + settings.shadowVersion() + ")",
                settings.threads(),
                settings.maxBatchSize(),
                settings.maxBatchDelay().toMillis());

        MetricGroup group = getRuntimeContext().getMetricGroup().addGroup(MetricNames.GROUP);
        rows = group.counter(MetricNames.INFERENCE_ROWS, new ThreadSafeSimpleCounter());
        group.meter(MetricNames.INFERENCE_ROWS_PER_SECOND, new MeterView(rows));
        batchSizes =
                group.histogram(
                        MetricNames.INFERENCE_BATCH_SIZE, new DescriptiveStatisticsHistogram(1024));
        batchMicros =
                group.histogram(
                        MetricNames.INFERENCE_BATCH_MICROS,
                        new DescriptiveStatisticsHistogram(1024));
        queueMicros =
                group.histogram(
                        MetricNames.INFERENCE_QUEUE_MICROS,
                        new DescriptiveStatisticsHistogram(1024));
        agreements = group.counter(MetricNames.SHADOW_AGREEMENTS, new ThreadSafeSimpleCounter());
        disagreements =
                group.counter(MetricNames.SHADOW_DISAGREEMENTS, new ThreadSafeSimpleCounter());
        fallbackGroup = group;
        fallbacks = new ConcurrentHashMap<>();
        failedBatches = new AtomicLong();

        queue =
                new MicroBatchQueue<>(
                        settings.queueCapacity(),
                        settings.maxBatchSize(),
                        settings.maxBatchDelay());
        group.gauge(MetricNames.INFERENCE_QUEUE_DEPTH, () -> queue.size());
        scoreBuckets = new Counter[10];
        for (int b = 0; b < scoreBuckets.length; b++) {
            scoreBuckets[b] =
                    group.addGroup(MetricNames.SCORE_BUCKET_LABEL, String.format("0.%d", b))
                            .counter(MetricNames.SCORED, new ThreadSafeSimpleCounter());
        }
        List<String> features = settings.features();
        drift = new DriftMonitor(features.size(), DRIFT_WINDOW_ROWS);
        for (int f = 0; f < features.size(); f++) {
            int feature = f;
            group.addGroup(MetricNames.FEATURE_LABEL, features.get(f))
                    .gauge(MetricNames.FEATURE_PSI, () -> drift.psi(feature));
        }
        running = true;
        workers = new ArrayList<>();
        String task = getRuntimeContext().getTaskInfo().getTaskNameWithSubtasks();
        for (int i = 0; i < settings.threads(); i++) {
            Thread worker = new Thread(new Worker(), "rtml-inference-" + i + " " + task);
            worker.setDaemon(true);
            worker.start();
            workers.add(worker);
        }
    }

    /** The loaded model of a version, loading (and checking) it the first time. */
    private TorchScriptModel model(String name, String version) {
        return models.computeIfAbsent(
                name + "/" + version,
                key -> {
                    ModelArtifact artifact =
                            ModelArtifact.load(
                                    ModelArtifact.directory(
                                            Path.of(settings.modelRepository()), name, version));
                    artifact.checkInputs(settings.featureSet(), settings.features());
                    return TorchScriptModel.load(artifact, settings.device());
                });
    }

    @Override
    public void asyncInvoke(FeatureVector vector, ResultFuture<Prediction> future)
            throws InterruptedException {
        // Drift against the training data of the model that scores the row, once it is loaded.
        TorchScriptModel model = models.get(vector.modelName + "/" + vector.modelVersion);
        if (model != null) {
            drift.observe(model.artifact().driftReference(), vector.values);
        }
        // Blocks only when every thread is busy and the queue is full: backpressure.
        queue.put(new PendingRow(vector, future, System.nanoTime()));
    }

    @Override
    public void timeout(FeatureVector vector, ResultFuture<Prediction> future) {
        future.complete(Collections.singleton(fallback(vector, TIMEOUT)));
    }

    @Override
    public void close() throws Exception {
        running = false;
        if (workers != null) {
            for (Thread worker : workers) {
                worker.interrupt();
            }
            for (Thread worker : workers) {
                worker.join(TimeUnit.SECONDS.toMillis(10));
            }
        }
        if (models != null) {
            models.values().forEach(TorchScriptModel::close);
        }
    }

    private Prediction fallback(FeatureVector vector, String reason) {
        fallbacks
                .computeIfAbsent(
                        reason,
                        r ->
                                fallbackGroup
                                        .addGroup(MetricNames.REASON_LABEL, r)
                                        .counter(
                                                MetricNames.FALLBACKS,
                                                new ThreadSafeSimpleCounter()))
                .inc();
        Prediction prediction = new Prediction();
        fill(prediction, vector, settings.fallbackScore(), thresholdOrNaN(vector));
        prediction.fallbackReason = reason;
        return prediction;
    }

    /**
     * The row's model's threshold, if that model is loaded (a fallback may be for one that isn't).
     */
    private double thresholdOrNaN(FeatureVector vector) {
        TorchScriptModel model = models.get(vector.modelName + "/" + vector.modelVersion);
        return model == null ? Double.NaN : model.artifact().threshold();
    }

    private static void fill(
            Prediction prediction, FeatureVector vector, float score, double threshold) {
        prediction.eventId = vector.eventId;
        prediction.cardId = vector.cardId;
        prediction.eventTimeMs = vector.eventTimeMs;
        prediction.ingestTimeMs = vector.ingestTimeMs;
        prediction.scoredTimeMs = System.currentTimeMillis();
        prediction.score = score;
        // Without a threshold (the model could not be loaded) a fallback is not a flag.
        prediction.decision = score >= threshold ? Prediction.FLAG : Prediction.PASS;
        prediction.modelName = vector.modelName;
        prediction.modelVersion = vector.modelVersion;
        prediction.featureSet = vector.featureSet;
        prediction.features = vector.values;
    }

    private record PendingRow(
            FeatureVector vector, ResultFuture<Prediction> future, long queuedNanos) {}

    /** One inference thread: takes a batch, scores it, completes its rows. */
    private final class Worker implements Runnable {
        /** This thread's predictors, one per model version: predictors are not thread-safe. */
        private final Map<String, Predictor<FeatureBatch, float[]>> predictors = new HashMap<>();

        @Override
        public void run() {
            try {
                while (running) {
                    List<PendingRow> batch = queue.nextBatch(POLL);
                    if (!batch.isEmpty()) {
                        score(batch);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                predictors.values().forEach(Predictor::close);
            }
        }

        private void score(List<PendingRow> batch) {
            long start = System.nanoTime();
            synchronized (queueMicros) {
                for (PendingRow row : batch) {
                    queueMicros.update((start - row.queuedNanos()) / 1000);
                }
            }
            Map<String, List<PendingRow>> byVersion = new LinkedHashMap<>();
            Map<String, List<PendingRow>> byShadow = new LinkedHashMap<>();
            for (PendingRow row : batch) {
                FeatureVector vector = row.vector();
                byVersion
                        .computeIfAbsent(
                                vector.modelName + "/" + vector.modelVersion,
                                k -> new ArrayList<>())
                        .add(row);
                if (vector.shadowVersion != null) {
                    byShadow.computeIfAbsent(
                                    vector.modelName + "/" + vector.shadowVersion,
                                    k -> new ArrayList<>())
                            .add(row);
                }
            }
            Map<PendingRow, Prediction> predictions = new HashMap<>();
            for (List<PendingRow> rowsOfVersion : byVersion.values()) {
                FeatureVector first = rowsOfVersion.get(0).vector();
                Scored scored = predict(first.modelName, first.modelVersion, rowsOfVersion);
                for (int i = 0; i < rowsOfVersion.size(); i++) {
                    PendingRow row = rowsOfVersion.get(i);
                    Prediction prediction;
                    if (scored.failure != null) {
                        prediction = fallback(row.vector(), scored.failure);
                    } else {
                        prediction = new Prediction();
                        fill(
                                prediction,
                                row.vector(),
                                scored.scores[i],
                                scored.model.artifact().threshold());
                        scoreBuckets[scoreBucket(scored.scores[i])].inc();
                    }
                    predictions.put(row, prediction);
                }
            }
            for (List<PendingRow> rowsOfShadow : byShadow.values()) {
                FeatureVector first = rowsOfShadow.get(0).vector();
                Scored scored = predict(first.modelName, first.shadowVersion, rowsOfShadow);
                if (scored.failure != null) {
                    continue;
                }
                for (int i = 0; i < rowsOfShadow.size(); i++) {
                    Prediction prediction = predictions.get(rowsOfShadow.get(i));
                    prediction.shadowVersion = first.shadowVersion;
                    prediction.shadowScore = scored.scores[i];
                    prediction.shadowDecision =
                            scored.scores[i] >= scored.model.artifact().threshold()
                                    ? Prediction.FLAG
                                    : Prediction.PASS;
                    if (prediction.fallbackReason == null) {
                        (prediction.shadowDecision.equals(prediction.decision)
                                        ? agreements
                                        : disagreements)
                                .inc();
                    }
                }
            }
            long micros = (System.nanoTime() - start) / 1000;
            synchronized (batchSizes) {
                batchSizes.update(batch.size());
                batchMicros.update(micros);
            }
            rows.inc(batch.size());
            for (PendingRow row : batch) {
                row.future().complete(Collections.singleton(predictions.get(row)));
            }
        }

        /** Scores rows with one model version, or says why it could not. */
        private Scored predict(String name, String version, List<PendingRow> rowsToScore) {
            TorchScriptModel model;
            Predictor<FeatureBatch, float[]> predictor;
            try {
                model = model(name, version);
                predictor =
                        predictors.computeIfAbsent(name + "/" + version, k -> model.newPredictor());
            } catch (RuntimeException e) {
                warn("Model " + name + "/" + version + " cannot be loaded", e);
                return new Scored(null, null, MODEL_UNAVAILABLE);
            }
            int columns = settings.features().size();
            int size = rowsToScore.size();
            try {
                float[] values = new float[size * columns];
                for (int i = 0; i < size; i++) {
                    System.arraycopy(
                            rowsToScore.get(i).vector().values, 0, values, i * columns, columns);
                }
                float[] scores = predictor.predict(new FeatureBatch(values, size, columns));
                if (scores.length != size) {
                    throw new IllegalStateException(
                            "model returned " + scores.length + " scores for " + size + " rows");
                }
                return new Scored(model, scores, null);
            } catch (Exception e) {
                warn("Inference with " + name + "/" + version + " failed", e);
                return new Scored(null, null, MODEL_ERROR);
            }
        }

        private void warn(String what, Exception e) {
            long failures = failedBatches.incrementAndGet();
            if (Long.bitCount(failures) == 1) {
                LOG.warn("{} ({} batch(es) so far); using the fallback score", what, failures, e);
            }
        }
    }

    /** The tenth of [0, 1] a score falls in; 1.0 counts in the top one. */
    static int scoreBucket(float score) {
        return Math.max(0, Math.min(9, (int) (score * 10)));
    }

    /** The result of one predict call: scores, or the fallback reason. */
    private record Scored(TorchScriptModel model, float[] scores, String failure) {}
}
