package io.rtml.features;

import io.rtml.event.TransactionEvent;
import io.rtml.features.spec.EventFeature;
import io.rtml.features.spec.FeatureSpec;
import java.util.List;

/** The features of the event itself, as a spec defines them. Pure and deterministic. */
public final class EventFeatures {
    private static final long DAY_MS = 86_400_000L;
    private static final long WEEK_MS = 7 * DAY_MS;

    /** 1970-01-01 was a Thursday: shift by three days so that angle 0 is Monday 00:00 UTC. */
    private static final long MONDAY_OFFSET_MS = 3 * DAY_MS;

    private final List<EventFeature> features;
    private final int[] offsets;
    private final int columns;

    public EventFeatures(FeatureSpec spec) {
        this.features = spec.eventFeatures();
        this.offsets = new int[features.size()];
        for (int i = 0; i < features.size(); i++) {
            offsets[i] = spec.offset(features.get(i));
        }
        this.columns = spec.columns().size();
    }

    /** A new vector of the spec's width with the event's own features filled in. */
    public float[] compute(TransactionEvent event) {
        float[] values = new float[columns];
        for (int i = 0; i < features.size(); i++) {
            EventFeature feature = features.get(i);
            int at = offsets[i];
            switch (feature.kind()) {
                case NUMERIC ->
                        values[at] =
                                (float) feature.transform().apply(feature.field().number(event));
                case ONE_HOT -> {
                    String value = feature.field().text(event);
                    int index = value == null ? -1 : feature.oneHotValues().indexOf(value);
                    if (index >= 0) {
                        values[at + index] = 1f;
                    }
                }
                case HASHED -> {
                    String value = feature.field().text(event);
                    if (value != null) {
                        values[at + Math.floorMod(StableHash.of(value), feature.hashBuckets())] =
                                1f;
                    }
                }
                case HOUR_OF_DAY ->
                        cyclic(values, at, Math.floorMod(event.eventTimeMs, DAY_MS), DAY_MS);
                case DAY_OF_WEEK ->
                        cyclic(
                                values,
                                at,
                                Math.floorMod(event.eventTimeMs + MONDAY_OFFSET_MS, WEEK_MS),
                                WEEK_MS);
            }
        }
        return values;
    }

    private static void cyclic(float[] values, int at, long position, long period) {
        double angle = 2 * Math.PI * position / period;
        values[at] = (float) Math.sin(angle);
        values[at + 1] = (float) Math.cos(angle);
    }
}
