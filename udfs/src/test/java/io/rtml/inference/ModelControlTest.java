package io.rtml.inference;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtml.testing.Schemas;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ModelControlTest {
    @Test
    void writesRecordsTheSchemaAccepts() {
        assertThat(Schemas.errors("model-control", ModelControl.write("fraud", "5", "4")))
                .isEmpty();
        assertThat(Schemas.errors("model-control", ModelControl.write("fraud", "4", null)))
                .isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "{\"model\": \"fraud\", \"version\": \"5\", \"shadow_version\": \"4\"}|true",
                "{\"model\": \"fraud\", \"version\": \"5\", \"shadow_version\": null}|true",
                "{\"model\": \"fraud\", \"version\": \"5\", \"shadow_version\": \"\"}|true",
                "{\"model\": \"fraud\", \"version\": \"5\", \"by\": \"ops\"}|true",
                "{\"model\": \"fraud\", \"version\": \"5\", \"shadow_version\": 4}|false",
                "{\"model\": \"fraud\", \"version\": 5}|false",
                "{\"model\": \"fraud\", \"version\": \" \"}|false",
                "{\"model\": \"\", \"version\": \"5\"}|false",
                "{\"model\": \"fraud\"}|false",
                "{\"version\": \"5\"}|false",
                "[\"fraud\", \"5\"]|false"
            })
    void theSchemaAndTheReaderAgreeOnWhatIsAControlRecord(String record, boolean valid) {
        ModelControl read = ModelControl.parse(record.getBytes(StandardCharsets.UTF_8), 0);

        assertThat(read.error == null).as("read without error: %s", read.error).isEqualTo(valid);
        assertThat(Schemas.errors("model-control", record).isEmpty())
                .as("the schema accepts it")
                .isEqualTo(valid);
    }
}
