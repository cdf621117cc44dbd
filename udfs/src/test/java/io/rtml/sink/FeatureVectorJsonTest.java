package io.rtml.sink;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rtml.features.FeatureVector;
import io.rtml.testing.Schemas;
import io.rtml.testing.ShippedSpec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FeatureVectorJsonTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> COLUMNS = ShippedSpec.load().columns();

    @Test
    void writesTheDocumentedLayout() throws Exception {
        JsonNode json = JSON.readTree(FeatureVectorJson.write(vector(), COLUMNS));

        List<String> names = new ArrayList<>();
        json.fieldNames().forEachRemaining(names::add);
        assertThat(names)
                .containsExactly(
                        "schema_version",
                        "event_id",
                        "card_id",
                        "event_time_ms",
                        "feature_set",
                        "model",
                        "model_version",
                        "features");
        assertThat(json.get("schema_version").asInt()).isEqualTo(1);
        List<String> features = new ArrayList<>();
        json.get("features").fieldNames().forEachRemaining(features::add);
        assertThat(features).isEqualTo(COLUMNS);
    }

    @Test
    void writesRecordsTheFeatureLogSchemaAccepts() {
        assertThat(Schemas.errors("feature-log", FeatureVectorJson.write(vector(), COLUMNS)))
                .isEmpty();
    }

    @Test
    void readsBackTheVectorItWroteBitForBit() {
        FeatureVector written = vector();

        FeatureVector read =
                FeatureVectorJson.read(
                        FeatureVectorJson.write(written, COLUMNS).getBytes(StandardCharsets.UTF_8));

        assertThat(read.eventId).isEqualTo(written.eventId);
        assertThat(read.cardId).isEqualTo(written.cardId);
        assertThat(read.eventTimeMs).isEqualTo(written.eventTimeMs);
        assertThat(read.featureSet).isEqualTo(written.featureSet);
        assertThat(read.modelName).isEqualTo(written.modelName);
        assertThat(read.modelVersion).isEqualTo(written.modelVersion);
        assertThat(read.values).containsExactly(written.values);
    }

    @Test
    void readsARecordWrittenBeforeTheSchemaVersion() {
        FeatureVector read =
                FeatureVectorJson.read(
                        ("{\"event_id\":\"e-1\",\"card_id\":\"c-1\",\"event_time_ms\":5,"
                                        + "\"feature_set\":\"fraud-v3\",\"model\":\"fraud\","
                                        + "\"model_version\":\"4\",\"features\":{\"a\":1.5,\"b\":-2.0}}")
                                .getBytes(StandardCharsets.UTF_8));

        assertThat(read.eventId).isEqualTo("e-1");
        assertThat(read.eventTimeMs).isEqualTo(5L);
        assertThat(read.values).containsExactly(1.5f, -2f);
    }

    private static FeatureVector vector() {
        FeatureVector vector = new FeatureVector();
        vector.eventId = "e-1-000000042";
        vector.cardId = "c-0043988";
        vector.eventTimeMs = 1_767_225_600_159L;
        vector.featureSet = ShippedSpec.ID;
        vector.modelName = "fraud";
        vector.modelVersion = "4";
        vector.values = new float[COLUMNS.size()];
        for (int i = 0; i < vector.values.length; i++) {
            vector.values[i] = i % 3 == 0 ? 1f : i * 0.37f - 2.5f;
        }
        return vector;
    }
}
