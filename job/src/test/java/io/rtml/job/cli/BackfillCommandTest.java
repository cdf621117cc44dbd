package io.rtml.job.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.rtml.event.EventJson;
import io.rtml.event.EventParser;
import io.rtml.event.TransactionEvent;
import io.rtml.features.EntityFeatures;
import io.rtml.features.EntityState;
import io.rtml.features.EventFeatures;
import io.rtml.features.spec.EntitySpec;
import io.rtml.features.spec.FeatureSpec;
import io.rtml.features.spec.FeatureSpecLoader;
import io.rtml.job.config.RtmlOptions;
import io.rtml.job.testing.ScriptsTrain;
import io.rtml.testing.TestEvents;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code rtml generate} then {@code rtml backfill} through the real command line: the training set
 * holds, for every event, exactly the features the engine computes over the events in order.
 */
class BackfillCommandTest {
    private static final FeatureSpec SPEC =
            FeatureSpecLoader.load(RtmlOptions.FEATURE_SPEC.defaultValue());

    @TempDir Path dir;

    private final StringWriter err = new StringWriter();

    private int rtml(String... args) {
        CommandLine commandLine = Rtml.commandLine();
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }

    @Test
    void writesEveryEventsFeaturesAsTheEngineComputesThemWithItsLabel() throws Exception {
        Path events = dir.resolve("events.jsonl");
        Path labels = dir.resolve("labels.csv");
        Path out = dir.resolve("train.csv");
        assertThat(
                        rtml(
                                "generate",
                                "--events",
                                "3000",
                                "--seed",
                                "3",
                                "--cards",
                                "60",
                                "--merchants",
                                "40",
                                "--per-card-per-day",
                                "200",
                                "--out",
                                events.toString(),
                                "--labels",
                                labels.toString()))
                .as(err.toString())
                .isZero();
        assertThat(
                        rtml(
                                "backfill",
                                "--events-file",
                                events.toString(),
                                "--labels",
                                labels.toString(),
                                "--out",
                                out.toString()))
                .as(err.toString())
                .isZero();

        assertThat(Files.readAllLines(out).get(0))
                .isEqualTo(
                        "event_id,card_id,merchant_id,event_time,"
                                + String.join(",", SPEC.columns())
                                + ",label");
        Map<String, String[]> rows = new HashMap<>();
        for (String[] fields : records(out)) {
            assertThat(fields).hasSize(4 + SPEC.columns().size() + 1);
            rows.put(fields[0], fields);
        }
        assertThat(rows).hasSize(3000);

        Map<String, String> expectedLabels = new HashMap<>();
        for (String[] fields : records(labels)) {
            expectedLabels.put(fields[0], fields[1]);
        }
        assertThat(expectedLabels).hasSize(3000);
        for (TransactionEvent event : expectedFeatures(events).keySet()) {
            String[] row = rows.get(event.eventId);
            assertThat(row[1]).isEqualTo(event.cardId);
            assertThat(row[2]).isEqualTo(event.merchantId);
            assertThat(Long.parseLong(row[3])).isEqualTo(event.eventTimeMs);
            assertThat(row[row.length - 1]).isEqualTo(expectedLabels.get(event.eventId));
        }
        expectedFeatures(events)
                .forEach(
                        (event, expected) -> {
                            String[] row = rows.get(event.eventId);
                            float[] actual = new float[expected.length];
                            for (int i = 0; i < actual.length; i++) {
                                actual[i] = Float.parseFloat(row[4 + i]);
                            }
                            assertThat(actual).as(event.eventId).containsExactly(expected);
                        });
    }

