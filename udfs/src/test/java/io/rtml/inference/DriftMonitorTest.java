package io.rtml.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rtml.testing.ShippedModel;
import java.util.List;
import org.junit.jupiter.api.Test;

class DriftMonitorTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One feature with edges 0 and 1 (bins: <= 0, (0, 1], > 1), trained 50/40/10. */
    private static DriftReference reference() throws Exception {
        JsonNode metadata =
                JSON.readTree(
                        "{\"drift_reference\": {\"features\": {\"x\": {\"edges\": [0.0, 1.0],"
                                + " \"proportions\": [0.5, 0.4, 0.1]}}}}");
        return DriftReference.parse(metadata, List.of("x"), "test");
    }

    @Test
    void binsAValueByHowManyEdgesLieBelowIt() throws Exception {
        DriftReference reference = reference();
        assertThat(reference.bin(0, -3f)).isZero();
        assertThat(reference.bin(0, 0f)).isZero();
        assertThat(reference.bin(0, 0.5f)).isEqualTo(1);
        assertThat(reference.bin(0, 1f)).isEqualTo(1);
        assertThat(reference.bin(0, 1.01f)).isEqualTo(2);
    }

    @Test
    void isZeroWhenTheWindowLooksLikeTraining() throws Exception {
        DriftMonitor monitor = new DriftMonitor(1, 10);
        assertThat(monitor.psi(0)).isNaN();
        float[] window = {0f, 0f, 0f, 0f, 0f, 0.5f, 0.5f, 0.5f, 0.5f, 2f};
        DriftReference reference = reference();
        for (float value : window) {
            monitor.observe(reference, new float[] {value});
        }
        assertThat(monitor.psi(0)).isCloseTo(0, within(1e-12));
    }

    @Test
    void measuresAShiftWithThePopulationStabilityIndex() throws Exception {
        DriftMonitor monitor = new DriftMonitor(1, 10);
        DriftReference reference = reference();
        // 20 % / 40 % / 40 % against 50 / 40 / 10.
        float[] window = {0f, 0f, 0.5f, 0.5f, 0.5f, 0.5f, 5f, 5f, 5f, 5f};
        for (float value : window) {
            monitor.observe(reference, new float[] {value});
        }
        double expected = (0.2 - 0.5) * Math.log(0.2 / 0.5) + 0 + (0.4 - 0.1) * Math.log(0.4 / 0.1);
        assertThat(monitor.psi(0)).isCloseTo(expected, within(1e-12));
    }

    @Test
    void countsAnEmptyBinAsRareNotInfinitelyFar() throws Exception {
        DriftMonitor monitor = new DriftMonitor(1, 4);
        DriftReference reference = reference();
        for (int i = 0; i < 4; i++) {
            monitor.observe(reference, new float[] {0f});
        }
        double floor = DriftMonitor.FLOOR;
        double expected =
                (1 - 0.5) * Math.log(1 / 0.5)
                        + (floor - 0.4) * Math.log(floor / 0.4)
                        + (floor - 0.1) * Math.log(floor / 0.1);
        assertThat(monitor.psi(0)).isCloseTo(expected, within(1e-12));
    }

    @Test
    void ignoresRowsOfAModelWithoutAReference() {
        DriftMonitor monitor = new DriftMonitor(1, 1);
        monitor.observe(null, new float[] {0f});
        assertThat(monitor.psi(0)).isNaN();
    }

    @Test
    void theShippedModelRecordsAReferenceForEveryInput() {
        ModelArtifact artifact = ModelArtifact.load(ShippedModel.directory());
        DriftReference reference = artifact.driftReference();
        assertThat(reference).isNotNull();
        assertThat(reference.features()).isEqualTo(artifact.inputs().size());
        for (int f = 0; f < reference.features(); f++) {
            double sum = 0;
            for (int b = 0; b < reference.bins(f); b++) {
                sum += reference.proportion(f, b);
            }
            assertThat(sum).as(artifact.inputs().get(f)).isCloseTo(1.0, within(1e-5));
        }
    }

    @Test
    void refusesAReferenceWhoseEdgesDoNotAscend() throws Exception {
        JsonNode metadata =
                JSON.readTree(
                        "{\"drift_reference\": {\"features\": {\"x\": {\"edges\": [1.0, 0.0],"
                                + " \"proportions\": [0.5, 0.4, 0.1]}}}}");
        assertThatThrownBy(() -> DriftReference.parse(metadata, List.of("x"), "m.json"))
                .isInstanceOf(ModelContractException.class)
                .hasMessage("m.json: drift_reference edges of x must ascend");
    }

    @Test
    void hasNoReferenceWhenItDoesNotCoverEveryInput() throws Exception {
        JsonNode metadata =
                JSON.readTree(
                        "{\"drift_reference\": {\"features\": {\"x\": {\"edges\": [0.0],"
                                + " \"proportions\": [0.5, 0.5]}}}}");
        assertThat(DriftReference.parse(metadata, List.of("x", "y"), "m.json")).isNull();
    }
}
