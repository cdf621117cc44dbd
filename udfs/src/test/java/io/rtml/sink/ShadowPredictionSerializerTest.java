package io.rtml.sink;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rtml.inference.Prediction;
import io.rtml.testing.Schemas;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

class ShadowPredictionSerializerTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void writesTheDocumentedLayout() throws Exception {
        JsonNode json = JSON.readTree(ShadowPredictionSerializer.write(shadowed(Prediction.PASS)));

        List<String> names = new ArrayList<>();
        json.fieldNames().forEachRemaining(names::add);
        assertThat(names)
                .containsExactly(
                        "schema_version",
                        "event_id",
                        "card_id",
                        "event_time_ms",
                        "model",
                        "model_version",
                        "score",
                        "decision",
                        "champion_version",
                        "champion_score",
                        "champion_decision",
                        "agrees");
        assertThat(json.get("schema_version").asInt()).isEqualTo(1);
        assertThat(json.get("model_version").asText()).isEqualTo("4");
        assertThat(json.get("score").floatValue()).isEqualTo(0.0012f);
        assertThat(json.get("decision").asText()).isEqualTo("pass");
        assertThat(json.get("champion_version").asText()).isEqualTo("5");
        assertThat(json.get("champion_score").floatValue()).isEqualTo(0.0009f);
        assertThat(json.get("agrees").asBoolean()).isTrue();
    }

    @Test
    void writesRecordsTheShadowPredictionSchemaAccepts() {
        for (String decision : new String[] {Prediction.PASS, Prediction.FLAG}) {
            assertThat(
                            Schemas.errors(
                                    "shadow-prediction",
                                    ShadowPredictionSerializer.write(shadowed(decision))))
                    .as(decision)
                    .isEmpty();
        }
    }

    @Test
    void keysTheRecordByCardAndStampsItWithTheEventsTime() {
        Prediction prediction = shadowed(Prediction.FLAG);

        ProducerRecord<byte[], byte[]> record =
                new ShadowPredictionSerializer("predictions-shadow")
                        .serialize(prediction, null, 1L);

        assertThat(record.key()).containsExactly("c-0043988".getBytes(StandardCharsets.UTF_8));
        assertThat(record.timestamp()).isEqualTo(1_767_225_600_159L);
        assertThat(record.value()).containsExactly(ShadowPredictionSerializer.write(prediction));
    }

    /** Champion fraud/5 passed the event; the challenger fraud/4 decided {@code decision}. */
    private static Prediction shadowed(String decision) {
        Prediction prediction = new Prediction();
        prediction.eventId = "e-1-000000042";
        prediction.cardId = "c-0043988";
        prediction.eventTimeMs = 1_767_225_600_159L;
        prediction.modelName = "fraud";
        prediction.modelVersion = "5";
        prediction.score = 0.0009f;
        prediction.decision = Prediction.PASS;
        prediction.shadowVersion = "4";
        prediction.shadowScore = 0.0012f;
        prediction.shadowDecision = decision;
        return prediction;
    }
}
