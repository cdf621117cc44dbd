package io.rtml.job.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/** Paths in the repository, whichever module directory the tests run in. */
public final class Repository {
    private Repository() {}

    public static Path root() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isDirectory(dir.resolve("model-artifacts"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("not inside the rtml repository");
        }
        return dir;
    }

    public static Path modelArtifacts() {
        return root().resolve("model-artifacts");
    }
}
