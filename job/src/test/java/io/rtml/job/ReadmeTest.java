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
 * The documentation says what the job does: the configuration table (docs/configuration.md), the
 * record examples (every page: the README and docs/), the recipe for reading the predictions
 * (docs/contracts.md), and the command line's own header.
 */
class ReadmeTest {
    private static final Pattern OPTION_ROW = Pattern.compile("(?m)^\\| `([a-z.-]+)` \\|");
    private static final Pattern JSON_EXAMPLE = Pattern.compile("(?s)```json\n(.*?)```");
    private static final Pattern SQL_BLOCK =
            Pattern.compile("(?s)```sql\n(CREATE TABLE predictions \\(.*?)```");
    private static final Pattern SQL_COLUMN =
            Pattern.compile("(?m)^  ([a-z_]+) (INT|BIGINT|DOUBLE|STRING),$");
    private static final Pattern SCHEMA_LINK = Pattern.compile("schemas/([a-z-]+)\\.schema\\.json");

    /** The page of the job's options: its first section, up to "Security", holds the table. */
    static final Path CONFIGURATION = Repository.root().resolve("docs/configuration.md");

    /** The page of the record contracts, with the recipe for reading the predictions. */
    static final Path CONTRACTS = Repository.root().resolve("docs/contracts.md");

    @Test
    void configurationTableListsEveryOptionAndNoOther() throws Exception {
        String page = Files.readString(CONFIGURATION);
        assertThat(page).startsWith("# Configuration\n");
        String table = page.substring(0, page.indexOf("\n## "));
        Matcher rows = OPTION_ROW.matcher(table);
        List<String> documented = rows.results().map(m -> m.group(1)).toList();

        List<String> options =
                RtmlOptions.ALL.stream().map(ConfigOption::key).collect(Collectors.toList());
        assertThat(documented).containsExactlyElementsOf(options);
    }

    @Test
    void everyJsonExampleIsValidAgainstTheSchemaLinkedLastBeforeIt() throws Exception {
        Set<String> exemplified = new TreeSet<>();
        for (Path page : pages()) {
            String text = Files.readString(page);
            Matcher example = JSON_EXAMPLE.matcher(text);
            while (example.find()) {
                Matcher link = SCHEMA_LINK.matcher(text.substring(0, example.start()));
                String schema = null;
                while (link.find()) {
                    schema = link.group(1);
                }
                assertThat(schema)
                        .as("a schema linked before %s in %s", example.group(1), page)
                        .isNotNull();
                assertThat(Schemas.errors(schema, example.group(1)))
                        .as("%s against %s (%s)", example.group(1), schema, page)
                        .isEmpty();
                exemplified.add(schema);
            }
        }
        assertThat(exemplified).containsExactlyElementsOf(schemaNames());
    }

    @Test
    void contractsTableLinksEverySchema() throws Exception {
        String contracts = Files.readString(CONTRACTS);
        String table = contracts.substring(contracts.indexOf("\n## Record schemas\n"));
        table = table.substring(0, table.indexOf("\n## ", 1));
        Set<String> linked =
                SCHEMA_LINK
                        .matcher(table)
                        .results()
                        .map(m -> m.group(1))
                        .collect(Collectors.toCollection(TreeSet::new));
        assertThat(linked).containsExactlyElementsOf(schemaNames());
    }

    /** The README and every page under docs/. */
    private static List<Path> pages() throws Exception {
        try (Stream<Path> docs = Files.list(Repository.root().resolve("docs"))) {
            return Stream.concat(
                            Stream.of(Repository.root().resolve("README.md")),
                            docs.filter(p -> p.toString().endsWith(".md")).sorted())
                    .toList();
        }
    }

    /**
     * Every relative link of the README, the docs/ pages and flink-conf/README.md names a file that
     * exists and, with a {@code #fragment}, a heading of it (as GitHub makes its anchors).
     */
    @Test
    void everyRelativeLinkReachesAFileAndHeading() throws Exception {
        List<Path> pages = new java.util.ArrayList<>(pages());
        pages.add(Repository.root().resolve("flink-conf/README.md"));
        List<String> broken = new java.util.ArrayList<>();
        for (Path page : pages) {
            Matcher link = MARKDOWN_LINK.matcher(outsideCodeBlocks(Files.readString(page)));
            while (link.find()) {
                String target = link.group(1);
                if (target.matches("[a-z]+:.*")) {
                    continue;
                }
                String file =
                        target.contains("#") ? target.substring(0, target.indexOf('#')) : target;
                Path resolved = file.isEmpty() ? page : page.getParent().resolve(file).normalize();
                if (!Files.exists(resolved)) {
                    broken.add(page + ": " + target + " (no such file)");
                } else if (target.contains("#")
                        && !anchors(resolved).contains(target.substring(target.indexOf('#') + 1))) {
                    broken.add(page + ": " + target + " (no such heading)");
                }
            }
        }
        assertThat(broken).isEmpty();
    }

    private static final Pattern MARKDOWN_LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");
    private static final Pattern HEADING = Pattern.compile("(?m)^#{1,6} (.+)$");

    /**
     * A page's text without its fenced code blocks (whose lines starting with # are no headings).
     */
    private static String outsideCodeBlocks(String text) {
        return text.replaceAll("(?ms)^```.*?^```", "");
    }

    /** The anchors GitHub gives a page's headings. */
    private static Set<String> anchors(Path page) throws Exception {
        Set<String> anchors = new TreeSet<>();
        Matcher heading = HEADING.matcher(outsideCodeBlocks(Files.readString(page)));
        while (heading.find()) {
            anchors.add(
                    heading.group(1)
                            .toLowerCase(java.util.Locale.ROOT)
                            .replaceAll("[^\\p{L}\\p{N} _-]", "")
                            .replace(' ', '-'));
        }
        return anchors;
    }

    @Test
    void flinkSqlRecipeReadsEveryPredictionFieldReadCommitted() throws Exception {
        String contracts = Files.readString(CONTRACTS);
        Matcher block = SQL_BLOCK.matcher(contracts);
        assertThat(block.find()).as("a CREATE TABLE predictions in docs/contracts.md").isTrue();
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
        assertThat(contracts)
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
