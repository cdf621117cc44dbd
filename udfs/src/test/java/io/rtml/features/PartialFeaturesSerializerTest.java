package io.rtml.features;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtml.event.TransactionEvent;
import io.rtml.testing.TypicalRows;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/** The serializer of events on their way through the feature stages. */
class PartialFeaturesSerializerTest {
    private final TypeSerializer<PartialFeatures> serializer =
            TypeInformation.of(PartialFeatures.class).createSerializer(new SerializerConfigImpl());

    private static List<PartialFeatures> records() {
        List<PartialFeatures> records = new ArrayList<>();
        int i = 0;
        for (TransactionEvent event : TypicalRows.mixedEvents(40, 3)) {
            PartialFeatures record =
                    new PartialFeatures(event, new float[] {i, -i / 3f, Float.MIN_VALUE});
            record.modelName = "fraud";
            record.modelVersion = i % 2 == 0 ? "4" : "5";
            record.shadowVersion = i % 3 == 0 ? "6" : null;
            records.add(record);
            i++;
        }
        TransactionEvent sparse = new TransactionEvent();
        sparse.eventId = "é-☃";
        records.add(new PartialFeatures(sparse, null));
        records.add(new PartialFeatures(null, new float[0]));
        return records;
    }

    @Test
    void isWhatFlinkUsesForPartialFeatures() {
        assertThat(serializer).isSameAs(PartialFeaturesSerializer.INSTANCE);
    }

    @Test
    void readsBackEveryFieldItWrites() throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(256);
        List<PartialFeatures> records = records();
        for (PartialFeatures record : records) {
            serializer.serialize(record, out);
        }
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());

        for (PartialFeatures expected : records) {
            assertSame(serializer.deserialize(in), expected);
        }
        assertThat(in.available()).isZero();
    }

    @Test
    void copiesDeeplySoAChangeToTheCopyLeavesTheOriginal() {
        PartialFeatures original = records().get(0);

        PartialFeatures copy = serializer.copy(original);
        assertSame(copy, original);
        copy.values[0] = 99f;
        copy.event.amount = -1;

        assertThat(original.values[0]).isZero();
        assertThat(original.event.amount).isNotEqualTo(-1);
    }

    @Test
    void copiesBetweenStreamsAsItWrites() throws Exception {
        PartialFeatures record = records().get(5);
        DataOutputSerializer written = new DataOutputSerializer(256);
        serializer.serialize(record, written);
        DataOutputSerializer copied = new DataOutputSerializer(256);

        serializer.copy(new DataInputDeserializer(written.getCopyOfBuffer()), copied);

        assertThat(copied.getCopyOfBuffer()).isEqualTo(written.getCopyOfBuffer());
    }

    @Test
    void isCompatibleAsItIsWithItsOwnSnapshot() throws Exception {
        TypeSerializerSnapshot<PartialFeatures> snapshot = serializer.snapshotConfiguration();
        DataOutputSerializer out = new DataOutputSerializer(64);
        TypeSerializerSnapshot.writeVersionedSnapshot(out, snapshot);
        TypeSerializerSnapshot<PartialFeatures> restored =
                TypeSerializerSnapshot.readVersionedSnapshot(
                        new DataInputDeserializer(out.getCopyOfBuffer()),
                        getClass().getClassLoader());

        TypeSerializerSchemaCompatibility<PartialFeatures> compatibility =
                serializer.snapshotConfiguration().resolveSchemaCompatibility(restored);

        assertThat(compatibility.isCompatibleAsIs()).isTrue();
        assertThat(restored.restoreSerializer()).isSameAs(serializer);
    }

    private static void assertSame(PartialFeatures actual, PartialFeatures expected) {
        assertThat(actual.event).isEqualTo(expected.event);
        if (expected.event != null) {
            assertThat(actual.event.ingestTimeMs).isEqualTo(expected.event.ingestTimeMs);
            assertThat(actual.event.merchantCategory).isEqualTo(expected.event.merchantCategory);
        }
        assertThat(actual.values).isEqualTo(expected.values);
        assertThat(actual.modelName).isEqualTo(expected.modelName);
        assertThat(actual.modelVersion).isEqualTo(expected.modelVersion);
        assertThat(actual.shadowVersion).isEqualTo(expected.shadowVersion);
    }
}
