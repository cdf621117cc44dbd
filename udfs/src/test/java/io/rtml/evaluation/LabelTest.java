package io.rtml.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtml.testing.Schemas;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LabelTest {
    @ParameterizedTest(name = "fraud={0} pattern={1}")
    @CsvSource({"true, card_testing", "false, legit"})
    void writesLabelsTheSchemaAcceptsAndReadsThemBack(boolean fraud, String pattern) {
        byte[] json = Label.write("e-1-000000042", fraud, pattern);

        assertThat(Schemas.errors("label", json)).isEmpty();
        Label read = Label.parse(json);
        assertThat(read.eventId).isEqualTo("e-1-000000042");
        assertThat(read.label).isEqualTo(fraud ? 1 : 0);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "{\"event_id\": \"e-1\", \"label\": 1}|true",
                "{\"event_id\": \"e-1\", \"label\": 0, \"pattern\": null, \"source\": \"bank\"}|true",
                "{\"event_id\": \"e-1\", \"label\": 2}|false",
                "{\"event_id\": \"e-1\", \"label\": \"1\"}|false",
                "{\"event_id\": \"e-1\", \"label\": true}|false",
                "{\"event_id\": 7, \"label\": 1}|false",
                "{\"label\": 1}|false",
                "{\"event_id\": \"e-1\"}|false",
                "[\"e-1\", 1]|false"
            })
    void theSchemaAndTheReaderAgreeOnWhatIsALabel(String record, boolean valid) {
        assertThat(Label.parse(record.getBytes(StandardCharsets.UTF_8)) != null)
                .as("read as a label")
                .isEqualTo(valid);
        assertThat(Schemas.errors("label", record).isEmpty())
                .as("the schema accepts it")
                .isEqualTo(valid);
    }
}
