package io.rtml.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtml.job.config.RtmlOptions;
import io.rtml.job.testing.Repository;
import java.nio.file.Files;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.flink.configuration.ConfigOption;
import org.junit.jupiter.api.Test;

/** The README's configuration table lists exactly the job's options. */
class ReadmeTest {
    private static final Pattern OPTION_ROW = Pattern.compile("(?m)^\\| `([a-z.-]+)` \\|");

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
}
