package io.rtml.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/** The model artifact shipped in the repository, found from whichever directory tests run in. */
public final class ShippedModel {
    public static final String NAME = "fraud";
    public static final String VERSION = "4";

    private ShippedModel() {}

    /** The repository's root: the nearest directory up from here that holds model-artifacts. */
    public static Path repositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isDirectory(dir.resolve("model-artifacts"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException(
                    "no model-artifacts directory above " + Path.of("").toAbsolutePath());
        }
        return dir;
    }

    /** {@code model-artifacts/fraud/4}. */
    public static Path directory() {
        return repositoryRoot().resolve("model-artifacts").resolve(NAME).resolve(VERSION);
    }
}
