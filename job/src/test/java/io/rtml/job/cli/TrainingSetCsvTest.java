package io.rtml.job.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.rtml.event.TransactionEvent;
import io.rtml.features.spec.FeatureSpec;
import io.rtml.features.spec.FeatureSpecLoader;
import io.rtml.job.testing.ScriptsTrain;
import io.rtml.testing.TestEvents;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingSetCsvTest {
    /** Ids a CSV writer must quote, and ones it must leave as they are. */
    private static final List<String> IDS =
            List.of(
                    "e-1-000000042",
                    "e,2",
                    "e \"3\"",
                    "\"",
                    "e\n4",
                    "e\r\n5",
                    "e\r6",
                    " e 7 ",
                    "#8",
                    "e-9-\u00FC\u20AC\uD83D\uDCB3",
                    "=10",
                    "e,\"11\"\n,");

    private static FeatureSpec spec;

    @TempDir Path dir;

    @BeforeAll
    static void loadSpec(@TempDir Path specDir) throws Exception {
        Path file = specDir.resolve("t.yaml");
        Files.writeString(
                file,
                "name: t\nversion: 1\n"
                        + "entities:\n"
                        + "  - {name: card, key: card_id, bucket: 1 min, ordered: true}\n"
                        + "  - {name: device, key: device_id, bucket: 1 min, ordered: true}\n"
                        + "features:\n"
                        + "  - {name: amount_log1p, field: amount, transform: log1p}\n"
                        + "  - {name: card_count_1h, entity: card, aggregate: count, window: 1 h}\n");
        spec = FeatureSpecLoader.load(file.toString());
    }

    @Test
    void writesPlainValuesUnquotedOneRecordALine() throws Exception {
        StringWriter out = new StringWriter();
        try (TrainingSetCsv csv = new TrainingSetCsv(out, spec)) {
            csv.write(
                    TestEvents.event("e-1").card("c-1").device("d-1").build(),
                    new float[] {1.5f, 1.0E-5f},
                    new LabelsCsv.Truth(1, "card_testing"));
            csv.write(TestEvents.event("e-2").card("c-2").build(), new float[] {-2f, 0f}, null);
        }

        assertThat(out.toString())
                .isEqualTo(
                        "event_id,card_id,device_id,event_time,amount_log1p,card_count_1h,label\n"
                                + "e-1,c-1,d-1,1767225600000,1.5,1.0E-5,1\n"
                                + "e-2,c-2,,1767225600000,-2.0,0.0,\n");
    }

    @Test
    void quotesAnIdWithACommaAQuoteOrALineBreakAndDoublesItsQuotes() throws Exception {
        StringWriter out = new StringWriter();
        try (TrainingSetCsv csv = new TrainingSetCsv(out, spec)) {
            csv.write(
                    TestEvents.event("e,\"1\"\n").card("c\r1").build(),
                    new float[] {0f, 0f},
                    new LabelsCsv.Truth(0, ""));
        }

        assertThat(out.toString())
                .endsWith("\n\"e,\"\"1\"\"\n\",\"c\r1\",,1767225600000,0.0,0.0,0\n");
    }

    @Test
    void writesIdsThatReadBackTheSameThroughTheCsvLibrary() throws Exception {
        Path file = write(IDS);

        List<CSVRecord> records = new ArrayList<>();
        try (var parser = Csv.FORMAT.parse(Files.newBufferedReader(file))) {
            parser.forEach(records::add);
        }

        assertThat(records).hasSize(IDS.size() + 1);
        for (int i = 0; i < IDS.size(); i++) {
            assertThat(records.get(i + 1).get(0)).isEqualTo(IDS.get(i));
            assertThat(records.get(i + 1).get(1)).isEqualTo("card " + IDS.get(i));
            assertThat(records.get(i + 1).size()).isEqualTo(7);
        }
    }

    @Test
    void writesIdsThatScriptsTrainReadsBackTheSame() throws Exception {
        Path file = write(IDS);

        JsonNode read = ScriptsTrain.read(file);

        assertThat(read.get("features").toString())
                .isEqualTo("[\"amount_log1p\",\"card_count_1h\"]");
        List<String> ids = new ArrayList<>();
        read.get("ids").forEach(id -> ids.add(id.asText()));
        assertThat(ids).isEqualTo(IDS.subList(0, IDS.size() - 1));
        assertThat(read.get("unlabelled").asInt()).isEqualTo(1);
        for (int i = 0; i < ids.size(); i++) {
            assertThat(read.get("times").get(i).asLong()).isEqualTo(1_767_225_600_000L + i);
            assertThat(read.get("labels").get(i).asInt()).isEqualTo(i % 2);
            JsonNode row = read.get("rows").get(i);
            assertThat((float) row.get(0).asDouble()).isEqualTo(i * 0.1f);
            assertThat((float) row.get(1).asDouble()).isEqualTo(-i * 1.0E-5f);
        }
    }

    /**
     * One record per id, with the card {@code "card " + id}, time and features from its index, the
     * label alternating 0 and 1, and none for the last.
     */
    private Path write(List<String> ids) throws Exception {
        Path file = dir.resolve("train.csv");
        try (TrainingSetCsv csv =
                new TrainingSetCsv(Files.newBufferedWriter(file, StandardCharsets.UTF_8), spec)) {
            for (int i = 0; i < ids.size(); i++) {
                TransactionEvent event =
                        TestEvents.event(ids.get(i))
                                .card("card " + ids.get(i))
                                .at(TestEvents.MIDNIGHT_MS + i)
                                .build();
                csv.write(
                        event,
                        new float[] {i * 0.1f, -i * 1.0E-5f},
                        i == ids.size() - 1 ? null : new LabelsCsv.Truth(i % 2, ""));
            }
        }
        return file;
    }
}
