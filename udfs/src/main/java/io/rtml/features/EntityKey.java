package io.rtml.features;

import io.rtml.features.spec.EntitySpec;
import io.rtml.features.spec.EventField;
import org.apache.flink.api.java.functions.KeySelector;

/**
 * Keys events by an entity's field. An event without the (optional) field gets an empty key; the
 * entity's stage passes it on without features.
 */
public class EntityKey implements KeySelector<PartialFeatures, String> {
    private static final long serialVersionUID = 1L;

    private final EventField field;

    public EntityKey(EntitySpec entity) {
        this.field = entity.key();
    }

    @Override
    public String getKey(PartialFeatures partial) {
        String key = field.text(partial.event);
        return key == null ? "" : key;
    }
}
