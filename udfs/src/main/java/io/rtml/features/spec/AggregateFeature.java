package io.rtml.features.spec;

import java.time.Duration;
import java.util.List;

/**
 * A feature computed from an entity's past events within a sliding event-time window (one column,
 * {@code name}). Empty windows give 0.
 *
 * @param entity the entity's name
 * @param aggregate what is computed
 * @param field the event field it is computed over: numeric for sum, mean, min, max, stddev and
 *     zscore; categorical for distinct and first-seen; none for count and time-since-previous
 * @param window the window's length, a multiple of the entity's bucket; for time-since-previous,
 *     the cap (the value when there is no previous event within it)
 * @param transform applied to the result
 */
public record AggregateFeature(
        String name,
        String entity,
        Aggregate aggregate,
        EventField field,
        Duration window,
        Transform transform)
        implements Feature {

    public enum Aggregate {
        /** Events in the window. */
        COUNT(Field.NONE),
        SUM(Field.NUMERIC),
        MEAN(Field.NUMERIC),
        MIN(Field.NUMERIC),
        MAX(Field.NUMERIC),
        /** Population standard deviation; 0 below two events. */
        STDDEV(Field.NUMERIC),
        /** The event's value relative to the window: (value - mean) / stddev, clipped to ±10. */
        ZSCORE(Field.NUMERIC),
        /** Distinct values of the field in the window (absent values do not count). */
        DISTINCT(Field.CATEGORICAL),
        /** 1 when the event's value is absent from the window, else 0 (and 0 without a value). */
        FIRST_SEEN(Field.CATEGORICAL),
        /**
         * Seconds since the entity's previous event, capped at the window. Ordered entities only.
         */
        TIME_SINCE_PREVIOUS(Field.NONE);

        /** The kind of field the aggregate needs. */
        public enum Field {
            NONE,
            NUMERIC,
            CATEGORICAL
        }

        private final Field field;

        Aggregate(Field field) {
            this.field = field;
        }

        public Field field() {
            return field;
        }
    }

    @Override
    public List<String> columns() {
        return List.of(name);
    }

    public long windowMs() {
        return window.toMillis();
    }
}
