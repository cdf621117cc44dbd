package io.rtml.inference;

import io.rtml.features.PartialFeatures;
import io.rtml.metrics.MetricNames;
import java.time.Duration;
import org.apache.flink.api.common.operators.ProcessingTimeService.ProcessingTimeCallback;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * The last feature stage: completed feature vectors, with the model that is to score each, cut into
 * {@link ScoringBatch}es of up to {@code maxRows} rows, or fewer once the first row has waited
 * {@code maxDelay} (processing time). Under load batches fill; a trickle waits at most the delay.
 *
 * <p>It keeps no state: the open batch is emitted before each checkpoint barrier ({@link
 * #prepareSnapshotPreBarrier}) and when the input ends, so no row is held across a checkpoint. It
 * copies what it needs from each record (object reuse: it keeps no record it was given). Watermarks
 * pass it; nothing downstream of it uses event time.
 */
public final class VectorBatcher extends AbstractStreamOperator<ScoringBatch>
        implements OneInputStreamOperator<PartialFeatures, ScoringBatch>,
                BoundedOneInput,
                ProcessingTimeCallback {
    private static final long serialVersionUID = 1L;

    private final String featureSet;
    private final int columns;
    private final int maxRows;
    private final long maxDelayMs;

    private transient ScoringBatch open;
    private transient long openedAtMs;
    private transient Histogram ingestToFeatures;
    private transient StreamRecord<ScoringBatch> reuse;

    public VectorBatcher(String featureSet, int columns, int maxRows, Duration maxDelay) {
        if (maxRows < 1) {
            throw new IllegalArgumentException("a batch holds at least one row, not " + maxRows);
        }
        this.featureSet = featureSet;
        this.columns = columns;
        this.maxRows = maxRows;
        this.maxDelayMs = maxDelay.toMillis();
    }

    @Override
    public void open() throws Exception {
        super.open();
        reuse = new StreamRecord<>(null);
        ingestToFeatures =
                getMetricGroup()
                        .addGroup(MetricNames.GROUP)
                        .histogram(
                                MetricNames.LATENCY_INGEST_TO_FEATURES_MS,
                                new DescriptiveStatisticsHistogram(10_000));
    }

    @Override
    public void processElement(StreamRecord<PartialFeatures> record) {
        PartialFeatures partial = record.getValue();
        long now = getProcessingTimeService().getCurrentProcessingTime();
        ingestToFeatures.update(now - partial.event.ingestTimeMs);
        if (open == null) {
            open = ScoringBatch.withCapacity(featureSet, columns, maxRows);
            openedAtMs = now;
            if (maxRows > 1) {
                getProcessingTimeService().registerTimer(now + maxDelayMs, this);
            }
        }
        int row = open.rows++;
        System.arraycopy(partial.values, 0, open.values, row * columns, columns);
        open.eventIds[row] = partial.event.eventId;
        open.cardIds[row] = partial.event.cardId;
        open.eventTimeMs[row] = partial.event.eventTimeMs;
        open.ingestTimeMs[row] = partial.event.ingestTimeMs;
        open.modelNames[row] = partial.modelName;
        open.modelVersions[row] = partial.modelVersion;
        open.shadowVersions[row] = partial.shadowVersion;
        if (open.isFull()) {
            emit();
        }
    }

    /** The open batch's delay is up (a timer of a batch already emitted finds a newer one). */
    @Override
    public void onProcessingTime(long time) {
        if (open != null && openedAtMs + maxDelayMs <= time) {
            emit();
        }
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        emit();
    }

    @Override
    public void endInput() {
        emit();
    }

    private void emit() {
        if (open == null) {
            return;
        }
        ScoringBatch batch = open.trimmed();
        open = null;
        output.collect(reuse.replace(batch));
    }
}
