package io.rtml.inference;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rtml.features.PartialFeatures;
import io.rtml.testing.ShippedModel;
import io.rtml.testing.ShippedSpec;
import io.rtml.testing.TestEvents;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The model choice: what the control topic asks for, checked before it takes traffic. */
class ModelRouterTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ModelChoice INITIAL = new ModelChoice("fraud", "4", null);

    @TempDir Path repository;
    @TempDir Path outside;

    private KeyedBroadcastOperatorTestHarness<
                    String, PartialFeatures, ModelControl, PartialFeatures>
            harness;

    /**
     * The shipped versions 4 and 5; 7, whose model file is not TorchScript; 8, which takes an input
     * the features lack; 10, whose model file is cut short; 97, a copy of 4's directory; and a copy
     * of 5 outside the repository.
     */
    @BeforeEach
    void repositoryWithGoodAndBadVersions() throws Exception {
        Path shipped = ShippedModel.directory().getParent();
        copy(shipped.resolve("4"), repository.resolve("fraud/4"));
        copy(shipped.resolve("5"), repository.resolve("fraud/5"));
        copy(shipped.resolve("5"), repository.resolve("fraud/7"));
        Files.writeString(repository.resolve("fraud/7/model.pt"), "not TorchScript");
        edit(repository.resolve("fraud/7"), "7", null);
        copy(shipped.resolve("5"), repository.resolve("fraud/8"));
        edit(repository.resolve("fraud/8"), "8", "merchant_risk");
        copy(shipped.resolve("5"), repository.resolve("fraud/10"));
        edit(repository.resolve("fraud/10"), "10", null);
        Path model = repository.resolve("fraud/10/model.pt");
        Files.write(model, Arrays.copyOf(Files.readAllBytes(model), 1000));
        copy(shipped.resolve("4"), repository.resolve("fraud/97"));
        copy(shipped.resolve("5"), outside.resolve("fraud/5"));
        harness = harness(null);
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    @Test
    void routesWithTheConfiguredVersionUntilTheControlTopicSaysOtherwise() throws Exception {
        assertThat(route("e-1")).isEqualTo(INITIAL);

        control("5", null);

        assertThat(route("e-2")).isEqualTo(new ModelChoice("fraud", "5", null));
    }

    @Test
    void switchesWithAShadowAndRollsBack() throws Exception {
        control("5", "4");
        assertThat(route("e-1")).isEqualTo(new ModelChoice("fraud", "5", "4"));

        control("4", null);
        assertThat(route("e-2")).isEqualTo(INITIAL);
    }

    @Test
    void refusesVersionsThatCannotServeAndKeepsTheCurrentOne() throws Exception {
        control("5", null);
        control("7", null); // not a TorchScript model
        control("8", null); // takes an input the features lack
        control("9", null); // not in the repository
        control("5", "8"); // a shadow that cannot serve refuses the whole record
        harness.processBroadcastElement(
                ModelControl.parse("{\"model\": 3}".getBytes(StandardCharsets.UTF_8), 9), 0);

        assertThat(route("e-1")).isEqualTo(new ModelChoice("fraud", "5", null));
    }

    @Test
    void refusesVersionsThatAreNotPlainNamesAndKeepsTheCurrentOne() throws Exception {
        control("5", null);
        for (String version :
                List.of(
                        "../5",
                        "../../" + outside.getFileName() + "/fraud/5",
                        outside.resolve("fraud/5").toString(),
                        "5/.",
                        "..",
                        "5\n",
                        "4\u0000")) {
            control(version, null);
            control("4", version);
            assertThat(route("e-" + version.hashCode()))
                    .as("after %s", version)
                    .isEqualTo(new ModelChoice("fraud", "5", null));
        }
        harness.processBroadcastElement(
                ModelControl.parse(ModelControl.write("../fraud", "5", null), 0), 0);

        assertThat(route("e-1")).isEqualTo(new ModelChoice("fraud", "5", null));
    }

    @Test
    void refusesAModelFileWhoseSha256IsNotTheOneItsMetadataRecords() throws Exception {
        control("10", null); // model.pt cut short after its metadata was written
        control("5", "10");

        assertThat(route("e-1")).isEqualTo(INITIAL);
    }

    @Test
    void refusesACopyOfAnotherVersionsDirectory() throws Exception {
        control("97", null); // fraud/4's directory copied to fraud/97: its metadata says 4

        assertThat(route("e-1")).isEqualTo(INITIAL);
    }

    @Test
    void keepsTheChoiceAcrossASnapshotAndRestore() throws Exception {
        control("5", "4");
        OperatorSubtaskState snapshot = harness.snapshot(1, 1);
        harness.close();

        harness = harness(snapshot);

        assertThat(route("e-1")).isEqualTo(new ModelChoice("fraud", "5", "4"));
    }

    @Test
    void readsControlRecordsAndSaysWhatIsWrongWithOthers() {
        ModelControl valid = ModelControl.parse(ModelControl.write("fraud", "3", "2"), 4);
        assertThat(List.of(valid.model, valid.version, valid.shadowVersion))
                .containsExactly("fraud", "3", "2");
        assertThat(valid.error).isNull();
        assertThat(valid.offset).isEqualTo(4);

        assertThat(parse("{\"model\":\"fraud\",\"version\":\"3\"}").shadowVersion).isNull();
        assertThat(parse("[1]").error).isEqualTo("not a JSON object");
        assertThat(parse("{\"model\":\"fraud\"}").error)
                .isEqualTo("\"model\" and \"version\" must be non-empty strings");
        assertThat(parse("{\"model\":\"fraud\",\"version\":\"3\",\"shadow_version\":4}").error)
                .isEqualTo("\"shadow_version\" must be a string or null");
        assertThat(parse("{").error).startsWith("malformed JSON: ");
    }

    private static ModelControl parse(String json) {
        return ModelControl.parse(json.getBytes(StandardCharsets.UTF_8), 0);
    }

    private void control(String version, String shadow) throws Exception {
        harness.processBroadcastElement(
                ModelControl.parse(ModelControl.write("fraud", version, shadow), 0), 0);
    }

    private ModelChoice route(String eventId) throws Exception {
        PartialFeatures partial =
                new PartialFeatures(TestEvents.event(eventId).build(), new float[0]);
        harness.processElement(partial, 0);
        List<PartialFeatures> out = harness.extractOutputValues();
        PartialFeatures routed = out.get(out.size() - 1);
        return new ModelChoice(routed.modelName, routed.modelVersion, routed.shadowVersion);
    }

    private KeyedBroadcastOperatorTestHarness<
                    String, PartialFeatures, ModelControl, PartialFeatures>
            harness(OperatorSubtaskState restore) throws Exception {
        var created =
                ProcessFunctionTestHarnesses.forKeyedBroadcastProcessFunction(
                        new ModelRouter(
                                INITIAL,
                                repository.toString(),
                                ShippedSpec.load(),
                                InferenceDevice.CPU),
                        partial -> partial.event.cardId,
                        Types.STRING,
                        ModelRouter.ACTIVE_MODEL);
        if (restore != null) {
            created.close();
            created =
                    new KeyedBroadcastOperatorTestHarness<>(
                            new CoBroadcastWithKeyedOperator<>(
                                    new ModelRouter(
                                            INITIAL,
                                            repository.toString(),
                                            ShippedSpec.load(),
                                            InferenceDevice.CPU),
                                    List.of(ModelRouter.ACTIVE_MODEL)),
                            partial -> partial.event.cardId,
                            Types.STRING,
                            1,
                            1,
                            0);
            created.setup();
            created.initializeState(restore);
            created.open();
        }
        return created;
    }

    /** Sets the artifact's version, adds an input, and records the sha256 of its model file. */
    private static void edit(Path artifact, String version, String extraInput) throws Exception {
        ObjectNode metadata =
                (ObjectNode) JSON.readTree(artifact.resolve("metadata.json").toFile());
        metadata.put("version", version);
        metadata.put(
                "sha256",
                HexFormat.of()
                        .formatHex(
                                MessageDigest.getInstance("SHA-256")
                                        .digest(Files.readAllBytes(artifact.resolve("model.pt")))));
        if (extraInput != null) {
            ((ArrayNode) metadata.get("inputs")).add(extraInput);
        }
        JSON.writeValue(artifact.resolve("metadata.json").toFile(), metadata);
    }

    private static void copy(Path from, Path to) throws Exception {
        Files.createDirectories(to);
        try (var files = Files.list(from)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Files.copy(file, to.resolve(file.getFileName()));
            }
        }
    }
}
