package io.rtml.inference;

import java.util.Arrays;

/**
 * Feature vectors cut into one batch ahead of the inference stage ({@link VectorBatcher}), so that
 * Flink's async operator, its timeout timers and its mailbox handle one element per batch instead
 * of one per row. Per row: the event's identity and times, the values (row-major in one array, as
 * the model takes them) and the model that is to score it, decided upstream. A Flink POJO; a batch
 * is not changed once it has been emitted.
 */
public class ScoringBatch {
    public String featureSet;
    public int columns;
    public int rows;

    /** {@code rows × columns} values, row after row, in the feature set's order. */
    public float[] values;

    public String[] eventIds;
    public String[] cardIds;
    public long[] eventTimeMs;

    /** When each event reached Kafka. */
    public long[] ingestTimeMs;

    public String[] modelNames;
    public String[] modelVersions;

    /** A challenger version to score each row with alongside, or {@code null}. */
    public String[] shadowVersions;

    public ScoringBatch() {}

    /** An empty batch with room for {@code capacity} rows. */
    public static ScoringBatch withCapacity(String featureSet, int columns, int capacity) {
        ScoringBatch batch = new ScoringBatch();
        batch.featureSet = featureSet;
        batch.columns = columns;
        batch.values = new float[capacity * columns];
        batch.eventIds = new String[capacity];
        batch.cardIds = new String[capacity];
        batch.eventTimeMs = new long[capacity];
        batch.ingestTimeMs = new long[capacity];
        batch.modelNames = new String[capacity];
        batch.modelVersions = new String[capacity];
        batch.shadowVersions = new String[capacity];
        return batch;
    }

    public boolean isFull() {
        return rows == eventIds.length;
    }

    /** The same rows in arrays of their own length: what is emitted when a batch is cut early. */
    public ScoringBatch trimmed() {
        if (isFull()) {
            return this;
        }
        ScoringBatch batch = new ScoringBatch();
        batch.featureSet = featureSet;
        batch.columns = columns;
        batch.rows = rows;
        batch.values = Arrays.copyOf(values, rows * columns);
        batch.eventIds = Arrays.copyOf(eventIds, rows);
        batch.cardIds = Arrays.copyOf(cardIds, rows);
        batch.eventTimeMs = Arrays.copyOf(eventTimeMs, rows);
        batch.ingestTimeMs = Arrays.copyOf(ingestTimeMs, rows);
        batch.modelNames = Arrays.copyOf(modelNames, rows);
        batch.modelVersions = Arrays.copyOf(modelVersions, rows);
        batch.shadowVersions = Arrays.copyOf(shadowVersions, rows);
        return batch;
    }

    /** Row {@code row}'s values, as a copy. */
    public float[] row(int row) {
        return Arrays.copyOfRange(values, row * columns, (row + 1) * columns);
    }

    @Override
    public String toString() {
        return "ScoringBatch{" + rows + " rows of " + featureSet + "}";
    }
}
