package io.rtml.inference;

import ai.djl.inference.Predictor;
import io.rtml.metrics.MetricNames;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
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
 * The inference stage: scores {@link ScoringBatch}es, cut upstream by {@link VectorBatcher}, on
 * dedicated threads, each row with the model version that {@link ModelRouter} decided for it.
 *
 * <p>{@link #asyncInvoke} hands the batch to an inference thread; Flink's async operator bounds the
 * batches in flight, so a slow model backpressures the stream instead of growing memory. The thread
 * scores the batch with one predict call per model version in it (each thread has its own {@link
 * Predictor} per version) and completes the batch's future with one prediction per row; a row with
 * a shadow version is also scored by the challenger, whose result rides along in the prediction. A
 * version is loaded (and run once) the first time a row needs it and stays loaded, so rolling back
 * is instant. Rows the model cannot score (an error, a version that cannot be loaded here, or the
 * operator's timeout) get the fallback score and the fallback decision
 * (inference.fallback-decision, {@code flag} unless set), with the reason; the job never fails
 * because of one.
 */
public class BatchingInferenceFunction extends RichAsyncFunction<ScoringBatch, Prediction> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(BatchingInferenceFunction.class);

    /** Fallback reasons, as they appear in predictions and in the fallbacks metric. */
    public static final String TIMEOUT = "timeout";

    public static final String MODEL_ERROR = "model_error";
    public static final String MODEL_UNAVAILABLE = "model_unavailable";

    /** Rows per subtask in each window of the feature-drift PSI. */
    public static final int DRIFT_WINDOW_ROWS = 10_000;

    private final InferenceSettings settings;

    private transient Map<String, TorchScriptModel> models;
    private transient BlockingQueue<PendingBatch> queue;
    private transient List<Thread> workers;
    private transient volatile boolean running;
    private transient Counter rows;
    private transient Histogram batchSizes;
    private transient Histogram batchMicros;
    private transient Histogram queueMicros;
    private transient Counter agreements;
    private transient Counter disagreements;
    private transient Map<String, Counter> fallbacks;
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
        // Every reason's counter from the start, so the fallback rate reads 0, not "no data".
        fallbacks = new HashMap<>();
        for (String reason : List.of(TIMEOUT, MODEL_ERROR, MODEL_UNAVAILABLE)) {
            fallbacks.put(
                    reason,
                    group.addGroup(MetricNames.REASON_LABEL, reason)
                            .counter(MetricNames.FALLBACKS, new ThreadSafeSimpleCounter()));
        }
        failedBatches = new AtomicLong();

        // Bounded by the async operator's capacity: it never has more batches in flight.
        queue = new LinkedBlockingQueue<>();
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
    public void asyncInvoke(ScoringBatch batch, ResultFuture<Prediction> future) {
        queue.add(new PendingBatch(batch, future, System.nanoTime()));
    }

    @Override
    public void timeout(ScoringBatch batch, ResultFuture<Prediction> future) {
        List<Prediction> predictions = new ArrayList<>(batch.rows);
        for (int row = 0; row < batch.rows; row++) {
            predictions.add(fallback(batch, row, TIMEOUT));
        }
        future.complete(predictions);
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

    /**
     * A row the model did not score: the fallback score and, whatever that score is against the
     * model's threshold, the fallback decision, with the reason.
     */
    private Prediction fallback(ScoringBatch batch, int row, String reason) {
        fallbacks.get(reason).inc();
        Prediction prediction = prediction(batch, row, settings.fallbackScore(), Double.NaN);
        prediction.decision = settings.fallbackDecision();
        prediction.fallbackReason = reason;
        return prediction;
    }

    private static Prediction prediction(
            ScoringBatch batch, int row, float score, double threshold) {
        Prediction prediction = new Prediction();
        prediction.eventId = batch.eventIds[row];
        prediction.cardId = batch.cardIds[row];
        prediction.eventTimeMs = batch.eventTimeMs[row];
        prediction.ingestTimeMs = batch.ingestTimeMs[row];
        prediction.scoredTimeMs = System.currentTimeMillis();
        prediction.score = score;
        prediction.decision = score >= threshold ? Prediction.FLAG : Prediction.PASS;
        prediction.modelName = batch.modelNames[row];
        prediction.modelVersion = batch.modelVersions[row];
        prediction.featureSet = batch.featureSet;
        prediction.features = batch.row(row);
        return prediction;
    }

    private record PendingBatch(
            ScoringBatch batch, ResultFuture<Prediction> future, long queuedNanos) {}

    /** One inference thread: takes a batch, scores it, completes it. */
    private final class Worker implements Runnable {
        /** This thread's predictors, one per model version: predictors are not thread-safe. */
        private final Map<String, Predictor<FeatureBatch, float[]>> predictors = new HashMap<>();

        @Override
        public void run() {
            try {
                while (running) {
                    PendingBatch pending = queue.take();
                    pending.future().complete(score(pending));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                predictors.values().forEach(Predictor::close);
            }
        }

        private List<Prediction> score(PendingBatch pending) {
            long start = System.nanoTime();
            ScoringBatch batch = pending.batch();
            queueMicros.update((start - pending.queuedNanos()) / 1000);
            Prediction[] predictions = new Prediction[batch.rows];
            for (Map.Entry<String, int[]> version : rowsBy(batch, batch.modelVersions).entrySet()) {
                int[] rowsOfVersion = version.getValue();
                int first = rowsOfVersion[0];
                Scored scored =
                        predict(batch, batch.modelNames[first], version.getKey(), rowsOfVersion);
                for (int i = 0; i < rowsOfVersion.length; i++) {
                    int row = rowsOfVersion[i];
                    if (scored.failure != null) {
                        predictions[row] = fallback(batch, row, scored.failure);
                    } else {
                        predictions[row] =
                                prediction(
                                        batch,
                                        row,
                                        scored.scores[i],
                                        scored.model.artifact().threshold());
                        scoreBuckets[scoreBucket(scored.scores[i])].inc();
                    }
                }
                if (scored.failure == null) {
                    synchronized (drift) {
                        for (int row : rowsOfVersion) {
                            drift.observe(
                                    scored.model.artifact().driftReference(),
                                    batch.values,
                                    row * batch.columns);
                        }
                    }
                }
            }
            for (Map.Entry<String, int[]> shadow : rowsBy(batch, batch.shadowVersions).entrySet()) {
                int[] rowsOfShadow = shadow.getValue();
                String name = batch.modelNames[rowsOfShadow[0]];
                Scored scored = predict(batch, name, shadow.getKey(), rowsOfShadow);
                if (scored.failure != null) {
                    continue;
                }
                for (int i = 0; i < rowsOfShadow.length; i++) {
                    Prediction prediction = predictions[rowsOfShadow[i]];
                    prediction.shadowVersion = shadow.getKey();
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
            batchSizes.update(batch.rows);
            batchMicros.update((System.nanoTime() - start) / 1000);
            rows.inc(batch.rows);
            return Arrays.asList(predictions);
        }

        /** Scores rows of the batch with one model version, or says why it could not. */
        private Scored predict(ScoringBatch batch, String name, String version, int[] rowsToScore) {
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
            int columns = batch.columns;
            int size = rowsToScore.length;
            try {
                float[] values;
                if (size == batch.rows) {
                    values = batch.values;
                } else {
                    values = new float[size * columns];
                    for (int i = 0; i < size; i++) {
                        System.arraycopy(
                                batch.values,
                                rowsToScore[i] * columns,
                                values,
                                i * columns,
                                columns);
                    }
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

    /**
     * The batch's rows grouped by {@code versions[row]} (rows without one left out), each group's
     * rows in batch order.
     */
    private static Map<String, int[]> rowsBy(ScoringBatch batch, String[] versions) {
        String only = versions.length > 0 ? versions[0] : null;
        boolean uniform = only != null;
        for (int row = 1; row < batch.rows && uniform; row++) {
            uniform = only.equals(versions[row]);
        }
        if (uniform) {
            int[] all = new int[batch.rows];
            for (int row = 0; row < all.length; row++) {
                all[row] = row;
            }
            return Map.of(only, all);
        }
        Map<String, List<Integer>> grouped = new LinkedHashMap<>();
        for (int row = 0; row < batch.rows; row++) {
            if (versions[row] != null) {
                grouped.computeIfAbsent(versions[row], v -> new ArrayList<>()).add(row);
            }
        }
        Map<String, int[]> rowsByVersion = new LinkedHashMap<>();
        grouped.forEach(
                (version, rowsOfVersion) ->
                        rowsByVersion.put(
                                version,
                                rowsOfVersion.stream().mapToInt(Integer::intValue).toArray()));
        return rowsByVersion;
    }

    /** The tenth of [0, 1] a score falls in; 1.0 counts in the top one. */
    static int scoreBucket(float score) {
        return Math.max(0, Math.min(9, (int) (score * 10)));
    }

    /** The result of one predict call: scores, or the fallback reason. */
    private record Scored(TorchScriptModel model, float[] scores, String failure) {}
}
