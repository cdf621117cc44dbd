package io.rtml.features.spec;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * A versioned feature spec: the entities the job keeps state for and the features it computes, in
 * the order of the feature vector's columns. Loaded and checked by {@link FeatureSpecLoader}; its
 * format is documented in docs/features.md.
 */
public record FeatureSpec(
        String name, int version, List<EntitySpec> entities, List<Feature> features)
        implements Serializable {

    public FeatureSpec {
        entities = List.copyOf(entities);
        features = List.copyOf(features);
    }

    /** What vectors and models refer to it by: {@code <name>-v<version>}. */
    public String id() {
        return name + "-v" + version;
    }

    /** The feature vector's column names, in order. */
    public List<String> columns() {
        List<String> columns = new ArrayList<>();
        for (Feature feature : features) {
            columns.addAll(feature.columns());
        }
        return columns;
    }

    /** The index of the first column of {@code feature} in the vector. */
    public int offset(Feature feature) {
        int offset = 0;
        for (Feature each : features) {
            if (each.equals(feature)) {
                return offset;
            }
            offset += each.columns().size();
        }
        throw new IllegalArgumentException(feature.name() + " is not in " + id());
    }

    public EntitySpec entity(String entityName) {
        return entities.stream()
                .filter(e -> e.name().equals(entityName))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no entity " + entityName));
    }

    /** The aggregates of one entity, in spec order. */
    public List<AggregateFeature> aggregatesOf(String entityName) {
        List<AggregateFeature> aggregates = new ArrayList<>();
        for (Feature feature : features) {
            if (feature instanceof AggregateFeature aggregate
                    && aggregate.entity().equals(entityName)) {
                aggregates.add(aggregate);
            }
        }
        return aggregates;
    }

    public List<EventFeature> eventFeatures() {
        List<EventFeature> eventFeatures = new ArrayList<>();
        for (Feature feature : features) {
            if (feature instanceof EventFeature eventFeature) {
                eventFeatures.add(eventFeature);
            }
        }
        return eventFeatures;
    }
}
