package io.rtml.job.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabelsCsvTest {
    @TempDir Path dir;

    @Test
    void readsBackTheLabelsItWritesWhateverTheIds() throws Exception {
        List<String> ids = List.of("e-1-000000042", "e,2", "e \"3\"", "e\n4", "e\r\n5", " e 6 ");
        Path file = dir.resolve("labels.csv");
        try (LabelsCsv.Writer labels = new LabelsCsv.Writer(file)) {
            for (int i = 0; i < ids.size(); i++) {
                labels.write(ids.get(i), i % 2 == 1, i % 2 == 1 ? "card_testing" : "legit");
            }
        }

        Map<String, LabelsCsv.Truth> read = LabelsCsv.read(file);

        assertThat(read.keySet()).containsExactlyElementsOf(ids);
        assertThat(read.get("e,2")).isEqualTo(new LabelsCsv.Truth(1, "card_testing"));
        assertThat(read.get("e \"3\"")).isEqualTo(new LabelsCsv.Truth(0, "legit"));
        assertThat(Files.readString(file))
                .startsWith(
                        "event_id,label,pattern\ne-1-000000042,0,legit\n\"e,2\",1,card_testing\n");
    }

    @Test
    void readsQuotedFieldsSkipsBlankLinesAndTakesThePatternAsOptional() throws Exception {
        Path file = dir.resolve("labels.csv");
        Files.writeString(file, "event_id,label\n\"a,1\",1\n\nb-2,0,\"x, y\",extra\r\nc-3,1\n");

        assertThat(LabelsCsv.read(file))
                .containsExactly(
                        Map.entry("a,1", new LabelsCsv.Truth(1, "")),
                        Map.entry("b-2", new LabelsCsv.Truth(0, "x, y")),
                        Map.entry("c-3", new LabelsCsv.Truth(1, "")));
    }

    @Test
    void refusesALabelOtherThan0Or1NamingTheLine() throws Exception {
        Path file = dir.resolve("labels.csv");
        Files.writeString(file, "event_id,label,pattern\ne-1,1,x\ne-2,yes,x\n");

        assertThatThrownBy(() -> LabelsCsv.read(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        file
                                + ":3: expected event_id,label[,pattern] with label 0 or 1, got:"
                                + " e-2,yes,x");
    }
}
