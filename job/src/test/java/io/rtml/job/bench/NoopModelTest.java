package io.rtml.job.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtml.features.spec.FeatureSpec;
import io.rtml.features.spec.FeatureSpecLoader;
import io.rtml.inference.ModelArtifact;
import io.rtml.job.config.RtmlOptions;
import io.rtml.job.testing.Repository;
import org.junit.jupiter.api.Test;

/**
 * The no-op model scripts/bench runs the job with (made by scripts/noop-model) takes exactly the
 * shipped spec's columns, so the job accepts it.
 */
class NoopModelTest {
    @Test
    void takesTheShippedSpecsColumns() {
        FeatureSpec spec = FeatureSpecLoader.load(RtmlOptions.FEATURE_SPEC.defaultValue());
        ModelArtifact noop =
                ModelArtifact.load(
                        ModelArtifact.directory(Repository.modelArtifacts(), "noop", "1"));

        noop.checkInputs(spec.id(), spec.columns());

        assertThat(noop.inputs()).isEqualTo(spec.columns());
        assertThat(noop.threshold()).isEqualTo(0.5);
    }
}
