package io.rtml.testing;

import io.rtml.event.TransactionEvent;
import io.rtml.features.EntityFeatures;
import io.rtml.features.EntityState;
import io.rtml.features.EventFeatures;
import io.rtml.features.spec.EntitySpec;
import io.rtml.features.spec.FeatureSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The feature stages of a spec in one thread, without Flink: the event's own features, then each
 * entity's aggregates from that entity's state, events taken in the order given. An ordered entity
 * computes an event's aggregates as it arrives; one that is not ordered adds the event and then
 * computes them, which is what its stage computes once the watermark has passed the event's windows
 * when the events come in time order.
 */
public final class FeatureRows {
    private final EventFeatures eventFeatures;
    private final List<EntityFeatures> entities = new ArrayList<>();
    private final List<Map<String, EntityState>> states = new ArrayList<>();

    public FeatureRows(FeatureSpec spec) {
        this.eventFeatures = new EventFeatures(spec);
        for (EntitySpec entity : spec.entities()) {
            entities.add(new EntityFeatures(spec, entity.name()));
            states.add(new HashMap<>());
        }
    }

    /** Rows of the shipped spec. */
    public static FeatureRows shipped() {
        return new FeatureRows(ShippedSpec.load());
    }

    /** The event's feature row, from the events added before it; then adds it. */
    public float[] add(TransactionEvent event) {
        float[] values = eventFeatures.compute(event);
        for (int i = 0; i < entities.size(); i++) {
            EntityFeatures entity = entities.get(i);
            if (entity.appliesTo(event)) {
                String key = entity.entity().key().text(event);
                EntityState state = states.get(i).computeIfAbsent(key, k -> entity.newState());
                if (entity.entity().ordered()) {
                    entity.computeAndAdd(state, event, values);
                } else {
                    entity.add(state, event);
                    entity.compute(state, event, values);
                }
            }
        }
        return values;
    }

    /** The rows of {@code events}, in order, each from the events before it. */
    public List<float[]> addAll(List<TransactionEvent> events) {
        List<float[]> rows = new ArrayList<>();
        for (TransactionEvent event : events) {
            rows.add(add(event));
        }
        return rows;
    }
}
