package io.rtml.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rtml.testing.Schemas;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EvaluationRecordTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void writesTheDocumentedLayout() throws Exception {
        JsonNode json = JSON.readTree(record(0.81, 0.79, 0.86).toJson());

        List<String> names = new ArrayList<>();
        json.fieldNames().forEachRemaining(names::add);
        assertThat(names)
                .containsExactly(
                        "schema_version",
                        "window_start_ms",
                        "window_end_ms",
                        "labelled",
                        "positives",
                        "model_versions",
                        "precision",
                        "recall",
                        "pr_auc");
        assertThat(json.get("schema_version").asInt()).isEqualTo(1);
        assertThat(json.get("labelled").asLong()).isEqualTo(118_204L);
        assertThat(json.get("model_versions").asText()).isEqualTo("4,5");
        assertThat(json.get("pr_auc").asDouble()).isEqualTo(0.86);
    }

    @Test
    void writesUndefinedFiguresAsNull() throws Exception {
        JsonNode json = JSON.readTree(record(Double.NaN, Double.NaN, Double.NaN).toJson());

        assertThat(json.get("precision").isNull()).isTrue();
        assertThat(json.get("recall").isNull()).isTrue();
        assertThat(json.get("pr_auc").isNull()).isTrue();
    }

    @Test
    void writesRecordsTheEvaluationSchemaAccepts() {
        assertThat(Schemas.errors("evaluation", record(0.81, 0.79, 0.86).toJson())).isEmpty();
        assertThat(Schemas.errors("evaluation", record(1, 0, 1).toJson())).isEmpty();
        assertThat(
                        Schemas.errors(
                                "evaluation", record(Double.NaN, Double.NaN, Double.NaN).toJson()))
                .isEmpty();
    }

    private static EvaluationRecord record(double precision, double recall, double prAuc) {
        EvaluationRecord record = new EvaluationRecord();
        record.windowStartMs = 1_767_225_000_000L;
        record.windowEndMs = 1_767_225_600_000L;
        record.labelled = 118_204L;
        record.positives = 951L;
        record.modelVersions = "4,5";
        record.precision = precision;
        record.recall = recall;
        record.prAuc = prAuc;
        return record;
    }
}
