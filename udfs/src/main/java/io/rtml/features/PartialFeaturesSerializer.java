package io.rtml.features;

import io.rtml.event.Channel;
import io.rtml.event.TransactionEvent;
import java.io.IOException;
import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * Writes an event on its way through the feature stages field by field, where Flink's POJO
 * serializer reaches each field by reflection: it crosses the network from the source's task to the
 * keyed stages for every event, and waits in the merchant stage's state while the watermark lags:
 * part of the savepoint format of that waiting state. A change of the layout needs a new snapshot
 * class that reads the old one.
 */
public final class PartialFeaturesSerializer extends TypeSerializerSingleton<PartialFeatures> {
    private static final long serialVersionUID = 1L;

    public static final PartialFeaturesSerializer INSTANCE = new PartialFeaturesSerializer();

    private static final Channel[] CHANNELS = Channel.values();

    private PartialFeaturesSerializer() {}

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public PartialFeatures createInstance() {
        return new PartialFeatures(new TransactionEvent(), null);
    }

    @Override
    public PartialFeatures copy(PartialFeatures from) {
        TransactionEvent event = null;
        if (from.event != null) {
            TransactionEvent source = from.event;
            event = new TransactionEvent();
            event.eventId = source.eventId;
            event.cardId = source.cardId;
            event.merchantId = source.merchantId;
            event.merchantCategory = source.merchantCategory;
            event.amount = source.amount;
            event.currency = source.currency;
            event.country = source.country;
            event.channel = source.channel;
            event.eventTimeMs = source.eventTimeMs;
            event.deviceId = source.deviceId;
            event.ingestTimeMs = source.ingestTimeMs;
        }
        PartialFeatures copy =
                new PartialFeatures(event, from.values == null ? null : from.values.clone());
        copy.modelName = from.modelName;
        copy.modelVersion = from.modelVersion;
        copy.shadowVersion = from.shadowVersion;
        return copy;
    }

    @Override
    public PartialFeatures copy(PartialFeatures from, PartialFeatures reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(PartialFeatures record, DataOutputView target) throws IOException {
        TransactionEvent event = record.event;
        target.writeBoolean(event != null);
        if (event != null) {
            StringValue.writeString(event.eventId, target);
            StringValue.writeString(event.cardId, target);
            StringValue.writeString(event.merchantId, target);
            StringValue.writeString(event.merchantCategory, target);
            target.writeDouble(event.amount);
            StringValue.writeString(event.currency, target);
            StringValue.writeString(event.country, target);
            target.writeByte(event.channel == null ? -1 : event.channel.ordinal());
            target.writeLong(event.eventTimeMs);
            StringValue.writeString(event.deviceId, target);
            target.writeLong(event.ingestTimeMs);
        }
        float[] values = record.values;
        target.writeInt(values == null ? -1 : values.length);
        if (values != null) {
            for (float value : values) {
                target.writeFloat(value);
            }
        }
        StringValue.writeString(record.modelName, target);
        StringValue.writeString(record.modelVersion, target);
        StringValue.writeString(record.shadowVersion, target);
    }

    @Override
    public PartialFeatures deserialize(DataInputView source) throws IOException {
        TransactionEvent event = null;
        if (source.readBoolean()) {
            event = new TransactionEvent();
            event.eventId = StringValue.readString(source);
            event.cardId = StringValue.readString(source);
            event.merchantId = StringValue.readString(source);
            event.merchantCategory = StringValue.readString(source);
            event.amount = source.readDouble();
            event.currency = StringValue.readString(source);
            event.country = StringValue.readString(source);
            int channel = source.readByte();
            event.channel = channel < 0 ? null : CHANNELS[channel];
            event.eventTimeMs = source.readLong();
            event.deviceId = StringValue.readString(source);
            event.ingestTimeMs = source.readLong();
        }
        int length = source.readInt();
        float[] values = null;
        if (length >= 0) {
            values = new float[length];
            for (int i = 0; i < length; i++) {
                values[i] = source.readFloat();
            }
        }
        PartialFeatures record = new PartialFeatures(event, values);
        record.modelName = StringValue.readString(source);
        record.modelVersion = StringValue.readString(source);
        record.shadowVersion = StringValue.readString(source);
        return record;
    }

    @Override
    public PartialFeatures deserialize(PartialFeatures reuse, DataInputView source)
            throws IOException {
        return deserialize(source);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        serialize(deserialize(source), target);
    }

    @Override
    public TypeSerializerSnapshot<PartialFeatures> snapshotConfiguration() {
        return new Snapshot();
    }

    /** What a savepoint records of the serializer. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<PartialFeatures> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }

    /** Where Flink finds this serializer for {@link PartialFeatures}. */
    public static final class TypeInfo extends TypeInformation<PartialFeatures> {
        private static final long serialVersionUID = 1L;

        @Override
        public boolean isBasicType() {
            return false;
        }

        @Override
        public boolean isTupleType() {
            return false;
        }

        @Override
        public int getArity() {
            return 1;
        }

        @Override
        public int getTotalFields() {
            return 1;
        }

        @Override
        public Class<PartialFeatures> getTypeClass() {
            return PartialFeatures.class;
        }

        @Override
        public boolean isKeyType() {
            return false;
        }

        @Override
        public TypeSerializer<PartialFeatures> createSerializer(SerializerConfig config) {
            return INSTANCE;
        }

        @Override
        public String toString() {
            return "PartialFeatures";
        }

        @Override
        public boolean equals(Object obj) {
            return obj instanceof TypeInfo;
        }

        @Override
        public int hashCode() {
            return TypeInfo.class.hashCode();
        }

        @Override
        public boolean canEqual(Object obj) {
            return obj instanceof TypeInfo;
        }
    }

    /** Named by {@link PartialFeatures}'s {@code @TypeInfo} annotation. */
    public static final class Factory extends TypeInfoFactory<PartialFeatures> {
        @Override
        public TypeInformation<PartialFeatures> createTypeInfo(
                Type t, Map<String, TypeInformation<?>> genericParameters) {
            return new TypeInfo();
        }
    }
}
