package io.rtml.job.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class JsonScanTest {
    private static final byte[] PREDICTION =
            ("{\"event_id\":\"e-1-000009174\",\"card_id\":\"c-0068030\","
                            + "\"event_time_ms\":1795436063834,\"ingest_time_ms\":1795434834239,"
                            + "\"scored_time_ms\":1795434836275,\"score\":0.0123,"
                            + "\"fallback\":null}")
                    .getBytes(StandardCharsets.UTF_8);

    @Test
    void readsATopLevelIntegerField() {
        assertThat(JsonScan.longField(PREDICTION, "ingest_time_ms")).isEqualTo(1795434834239L);
        assertThat(JsonScan.longField(PREDICTION, "scored_time_ms")).isEqualTo(1795434836275L);
    }

    @Test
    void readsATopLevelStringField() {
        assertThat(JsonScan.stringField(PREDICTION, "event_id")).isEqualTo("e-1-000009174");
    }

    @Test
    void saysWhenTheFieldIsAbsentOrOfAnotherType() {
        assertThat(JsonScan.longField(PREDICTION, "missing")).isEqualTo(Long.MIN_VALUE);
        assertThat(JsonScan.longField(PREDICTION, "event_id")).isEqualTo(Long.MIN_VALUE);
        assertThat(JsonScan.stringField(PREDICTION, "fallback")).isNull();
        assertThat(JsonScan.longField("{\"event_id\":\"x\"}".getBytes(), "event_id"))
                .isEqualTo(Long.MIN_VALUE);
    }
}
