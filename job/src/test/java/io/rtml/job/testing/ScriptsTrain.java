package io.rtml.job.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A training set as {@code scripts/train} reads it: scripts/training_csv.py run by Debian's
 * /usr/bin/python3, as scripts/train runs it (it needs the standard library only).
 */
public final class ScriptsTrain {
    private static final String READ =
            "import json, sys\n"
                    + "sys.path.insert(0, sys.argv[1])\n"
                    + "import training_csv\n"
                    + "print(json.dumps(training_csv.read(sys.argv[2])._asdict()))\n";

    private ScriptsTrain() {}

    /**
     * The file's training set as JSON: {@code features}, and per labelled row {@code ids}, {@code
     * times}, {@code rows} and {@code labels}, then {@code unlabelled}.
     */
    public static JsonNode read(Path csv) throws IOException, InterruptedException {
        Process python =
                new ProcessBuilder(
                                "/usr/bin/python3",
                                "-B",
                                "-c",
                                READ,
                                Repository.root().resolve("scripts").toString(),
                                csv.toString())
                        .redirectError(ProcessBuilder.Redirect.INHERIT)
                        .start();
        byte[] out = python.getInputStream().readAllBytes();
        if (!python.waitFor(60, TimeUnit.SECONDS) || python.exitValue() != 0) {
            throw new IllegalStateException(
                    "scripts/training_csv.py could not read "
                            + csv
                            + ": "
                            + new String(out, StandardCharsets.UTF_8));
        }
        return new ObjectMapper().readTree(out);
    }
}
