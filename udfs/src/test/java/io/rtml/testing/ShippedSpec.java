package io.rtml.testing;

import io.rtml.features.spec.FeatureSpec;
import io.rtml.features.spec.FeatureSpecLoader;
import java.nio.file.Path;

/** The feature spec shipped with the job, found from whichever directory tests run in. */
public final class ShippedSpec {
    /** What the shipped spec's vectors and the shipped model refer to it by. */
    public static final String ID = "fraud-v3";

    private static FeatureSpec spec;

    private ShippedSpec() {}

    /** {@code job/src/main/resources/feature-specs/fraud.yaml}. */
    public static Path path() {
        return ShippedModel.repositoryRoot()
                .resolve("job/src/main/resources/feature-specs/fraud.yaml");
    }

    /** The shipped spec, loaded once. */
    public static synchronized FeatureSpec load() {
        if (spec == null) {
            spec = FeatureSpecLoader.load(path().toString());
        }
        return spec;
    }
}
