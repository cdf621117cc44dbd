package io.rtml.features.spec;

import java.util.List;
import java.util.stream.IntStream;

/**
 * A feature of the event itself. One of:
 *
 * <ul>
 *   <li>a numeric field with a transform: one column, {@code name};
 *   <li>a categorical field one-hot encoded over listed values: {@code name_<value>} columns (an
 *       unlisted or absent value gives all zeros);
 *   <li>a categorical field hashed into buckets: {@code name_0 .. name_<n-1>} (absent: zeros);
 *   <li>the event time's hour of day or day of week (UTC) on the unit circle: {@code name_sin},
 *       {@code name_cos}.
 * </ul>
 */
public record EventFeature(
        String name,
        Kind kind,
        EventField field,
        Transform transform,
        List<String> oneHotValues,
        int hashBuckets)
        implements Feature {

    public enum Kind {
        NUMERIC,
        ONE_HOT,
        HASHED,
        HOUR_OF_DAY,
        DAY_OF_WEEK
    }

    public EventFeature {
        oneHotValues = oneHotValues == null ? List.of() : List.copyOf(oneHotValues);
    }

    @Override
    public List<String> columns() {
        return switch (kind) {
            case NUMERIC -> List.of(name);
            case ONE_HOT -> oneHotValues.stream().map(v -> name + "_" + v).toList();
            case HASHED -> IntStream.range(0, hashBuckets).mapToObj(i -> name + "_" + i).toList();
            case HOUR_OF_DAY, DAY_OF_WEEK -> List.of(name + "_sin", name + "_cos");
        };
    }
}
