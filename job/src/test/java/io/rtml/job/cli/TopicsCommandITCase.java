package io.rtml.job.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtml.job.testing.Repository;
import io.rtml.testing.KafkaBroker;
import io.rtml.testing.TestServices;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import picocli.CommandLine;

/**
 * {@code rtml topics} with its defaults on an empty broker, against what docs/operations.md says.
 */
class TopicsCommandITCase {
    @RegisterExtension static final TestServices SERVICES = TestServices.builder().kafka().build();

    private static final Pattern OPERATIONS_COMMENT =
            Pattern.compile("(?m)^scripts/rtml topics --partitions 4 +# (.+)$");

    @Test
    void operationsPageNamesEveryTopicThatTopicsCreates() throws Exception {
        Matcher comment =
                OPERATIONS_COMMENT.matcher(
                        Files.readString(Repository.root().resolve("docs/operations.md")));
        assertThat(comment.find()).as("docs/operations.md's 'scripts/rtml topics' line").isTrue();
        Set<String> documented = new TreeSet<>(Arrays.asList(comment.group(1).split(", ")));

        KafkaBroker kafka = SERVICES.kafka();
        StringWriter err = new StringWriter();
        CommandLine rtml = Rtml.commandLine();
        rtml.setErr(new PrintWriter(err, true));
        rtml.setOut(new PrintWriter(new StringWriter(), true));
        int exitCode =
                rtml.execute(
                        "topics",
                        "--bootstrap-servers",
                        kafka.bootstrapServers(),
                        "--partitions",
                        "4");
        assertThat(exitCode).as(err.toString()).isZero();
        try (Admin admin = Admin.create(kafka.clientProperties())) {
            Set<String> created =
                    new TreeSet<>(admin.listTopics().names().get(30, TimeUnit.SECONDS));
            System.out.println("rtml topics created " + created);
            assertThat(created).hasSize(7).isEqualTo(documented);
        }
    }
}
