package io.rtml.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rtml.testing.Schemas;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each file in schemas/ can be registered as it is: a valid draft 2020-12 schema that says so, with
 * a title and a description, and no reference outside itself.
 */
class SchemaFilesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static Stream<Path> schemaFiles() throws Exception {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> listed = Files.list(Schemas.directory())) {
            listed.sorted().forEach(files::add);
        }
        return files.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("schemaFiles")
    void isAValidDraft202012Schema(Path file) {
        assertThat(file.getFileName().toString()).endsWith(".schema.json");
        assertThat(Schemas.metaSchemaErrors(file)).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("schemaFiles")
    void declaresItsDraftAndSaysWhatItDescribes(Path file) throws Exception {
        JsonNode schema = JSON.readTree(file.toFile());

        assertThat(schema.path("$schema").asText()).isEqualTo(Schemas.DRAFT_2020_12);
        assertThat(schema.path("title").asText()).startsWith("rtml ");
        assertThat(schema.path("description").asText()).isNotBlank();
        assertThat(schema.path("type").asText()).isEqualTo("object");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("schemaFiles")
    void refersOnlyToItself(Path file) throws Exception {
        List<String> references = new ArrayList<>();
        JSON.readTree(file.toFile())
                .findValues("$ref")
                .forEach(reference -> references.add(reference.asText()));

        assertThat(references).allMatch(reference -> reference.startsWith("#/$defs/"));
    }
}
