package io.rtml.features;

import org.apache.flink.streaming.api.operators.KeyedProcessOperator;

/**
 * Runs an {@link EntityFeatureFunction} and writes its cached entities back to the keyed state
 * before each checkpoint barrier, so that the checkpoint holds every entity as of the barrier; it
 * also lets the function switch the state's current key to write back an entity it evicts.
 */
public final class EntityFeatureOperator
        extends KeyedProcessOperator<String, PartialFeatures, PartialFeatures> {
    private static final long serialVersionUID = 1L;

    private final EntityFeatureFunction function;

    public EntityFeatureOperator(EntityFeatureFunction function) {
        super(function);
        this.function = function;
    }

    @Override
    public void open() throws Exception {
        function.useKeySwitch(this::setCurrentKey);
        super.open();
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        function.flush();
    }
}
