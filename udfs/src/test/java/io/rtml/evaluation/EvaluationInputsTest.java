package io.rtml.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtml.inference.Prediction;
import io.rtml.sink.PredictionJson;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The live evaluation reads back what the predictions topic holds, and only that. */
class PredictionScoresTest {
    private static Prediction prediction(String decision) {
        Prediction prediction = new Prediction();
        prediction.eventId = "e-42";
        prediction.cardId = "c-7";
        prediction.eventTimeMs = 1_767_225_600_000L;
        prediction.ingestTimeMs = 1_767_225_600_010L;
        prediction.scoredTimeMs = 1_767_225_600_020L;
        prediction.score = 0.8125f;
        prediction.decision = decision;
        prediction.modelName = "fraud";
        prediction.modelVersion = "4";
        prediction.featureSet = "fraud-v3";
        return prediction;
    }

    @Test
    void readsTheScoreDecisionAndVersionOfAWrittenPrediction() {
        ScoredLabel scored =
                PredictionScores.parse(PredictionJson.write(prediction(Prediction.FLAG)));

        assertThat(scored.eventId).isEqualTo("e-42");
        assertThat(scored.score).isEqualTo(0.8125f);
        assertThat(scored.flagged).isTrue();
        assertThat(scored.modelVersion).isEqualTo("4");
        assertThat(scored.label).isEqualTo(-1);
    }

    @Test
    void readsAPassAsNotFlaggedWhateverFieldsFollow() {
        Prediction passed = prediction(Prediction.PASS);
        passed.fallbackReason = "timeout";

        ScoredLabel scored = PredictionScores.parse(PredictionJson.write(passed));

        assertThat(scored.flagged).isFalse();
        assertThat(scored.eventId).isEqualTo("e-42");
    }

    @Test
    void refusesWhatIsNotAPrediction() {
        assertThat(parse("not json")).isNull();
        assertThat(parse("[1, 2]")).isNull();
        assertThat(parse("{\"event_id\": \"e-1\"}")).isNull(); // no score
        assertThat(parse("{\"event_id\": 7, \"score\": 0.5}")).isNull();
        assertThat(parse("{\"event_id\": \"e-1\", \"score\": \"high\"}")).isNull();
    }

    @Test
    void skipsNestedValuesItDoesNotNeed() {
        ScoredLabel scored =
                parse(
                        "{\"extra\": {\"event_id\": \"inner\"}, \"event_id\": \"e-9\","
                                + " \"list\": [1, {\"score\": 9}], \"score\": 0.25,"
                                + " \"decision\": \"flag\"}");

        assertThat(scored.eventId).isEqualTo("e-9");
        assertThat(scored.score).isEqualTo(0.25f);
        assertThat(scored.flagged).isTrue();
    }

    private static ScoredLabel parse(String json) {
        return PredictionScores.parse(json.getBytes(StandardCharsets.UTF_8));
    }
}