    @Test
    void writesIdsWithCommasAndQuotesThatScriptsTrainReadsBackWithTheirLabels() throws Exception {
        List<String> ids = List.of("e,1", "e \"2\"", "\"e,3\"", "e-4");
        Path events = dir.resolve("events.jsonl");
        Path labels = dir.resolve("labels.csv");
        try (LabelsCsv.Writer labelsOut = new LabelsCsv.Writer(labels)) {
            StringBuilder lines = new StringBuilder();
            for (int i = 0; i < ids.size(); i++) {
                TransactionEvent event =
                        TestEvents.event(ids.get(i))
                                .card("card, \"" + i + "\"")
                                .at(TestEvents.MIDNIGHT_MS + i * 1000L)
                                .build();
                lines.append(new String(EventJson.write(event), StandardCharsets.UTF_8))
                        .append('\n');
                labelsOut.write(ids.get(i), i == 1, i == 1 ? "card_testing" : "legit");
            }
            Files.writeString(events, lines);
        }
        Path out = dir.resolve("train.csv");

        assertThat(
                        rtml(
                                "backfill",
                                "--events-file",
                                events.toString(),
                                "--labels",
                                labels.toString(),
                                "--out",
                                out.toString()))
                .as(err.toString())
                .isZero();

        JsonNode read = ScriptsTrain.read(out);
        List<String> readIds = new ArrayList<>();
        read.get("ids").forEach(id -> readIds.add(id.asText()));
        assertThat(readIds).isEqualTo(ids);
        assertThat(read.get("labels").toString()).isEqualTo("[0,1,0,0]");
        assertThat(read.get("times").get(3).asLong()).isEqualTo(TestEvents.MIDNIGHT_MS + 3000L);
        assertThat(read.get("features")).hasSize(SPEC.columns().size());
        assertThat(records(out).get(0)[1]).isEqualTo("card, \"0\"");
    }

    @Test
    void refusesAFeatureSpecWithMistakesNamingTheOption() throws Exception {
        Path spec = dir.resolve("bad.yaml");
        Files.writeString(
                spec,
                "name: bad\nversion: 1\nentities: [{name: card, key: card_id, ordered: true}]\n"
                        + "features: [{name: x, entity: card, aggregate: count, window: 90 s}]\n");
        Path events = dir.resolve("events.jsonl");
        Files.writeString(events, "");

        int exitCode =
                rtml(
                        "backfill",
                        "--events-file",
                        events.toString(),
                        "--out",
                        dir.resolve("out.csv").toString(),
                        "-D",
                        "features.spec=" + spec);

        assertThat(exitCode).isEqualTo(2);
        assertThat(err.toString())
                .contains("features.spec")
                .contains("feature x: window 90 s must be a positive multiple of card's bucket");
    }

    /** The records of a CSV file after its header, as the CSV library reads them. */
    private static List<String[]> records(Path file) throws Exception {
        List<String[]> records = new ArrayList<>();
        try (CSVParser csv = Csv.FORMAT.parse(Files.newBufferedReader(file))) {
            csv.stream().skip(1).forEach(record -> records.add(record.values()));
        }
        return records;
    }

    /**
     * The engine run by hand over the file's events, in file order: what the backfill must give.
     */
    private static Map<TransactionEvent, float[]> expectedFeatures(Path eventsFile)
            throws Exception {
        EventFeatures eventFeatures = new EventFeatures(SPEC);
        List<EntityFeatures> entities = new ArrayList<>();
        List<Map<String, EntityState>> states = new ArrayList<>();
        for (EntitySpec entity : SPEC.entities()) {
            entities.add(new EntityFeatures(SPEC, entity.name()));
            states.add(new HashMap<>());
        }
        Map<TransactionEvent, float[]> expected = new java.util.LinkedHashMap<>();
        for (String line : Files.readAllLines(eventsFile)) {
            TransactionEvent event = EventParser.parse(line.getBytes(StandardCharsets.UTF_8), 0);
            float[] values = eventFeatures.compute(event);
            for (int e = 0; e < entities.size(); e++) {
                EntityFeatures entity = entities.get(e);
                if (entity.appliesTo(event)) {
                    EntityState state =
                            states.get(e)
                                    .computeIfAbsent(
                                            entity.entity().key().text(event),
                                            k -> entity.newState());
                    entity.computeAndAdd(state, event, values);
                }
            }
            expected.put(event, values);
        }
        return expected;
    }
}
