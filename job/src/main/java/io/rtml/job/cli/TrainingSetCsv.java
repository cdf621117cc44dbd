package io.rtml.job.cli;

import io.rtml.event.TransactionEvent;
import io.rtml.features.spec.EntitySpec;
import io.rtml.features.spec.FeatureSpec;
import java.io.Closeable;
import java.io.IOException;
import java.util.List;
import org.apache.commons.csv.CSVPrinter;

/**
 * The training set {@code rtml backfill} writes and {@code scripts/train} reads (Python's csv
 * module, scripts/training_csv.py): {@link Csv} with the header {@code event_id,<entity
 * keys...>,event_time,<feature columns...>,label} and one record per event. event_time is epoch
 * milliseconds, each feature as {@link Float#toString} writes it (it reads back bit for bit), the
 * label 0 or 1, or empty when not known; an entity key the event lacks is empty.
 */
final class TrainingSetCsv implements Closeable {
    private final CSVPrinter csv;
    private final List<EntitySpec> entities;

    TrainingSetCsv(Appendable out, FeatureSpec spec) throws IOException {
        this.csv = Csv.FORMAT.print(out);
        this.entities = spec.entities();
        csv.print("event_id");
        for (EntitySpec entity : entities) {
            csv.print(entity.key().wireName());
        }
        csv.print("event_time");
        for (String column : spec.columns()) {
            csv.print(column);
        }
        csv.print("label");
        csv.println();
    }

    /** One event's record: its features in the spec's column order, its label if known. */
    void write(TransactionEvent event, float[] values, LabelsCsv.Truth label) throws IOException {
        csv.print(event.eventId);
        for (EntitySpec entity : entities) {
            String key = entity.key().text(event);
            csv.print(key == null ? "" : key);
        }
        csv.print(Long.toString(event.eventTimeMs));
        for (float value : values) {
            csv.print(Float.toString(value));
        }
        csv.print(label == null ? "" : Integer.toString(label.label()));
        csv.println();
    }

    @Override
    public void close() throws IOException {
        csv.close();
    }
}
