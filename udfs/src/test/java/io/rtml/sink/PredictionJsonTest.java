package io.rtml.sink;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rtml.inference.Prediction;
import io.rtml.testing.Schemas;
import io.rtml.testing.ShippedSpec;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PredictionJsonTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void writesTheDocumentedLayout() throws Exception {
        JsonNode json = JSON.readTree(PredictionJson.write(prediction(null)));

        assertThat(fieldNames(json))
                .containsExactly(
                        "schema_version",
                        "event_id",
                        "card_id",
                        "event_time_ms",
                        "ingest_time_ms",
                        "scored_time_ms",
                        "score",
                        "decision",
                        "model",
                        "model_version",
                        "feature_set",
                        "fallback");
        assertThat(json.get("schema_version").isInt()).isTrue();
        assertThat(json.get("schema_version").asInt()).isEqualTo(1);
        assertThat(json.get("event_id").asText()).isEqualTo("e-1");
        assertThat(json.get("card_id").asText()).isEqualTo("card-1");
        assertThat(json.get("event_time_ms").asLong()).isEqualTo(1_767_225_600_000L);
        assertThat(json.get("ingest_time_ms").asLong()).isEqualTo(1_767_225_600_007L);
        assertThat(json.get("scored_time_ms").asLong()).isEqualTo(1_767_225_600_019L);
        assertThat(json.get("score").asDouble()).isEqualTo(0.8125);
        assertThat(json.get("decision").asText()).isEqualTo("flag");
        assertThat(json.get("model").asText()).isEqualTo("fraud");
        assertThat(json.get("model_version").asText()).isEqualTo("2");
        assertThat(json.get("feature_set").asText()).isEqualTo("fraud-v3");
        assertThat(json.get("fallback").isNull()).isTrue();
    }

    @Test
    void writesPredictionsThePredictionSchemaAccepts() {
        for (String fallback : new String[] {null, "timeout", "model_error", "model_unavailable"}) {
            Prediction prediction = prediction(fallback);
            prediction.decision = fallback == null ? Prediction.FLAG : Prediction.PASS;
            prediction.score = fallback == null ? 1f : 0f;

            assertThat(Schemas.errors("prediction", PredictionJson.write(prediction)))
                    .as("fallback %s", fallback)
                    .isEmpty();
        }
    }

    @Test
    void thePredictionSchemaRefusesAnUndocumentedFallbackReason() {
        Prediction prediction = prediction("overloaded");

        assertThat(Schemas.errors("prediction", PredictionJson.write(prediction)))
                .containsExactly(
                        "/fallback: does not have a value in the enumeration"
                                + " [null, \"timeout\", \"model_error\", \"model_unavailable\"]");
    }

    @Test
    void leavesTheFeaturesOutOfTheRecord() throws Exception {
        JsonNode json = JSON.readTree(PredictionJson.write(prediction(null)));

        assertThat(json.has("features")).isFalse();
    }

    @Test
    void writesTheFallbackReason() throws Exception {
        JsonNode json = JSON.readTree(PredictionJson.write(prediction("timeout")));

        assertThat(json.get("fallback").asText()).isEqualTo("timeout");
    }

    @Test
    void readsBackWhatItWritesExceptTheFeatures() {
        for (String fallback : new String[] {null, "timeout", "model_error"}) {
            Prediction written = prediction(fallback);
            written.score = 0.123456789f; // not exact in decimal: the float must survive anyway

            Prediction read = PredictionJson.read(PredictionJson.write(written));

            written.features = null;
            assertThat(read).isEqualTo(written);
            assertThat(read.score).isEqualTo(0.123456789f);
        }
    }

    @Test
    void writesAPredictionOnceForTheSinksThatShareIt() {
        Prediction prediction = prediction(null);

        byte[] first = PredictionJson.writeOnce(prediction);

        assertThat(first).isEqualTo(PredictionJson.write(prediction));
        assertThat(PredictionJson.writeOnce(prediction)).isSameAs(first);
    }

    @Test
    void writesWholeNumbersAsFloatToStringDoes() {
        float[] values = {0, -0f, 1, -1, 42, 9_999_999, -9_999_999, 10_000_000, 16_777_216, 1e10f};
        for (float value : values) {
            assertThat(new String(PredictionJson.featureValues(new float[] {value})))
                    .isEqualTo("[" + Float.toString(value) + "]");
        }
    }

    @Test
    void writesTheFeatureValuesForRedisAsAnArrayInTheFeatureSetsOrder() throws Exception {
        float[] values = {1.5f, 0f, -2f, 1e-5f, 3.4e38f, 0.1f};

        byte[] written = PredictionJson.featureValues(values);

        assertThat(new String(written, StandardCharsets.UTF_8))
                .isEqualTo("[1.5,0.0,-2.0,1.0E-5,3.4E38,0.1]");
        assertThat(new String(PredictionJson.featureValues(new float[0]))).isEqualTo("[]");
    }

    @Test
    void writesThePredictionAsJacksonDoesWhateverItsStringsHold() throws Exception {
        Random random = new Random(11);
        String[] awkward = {
            "plain",
            "quote\"d",
            "back\\slash",
            "tab\there",
            "line\nbreak",
            "bell\u0007",
            "caf\u00e9",
            "\u20ac uro",
            "\ud83d\udcb3 card",
            "\u007f",
            ""
        };
        for (int i = 0; i < 200; i++) {
            Prediction prediction = prediction(i % 3 == 0 ? null : "timeout");
            prediction.eventId = awkward[random.nextInt(awkward.length)] + i;
            prediction.cardId = awkward[random.nextInt(awkward.length)];
            prediction.score = Float.intBitsToFloat(random.nextInt()) % 1f;
            if (!Float.isFinite(prediction.score)) {
                prediction.score = 0.5f;
            }
            prediction.eventTimeMs = random.nextLong();

            String written = new String(PredictionJson.write(prediction), StandardCharsets.UTF_8);
            assertThat(JSON.readTree(written)).isEqualTo(JSON.readTree(jackson(prediction)));
            if ((prediction.eventId + prediction.cardId).codePoints().allMatch(c -> c < 0x10000)) {
                assertThat(written).isEqualTo(jackson(prediction));
            } else {
                // Jackson escapes a character beyond the BMP as a surrogate pair; UTF-8 is as
                // valid.
                assertThat(written).contains("\ud83d\udcb3 card");
            }
        }
    }

    /** The record as Jackson's generator writes it, with its fast float writer. */
    private static String jackson(Prediction prediction) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator json =
                JsonFactory.builder()
                        .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
                        .build()
                        .createGenerator(out)) {
            json.writeStartObject();
            json.writeNumberField("schema_version", 1);
            json.writeStringField("event_id", prediction.eventId);
            json.writeStringField("card_id", prediction.cardId);
            json.writeNumberField("event_time_ms", prediction.eventTimeMs);
            json.writeNumberField("ingest_time_ms", prediction.ingestTimeMs);
            json.writeNumberField("scored_time_ms", prediction.scoredTimeMs);
            json.writeNumberField("score", prediction.score);
            json.writeStringField("decision", prediction.decision);
            json.writeStringField("model", prediction.modelName);
            json.writeStringField("model_version", prediction.modelVersion);
            json.writeStringField("feature_set", prediction.featureSet);
            json.writeStringField("fallback", prediction.fallbackReason);
            json.writeEndObject();
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void writesEachFeatureAsTheShortestDecimalThatReadsBackAsTheSameFloat() throws Exception {
        Random random = new Random(5);
        List<String> names = new ArrayList<>();
        float[] values = new float[10_000];
        for (int i = 0; i < values.length; i++) {
            names.add("f" + i);
            values[i] = Float.intBitsToFloat(random.nextInt());
            if (!Float.isFinite(values[i])) {
                values[i] = i;
            }
        }

        String written = PredictionJson.writeFeatures(names, values);
        String[] pairs = written.substring(1, written.length() - 1).split(",");

        assertThat(pairs).hasSize(values.length);
        for (int i = 0; i < values.length; i++) {
            assertThat(pairs[i]).startsWith("\"f" + i + "\":");
            String text = pairs[i].substring(pairs[i].indexOf(':') + 1);
            assertThat(Float.parseFloat(text)).as(text).isEqualTo(values[i]);
            // No digit can go: dropping the last one reads back as another float.
            String mantissa = text.contains("E") ? text.substring(0, text.indexOf('E')) : text;
            if (!mantissa.endsWith(".0")
                    && mantissa.replace("-", "").replace(".", "").replaceAll("^0+", "").length()
                            > 1) {
                String shorter =
                        mantissa.substring(0, mantissa.length() - 1)
                                + text.substring(mantissa.length());
                assertThat(Float.parseFloat(shorter)).as(text).isNotEqualTo(values[i]);
            }
        }
        assertThat(PredictionJson.writeFeatures(List.of("a", "b", "c"), new float[] {0.1f, -2, 0}))
                .isEqualTo("{\"a\":0.1,\"b\":-2.0,\"c\":0.0}");
    }

    @Test
    void writesFeaturesAsAnObjectOfNameToValueInOrder() throws Exception {
        List<String> names = ShippedSpec.load().columns();
        float[] values = new float[names.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = i * 0.5f - 1;
        }
        values[3] = 1e-5f;
        values[4] = 3.4e38f;

        String written = PredictionJson.writeFeatures(names, values);

        assertThat(written)
                .startsWith(
                        "{\"amount_log1p\":-1.0,\"channel_pos\":-0.5,\"channel_online\":0.0,"
                                + "\"channel_atm\":1.0E-5,\"country_0\":3.4E38,")
                .endsWith(",\"merchant_amount_mean_1h_log1p\":19.5}");
        JsonNode json = JSON.readTree(written);
        assertThat(fieldNames(json)).isEqualTo(names);
        for (int i = 0; i < values.length; i++) {
            assertThat(json.get(names.get(i)).floatValue()).isEqualTo(values[i]);
        }
    }

    @Test
    void writesTheExactStringForAShortFeatureList() {
        assertThat(PredictionJson.writeFeatures(List.of("a", "b"), new float[] {1.5f, 0f}))
                .isEqualTo("{\"a\":1.5,\"b\":0.0}");
        assertThat(PredictionJson.writeFeatures(List.of(), new float[0])).isEqualTo("{}");
    }

    @Test
    void keysPredictionRecordsByCardAndStampsThemWithTheEventsTime() {
        Prediction prediction = prediction(null);

        var record = new PredictionSerializer("predictions").serialize(prediction, null, 42L);

        assertThat(record.topic()).isEqualTo("predictions");
        assertThat(record.partition()).isNull();
        // Not the stream's timestamp (42): a feature stage can emit from a timer.
        assertThat(record.timestamp()).isEqualTo(prediction.eventTimeMs);
        assertThat(record.key()).containsExactly("card-1".getBytes(StandardCharsets.UTF_8));
        assertThat(record.value()).containsExactly(PredictionJson.write(prediction));
    }

    @Test
    void readsTheFieldsOfARecordWrittenByHand() throws Exception {
        Map<String, Object> record =
                new LinkedHashMap<>(
                        Map.of(
                                "event_id", "e-2",
                                "card_id", "c-2",
                                "event_time_ms", 10L,
                                "ingest_time_ms", 11L,
                                "scored_time_ms", 12L,
                                "score", 0.5,
                                "decision", "pass",
                                "model", "fraud",
                                "model_version", "1",
                                "feature_set", "fraud-v3"));
        record.put("fallback", "model_error");

        Prediction read = PredictionJson.read(JSON.writeValueAsBytes(record));

        assertThat(read.eventId).isEqualTo("e-2");
        assertThat(read.cardId).isEqualTo("c-2");
        assertThat(read.eventTimeMs).isEqualTo(10L);
        assertThat(read.ingestTimeMs).isEqualTo(11L);
        assertThat(read.scoredTimeMs).isEqualTo(12L);
        assertThat(read.score).isEqualTo(0.5f);
        assertThat(read.decision).isEqualTo("pass");
        assertThat(read.modelName).isEqualTo("fraud");
        assertThat(read.modelVersion).isEqualTo("1");
        assertThat(read.featureSet).isEqualTo("fraud-v3");
        assertThat(read.fallbackReason).isEqualTo("model_error");
        assertThat(read.features).isNull();
    }

    private static Prediction prediction(String fallback) {
        Prediction prediction = new Prediction();
        prediction.eventId = "e-1";
        prediction.cardId = "card-1";
        prediction.eventTimeMs = 1_767_225_600_000L;
        prediction.ingestTimeMs = 1_767_225_600_007L;
        prediction.scoredTimeMs = 1_767_225_600_019L;
        prediction.score = 0.8125f;
        prediction.decision = Prediction.FLAG;
        prediction.modelName = "fraud";
        prediction.modelVersion = "2";
        prediction.featureSet = ShippedSpec.ID;
        prediction.fallbackReason = fallback;
        prediction.features = new float[] {1f, 2f};
        return prediction;
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
