package io.rtml.job.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtml.job.cli.Rtml;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/** One rtml command, run in this JVM as {@code scripts/rtml} runs it, with what it printed. */
public record RtmlCli(int exitCode, String out, String err) {
    public static RtmlCli run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = Rtml.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int exitCode = commandLine.execute(args);
        return new RtmlCli(exitCode, out.toString(), err.toString());
    }

    public static RtmlCli run(List<String> args) {
        return run(args.toArray(String[]::new));
    }

    /** The first group of the first match of {@code pattern} in its output; fails if none. */
    public String find(Pattern pattern) {
        Matcher matcher = pattern.matcher(out);
        assertThat(matcher.find()).as("%s in %s", pattern, this).isTrue();
        return matcher.group(1);
    }
}
