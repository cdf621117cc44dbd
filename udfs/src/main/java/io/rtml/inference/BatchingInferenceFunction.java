package io.rtml.inference;

import ai.djl.inference.Predictor;
import io.rtml.features.FeatureVector;
import io.rtml.metrics.MetricNames;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.ThreadSafeSimpleCounter;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The inference stage: scores feature vectors in micro-batches on dedicated threads.
 *
 * <p>{@link #asyncInvoke} only queues the vector. Each inference thread owns a {@link Predictor};
 * it takes the oldest waiting row, gathers more until the batch holds {@code maxBatchSize} rows or
 * the first row has waited {@code maxBatchDelay}, scores the batch in one call and completes each
 * row's future. The queue is bounded, so a slow model backpressures the stream instead of growing
 * memory. A row the model cannot score (an error, or the operator's timeout) gets the fallback
 * score, flagged with the reason; the job never fails because of one.
 */
public class BatchingInferenceFunction extends RichAsyncFunction<FeatureVector, Prediction> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(BatchingInferenceFunction.class);

    /** Fallback reasons, as they appear in predictions and in the fallbacks metric. */
    public static final String TIMEOUT = "timeout";

    public static final String MODEL_ERROR = "model_error";

    /** How long an idle inference thread waits before checking whether to stop. */
    private static final Duration POLL = Duration.ofMillis(100);

    private final InferenceSettings settings;

    private transient TorchScriptModel model;
    private transient MicroBatchQueue<PendingRow> queue;
    private transient List<Thread> workers;
    private transient volatile boolean running;
    private transient Counter rows;
    private transient Histogram batchSizes;
    private transient Histogram batchMicros;
    private transient MetricGroup fallbackGroup;
    private transient ConcurrentHashMap<String, Counter> fallbacks;
    private transient AtomicLong failedBatches;

    public BatchingInferenceFunction(InferenceSettings settings) {
        this.settings = settings;
    }

    @Override
    public void open(OpenContext openContext) {
        ModelArtifact artifact = ModelArtifact.load(Path.of(settings.modelDirectory()));
        artifact.checkInputs(settings.featureSet(), settings.features());
        model = TorchScriptModel.load(artifact);
        LOG.info(
                "Serving model {}/{} from {} with {} inference thread(s), batches of up to {} rows"
                        + " or {} ms",
                artifact.name(),
                artifact.version(),
                artifact.directory(),
                settings.threads(),
                settings.maxBatchSize(),
                settings.maxBatchDelay().toMillis());

        MetricGroup group = getRuntimeContext().getMetricGroup().addGroup(MetricNames.GROUP);
        rows = group.counter(MetricNames.INFERENCE_ROWS, new ThreadSafeSimpleCounter());
        batchSizes =
                group.histogram(
                        MetricNames.INFERENCE_BATCH_SIZE, new DescriptiveStatisticsHistogram(1024));
        batchMicros =
                group.histogram(
                        MetricNames.INFERENCE_BATCH_MICROS,
                        new DescriptiveStatisticsHistogram(1024));
        fallbackGroup = group;
        fallbacks = new ConcurrentHashMap<>();
        failedBatches = new AtomicLong();

        queue =
                new MicroBatchQueue<>(
                        settings.queueCapacity(),
                        settings.maxBatchSize(),
                        settings.maxBatchDelay());
        group.gauge(MetricNames.INFERENCE_QUEUE_DEPTH, () -> queue.size());
        running = true;
        workers = new ArrayList<>();
        String task = getRuntimeContext().getTaskInfo().getTaskNameWithSubtasks();
        for (int i = 0; i < settings.threads(); i++) {
            Thread worker =
                    new Thread(
                            new Worker(model.newPredictor()), "rtml-inference-" + i + " " + task);
            worker.setDaemon(true);
            worker.start();
            workers.add(worker);
        }
    }

    @Override
    public void asyncInvoke(FeatureVector vector, ResultFuture<Prediction> future)
            throws InterruptedException {
        // Blocks only when every thread is busy and the queue is full: backpressure.
        queue.put(new PendingRow(vector, future));
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
        if (model != null) {
            model.close();
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
        Prediction prediction = prediction(vector, settings.fallbackScore());
        prediction.fallbackReason = reason;
        return prediction;
    }

    private Prediction prediction(FeatureVector vector, float score) {
        Prediction prediction = new Prediction();
        prediction.eventId = vector.eventId;
        prediction.cardId = vector.cardId;
        prediction.eventTimeMs = vector.eventTimeMs;
        prediction.ingestTimeMs = vector.ingestTimeMs;
        prediction.scoredTimeMs = System.currentTimeMillis();
        prediction.score = score;
        prediction.decision =
                score >= model.artifact().threshold() ? Prediction.FLAG : Prediction.PASS;
        prediction.modelName = model.artifact().name();
        prediction.modelVersion = model.artifact().version();
        prediction.featureSet = vector.featureSet;
        prediction.features = vector.values;
        return prediction;
    }

    private record PendingRow(FeatureVector vector, ResultFuture<Prediction> future) {}

    /** One inference thread: takes a batch, scores it, completes its rows. */
    private final class Worker implements Runnable {
        private final Predictor<FeatureBatch, float[]> predictor;

        Worker(Predictor<FeatureBatch, float[]> predictor) {
            this.predictor = predictor;
        }

        @Override
        public void run() {
            try (predictor) {
                while (running) {
                    List<PendingRow> batch = queue.nextBatch(POLL);
                    if (!batch.isEmpty()) {
                        score(batch);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private void score(List<PendingRow> batch) {
            int columns = settings.features().size();
            int size = batch.size();
            long start = System.nanoTime();
            float[] scores;
            try {
                float[] values = new float[size * columns];
                for (int i = 0; i < size; i++) {
                    System.arraycopy(batch.get(i).vector().values, 0, values, i * columns, columns);
                }
                scores = predictor.predict(new FeatureBatch(values, size, columns));
                if (scores.length != size) {
                    throw new IllegalStateException(
                            "model returned " + scores.length + " scores for " + size + " rows");
                }
            } catch (Exception e) {
                long failures = failedBatches.incrementAndGet();
                if (Long.bitCount(failures) == 1) {
                    LOG.warn(
                            "Inference failed ({} batch(es) so far); using the fallback score",
                            failures,
                            e);
                }
                for (PendingRow row : batch) {
                    row.future()
                            .complete(Collections.singleton(fallback(row.vector(), MODEL_ERROR)));
                }
                return;
            }
            long micros = (System.nanoTime() - start) / 1000;
            synchronized (batchSizes) {
                batchSizes.update(size);
                batchMicros.update(micros);
            }
            rows.inc(size);
            for (int i = 0; i < size; i++) {
                PendingRow row = batch.get(i);
                row.future().complete(Collections.singleton(prediction(row.vector(), scores[i])));
            }
        }
    }
}
