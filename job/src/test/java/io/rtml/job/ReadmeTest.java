package io.rtml.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rtml.job.cli.Rtml;
import io.rtml.job.config.RtmlOptions;
import io.rtml.job.testing.Repository;
import io.rtml.testing.Schemas;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.configuration.ConfigOption;
import org.junit.jupiter.api.Test;

/**
 * The README's configuration table, record examples and recipe for reading the predictions, and the
 * command line's own header, say what the job does.
 */
class ReadmeTest {
    private static final Pattern OPTION_ROW = Pattern.compile("(?m)^\\| `([a-z.-]+)` \\|");
    private static final Pattern JSON_EXAMPLE = Pattern.compile("(?s)```json\n(.*?)```");
    private static final Pattern SQL_BLOCK =
            Pattern.compile("(?s)```sql\n(CREATE TABLE predictions \\(.*?)```");
    private static final Pattern SQL_COLUMN =
            Pattern.compile("(?m)^  ([a-z_]+) (INT|BIGINT|DOUBLE|STRING),$");
    private static final Pattern SCHEMA_LINK = Pattern.compile("schemas/([a-z-]+)\\.schema\\.json");

    @Test
    void configurationTableListsEveryOptionAndNoOther() throws Exception {
        String readme = Files.readString(Repository.root().resolve("README.md"));
        String table = readme.substring(readme.indexOf("## Configuration"));
        table = table.substring(0, table.indexOf("\n## ", 1));
        Matcher rows = OPTION_ROW.matcher(table);
        List<String> documented = rows.results().map(m -> m.group(1)).toList();

        List<String> options =
                RtmlOptions.ALL.stream().map(ConfigOption::key).collect(Collectors.toList());
        assertThat(documented).containsExactlyElementsOf(options);
    }

    @Test
    void everyJsonExampleIsValidAgainstTheSchemaLinkedLastBeforeIt() throws Exception {
        String readme = Files.readString(Repository.root().resolve("README.md"));
        Set<String> exemplified = new TreeSet<>();
        Matcher example = JSON_EXAMPLE.matcher(readme);
        while (example.find()) {
            Matcher link = SCHEMA_LINK.matcher(readme.substring(0, example.start()));
            String schema = null;
            while (link.find()) {
                schema = link.group(1);
            }
            assertThat(schema).as("a schema linked before %s", example.group(1)).isNotNull();
            assertThat(Schemas.errors(schema, example.group(1)))
                    .as("%s against %s", example.group(1), schema)
                    .isEmpty();
            exemplified.add(schema);
        }
        assertThat(exemplified).containsExactlyElementsOf(schemaNames());
    }

    @Test
    void flinkSqlRecipeReadsEveryPredictionFieldReadCommitted() throws Exception {
        String readme = Files.readString(Repository.root().resolve("README.md"));
        Matcher block = SQL_BLOCK.matcher(readme);
        assertThat(block.find()).as("a CREATE TABLE predictions in the README").isTrue();
        String sql = block.group(1);
        Map<String, String> columns = new LinkedHashMap<>();
        Matcher column = SQL_COLUMN.matcher(sql);
        while (column.find()) {
            columns.put(column.group(1), column.group(2));
        }

        JsonNode schema = new ObjectMapper().readTree(Schemas.file("prediction").toFile());
        Map<String, String> expected = new LinkedHashMap<>();
        schema.get("properties")
                .fields()
                .forEachRemaining(
                        field ->
                                expected.put(
                                        field.getKey(), sqlType(field.getValue().path("type"))));
        assertThat(columns).containsExactlyEntriesOf(expected);
        assertThat(sql)
                .contains(
                        "'connector' = 'kafka'",
                        "'topic' = '" + RtmlOptions.PREDICTIONS_TOPIC.defaultValue() + "'",
                        "'properties.isolation.level' = 'read_committed'",
                        "'format' = 'json'");
        assertThat(readme)
                .contains(
                        "kafka-console-consumer.sh --bootstrap-server 127.0.0.1:9092 --topic "
                                + RtmlOptions.PREDICTIONS_TOPIC.defaultValue()
                                + " \\\n  --isolation-level read_committed");
    }

    /** The Flink SQL type of a JSON Schema type; an enum without a type is of strings (or null). */
    private static String sqlType(JsonNode type) {
        String name = type.isArray() ? type.get(0).asText() : type.asText("string");
        return switch (name) {
            case "integer" -> "BIGINT";
            case "number" -> "DOUBLE";
            case "string" -> "STRING";
            default -> throw new AssertionError("no SQL type for " + type);
        };
    }

    @Test
    void scriptsRtmlHeaderNamesOnlyCommandsThatExist() throws Exception {
        String header = Files.readAllLines(Repository.root().resolve("scripts/rtml")).get(1);
        String prefix = "# scripts/rtml — the rtml command line: ";
        assertThat(header).startsWith(prefix).endsWith(", ...");
        List<String> named =
                List.of(header.substring(prefix.length(), header.length() - 5).split(", "));
        assertThat(named).hasSizeGreaterThan(3);
        assertThat(Rtml.commandLine().getSubcommands().keySet()).containsAll(named);
    }

    private static List<String> schemaNames() throws Exception {
        try (Stream<Path> files = Files.list(Schemas.directory())) {
            return files.map(f -> f.getFileName().toString().replace(".schema.json", ""))
                    .sorted()
                    .toList();
        }
    }
}
