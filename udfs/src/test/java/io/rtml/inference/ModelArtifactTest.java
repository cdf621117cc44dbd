package io.rtml.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rtml.testing.ShippedModel;
import io.rtml.testing.ShippedSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelArtifactTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String FEATURE_SET = ShippedSpec.ID;
    private static final List<String> COLUMNS = ShippedSpec.load().columns();

    @TempDir Path dir;

    // ---- the shipped artifact ----

    @Test
    void loadsTheShippedArtifact() throws Exception {
        Path directory = ShippedModel.directory();
        double threshold =
                new ObjectMapper()
                        .readTree(directory.resolve("metadata.json").toFile())
                        .get("threshold")
                        .asDouble();

        ModelArtifact artifact = ModelArtifact.load(directory);

        assertThat(artifact.directory()).isEqualTo(directory);
        assertThat(artifact.name()).isEqualTo("fraud");
        assertThat(artifact.version()).isEqualTo("4");
        assertThat(artifact.modelFile()).isEqualTo(directory.resolve("model.pt"));
        assertThat(artifact.outputName()).isEqualTo("fraud_probability");
        assertThat(artifact.threshold()).isEqualTo(threshold).isBetween(0.0, 1.0);
    }

    @Test
    void shipsAModelWhoseInputsAreTheShippedSpecsColumnsInOrder() {
        ModelArtifact artifact = ModelArtifact.load(ShippedModel.directory());

        assertThat(artifact.inputs()).isEqualTo(COLUMNS);
        assertThatCode(() -> artifact.checkInputs(FEATURE_SET, COLUMNS)).doesNotThrowAnyException();
    }

    @Test
    void findsTheArtifactByRepositoryNameAndVersion() {
        Path repository = ShippedModel.repositoryRoot().resolve("model-artifacts");

        assertThat(ModelArtifact.directory(repository, "fraud", "4"))
                .isEqualTo(ShippedModel.directory());
    }

    @Test
    void loadsAVariantCopiedElsewhere() throws Exception {
        ModelArtifact artifact = ModelArtifact.load(variant(m -> m.put("version", "3")));

        assertThat(artifact.version()).isEqualTo("3");
        assertThat(artifact.modelFile()).isEqualTo(dir.resolve("model.pt"));
    }

    // ---- refusals ----

    @Test
    void refusesADirectoryWithoutMetadata() {
        assertThatThrownBy(() -> ModelArtifact.load(dir))
                .isInstanceOf(ModelContractException.class)
                .hasMessage("no model at " + dir.toAbsolutePath() + ": metadata.json is missing");
    }

    @Test
    void refusesMetadataThatIsNotJson() throws Exception {
        Files.writeString(dir.resolve("metadata.json"), "{\"name\": fraud");

        assertThatThrownBy(() -> ModelArtifact.load(dir))
                .isInstanceOf(ModelContractException.class)
                .hasMessageStartingWith("cannot read " + metadata() + ": ");
    }

    @Test
    void refusesAMissingModelFile() throws Exception {
        Path directory = variant(m -> {});
        Files.delete(directory.resolve("model.pt"));

        assertThatThrownBy(() -> ModelArtifact.load(directory))
                .isInstanceOf(ModelContractException.class)
                .hasMessage(metadata() + ": model file " + dir.resolve("model.pt") + " is missing");
    }

    @Test
    void refusesAModelFileNamedButNotThere() throws Exception {
        Path directory = variant(m -> m.put("file", "model-v2.pt"));

        assertThatThrownBy(() -> ModelArtifact.load(directory))
                .isInstanceOf(ModelContractException.class)
                .hasMessage(
                        metadata() + ": model file " + dir.resolve("model-v2.pt") + " is missing");
    }

    @Test
    void refusesAnotherFormat() throws Exception {
        Path directory = variant(m -> m.put("format", "onnx"));

        assertThatThrownBy(() -> ModelArtifact.load(directory))
                .isInstanceOf(ModelContractException.class)
                .hasMessage(metadata() + ": format is \"onnx\", only \"torchscript\" is served");
    }

    @Test
    void refusesMissingOrBlankRequiredStrings() throws Exception {
        for (String field : List.of("name", "version", "format", "file", "sha256")) {
            Path missing = variant(m -> m.remove(field));
            assertThatThrownBy(() -> ModelArtifact.load(missing))
                    .as(field)
                    .isInstanceOf(ModelContractException.class)
                    .hasMessage(metadata() + ": \"" + field + "\" must be a non-empty string");
            Path blank = variant(m -> m.put(field, " "));
            assertThatThrownBy(() -> ModelArtifact.load(blank))
                    .as(field)
                    .isInstanceOf(ModelContractException.class)
                    .hasMessage(metadata() + ": \"" + field + "\" must be a non-empty string");
        }
    }

    @Test
    void refusesAMissingOutputName() throws Exception {
        Path directory = variant(m -> ((ObjectNode) m.get("output")).remove("name"));

        assertThatThrownBy(() -> ModelArtifact.load(directory))
                .isInstanceOf(ModelContractException.class)
                .hasMessage(metadata() + " output: \"name\" must be a non-empty string");
    }

    @Test
    void refusesAThresholdAboveOne() throws Exception {
        Path directory = variant(m -> m.put("threshold", 1.5));

        assertThatThrownBy(() -> ModelArtifact.load(directory))
                .isInstanceOf(ModelContractException.class)
                .hasMessage(
                        metadata() + ": \"threshold\" must be a number between 0 and 1, got 1.5");
    }

    @Test
    void refusesANegativeThreshold() throws Exception {
        Path directory = variant(m -> m.put("threshold", -0.1));

        assertThatThrownBy(() -> ModelArtifact.load(directory))
                .isInstanceOf(ModelContractException.class)
                .hasMessage(
                        metadata() + ": \"threshold\" must be a number between 0 and 1, got -0.1");
    }

    @Test
    void refusesAThresholdGivenAsAString() throws Exception {
        Path directory = variant(m -> m.put("threshold", "0.5"));

        assertThatThrownBy(() -> ModelArtifact.load(directory))
                .isInstanceOf(ModelContractException.class)
                .hasMessage(
                        metadata()
                                + ": \"threshold\" must be a number between 0 and 1, got \"0.5\"");
    }

    @Test
    void refusesAMissingThreshold() throws Exception {
        Path directory = variant(m -> m.remove("threshold"));

        assertThatThrownBy(() -> ModelArtifact.load(directory))
                .isInstanceOf(ModelContractException.class)
                .hasMessageStartingWith(
                        metadata() + ": \"threshold\" must be a number between 0 and 1, got none");
    }

    @Test
    void acceptsThresholdsOfZeroAndOne() throws Exception {
        assertThat(ModelArtifact.load(variant(m -> m.put("threshold", 0))).threshold())
                .isEqualTo(0.0);
        assertThat(ModelArtifact.load(variant(m -> m.put("threshold", 1))).threshold())
                .isEqualTo(1.0);
    }

    @Test
    void refusesDuplicateInputs() throws Exception {
        Path directory = variant(m -> ((ArrayNode) m.get("inputs")).add("amount_log1p"));

        assertThatThrownBy(() -> ModelArtifact.load(directory))
                .isInstanceOf(ModelContractException.class)
                .hasMessage(
                        metadata()
                                + ": \"inputs\" must be distinct feature names, got"
                                + " \"amount_log1p\"");
    }

    @Test
    void refusesAnInputThatIsNotAName() throws Exception {
        Path directory = variant(m -> ((ArrayNode) m.get("inputs")).add(7));

        assertThatThrownBy(() -> ModelArtifact.load(directory))
                .isInstanceOf(ModelContractException.class)
                .hasMessage(metadata() + ": \"inputs\" must be distinct feature names, got 7");
    }

    @Test
    void refusesMissingOrEmptyInputs() throws Exception {
        Path missing = variant(m -> m.remove("inputs"));
        assertThatThrownBy(() -> ModelArtifact.load(missing))
                .isInstanceOf(ModelContractException.class)
                .hasMessage(metadata() + ": \"inputs\" must list the input features");

        Path empty = variant(m -> m.putArray("inputs"));
        assertThatThrownBy(() -> ModelArtifact.load(empty))
                .isInstanceOf(ModelContractException.class)
                .hasMessage(metadata() + ": \"inputs\" must list the input features");
    }

    // ---- the model file's sha256 ----

    @Test
    void shipsArtifactsWhoseMetadataHoldsTheirModelFilesSha256() throws Exception {
        Path repository = ShippedModel.directory().getParent().getParent();
        for (String artifact : List.of("fraud/4", "fraud/5", "noop/1")) {
            Path directory = repository.resolve(artifact);
            String recorded =
                    JSON.readTree(directory.resolve("metadata.json").toFile())
                            .get("sha256")
                            .asText();

            assertThat(recorded)
                    .as(artifact)
                    .isEqualTo(
                            HexFormat.of()
                                    .formatHex(
                                            MessageDigest.getInstance("SHA-256")
                                                    .digest(
                                                            Files.readAllBytes(
                                                                    directory.resolve(
                                                                            "model.pt")))));
            assertThatCode(() -> ModelArtifact.load(directory)).doesNotThrowAnyException();
        }
    }

    @Test
    void refusesATruncatedModelFile() throws Exception {
        Path directory = variant(m -> {});
        byte[] model = Files.readAllBytes(directory.resolve("model.pt"));
        Files.write(directory.resolve("model.pt"), Arrays.copyOf(model, model.length / 2));

        assertThatThrownBy(() -> ModelArtifact.load(directory))
                .isInstanceOf(ModelContractException.class)
                .hasMessage(
                        "model file "
                                + dir.resolve("model.pt")
                                + " has sha256 "
                                + sha256(Arrays.copyOf(model, model.length / 2))
                                + ", "
                                + metadata()
                                + " says "
                                + sha256(model)
                                + ": the file is not the one the metadata describes (truncated or"
                                + " altered)");
    }

    @Test
    void refusesAModelFileWithOneByteChanged() throws Exception {
        Path directory = variant(m -> {});
        byte[] model = Files.readAllBytes(directory.resolve("model.pt"));
        model[model.length / 2] ^= 1;
        Files.write(directory.resolve("model.pt"), model);

        assertThatThrownBy(() -> ModelArtifact.load(directory))
                .isInstanceOf(ModelContractException.class)
                .hasMessageContaining(" has sha256 " + sha256(model) + ", ");
    }

    @Test
    void refusesASha256ThatIsNotOne() throws Exception {
        Path directory = variant(m -> m.put("sha256", "7759697F"));

        assertThatThrownBy(() -> ModelArtifact.load(directory))
                .isInstanceOf(ModelContractException.class)
                .hasMessage(
                        metadata()
                                + ": \"sha256\" must be the sha256 of model.pt in 64 lower-case hex"
                                + " digits, got \"7759697F\"");
    }

    @Test
    void refusesAModelFileOutsideTheArtifactsDirectory() throws Exception {
        Path directory = variant(m -> m.put("file", "../5/model.pt"));

        assertThatThrownBy(() -> ModelArtifact.load(directory))
                .isInstanceOf(ModelContractException.class)
                .hasMessage(
                        metadata()
                                + ": \"file\" must name a file in the artifact's directory, got"
                                + " \"../5/model.pt\"");
    }

    // ---- names and versions ----

    @Test
    void takesPlainNamesAsTheyAre() {
        for (String name : List.of("4", "fraud", "2026-12-05", "v4.1_rc-2", "a".repeat(128))) {
            assertThat(ModelArtifact.plainName("model version", name)).isEqualTo(name);
        }
    }

    @Test
    void refusesNamesThatAreNotPlainOnesNamingWhatAndEscapingTheValue() {
        assertThatThrownBy(() -> ModelArtifact.directory(dir, "fraud", "../5"))
                .isInstanceOf(ModelContractException.class)
                .hasMessage(
                        "model version \"../5\" is not a plain name (1 to 128 letters, digits,"
                                + " '.', '_' or '-', starting with a letter or digit, without"
                                + " \"..\")");
        assertThatThrownBy(() -> ModelArtifact.directory(dir, "fraud\n", "5"))
                .isInstanceOf(ModelContractException.class)
                .hasMessageStartingWith("model name \"fraud\\u000a\" is not a plain name (");
        for (String version :
                Arrays.asList(
                        "..",
                        ".",
                        "",
                        null,
                        "5/..",
                        "4/../5",
                        "/etc",
                        dir.toAbsolutePath().toString(),
                        "..\\5",
                        "5\u0000",
                        "5\r",
                        "5 ",
                        ".hidden",
                        "-5",
                        "4..5",
                        "\u0665",
                        "a".repeat(129))) {
            assertThatThrownBy(() -> ModelArtifact.directory(dir, "fraud", version))
                    .as("version %s", version)
                    .isInstanceOf(ModelContractException.class)
                    .hasMessageContaining(" is not a plain name (");
            assertThatThrownBy(() -> ModelArtifact.directory(dir, version, "4"))
                    .as("name %s", version)
                    .isInstanceOf(ModelContractException.class)
                    .hasMessageStartingWith("model name ");
        }
    }

    @Test
    void loadsByRepositoryNameAndVersion() {
        Path repository = ShippedModel.directory().getParent().getParent();

        ModelArtifact artifact = ModelArtifact.load(repository, "fraud", "5");

        assertThat(artifact.directory()).isEqualTo(repository.resolve("fraud").resolve("5"));
        assertThat(List.of(artifact.name(), artifact.version())).containsExactly("fraud", "5");
    }

    @Test
    void refusesACopyOfAnotherVersionsDirectory() throws Exception {
        Path repository = dir.resolve("models");
        copy(ShippedModel.directory(), repository.resolve("fraud").resolve("97"));

        assertThatThrownBy(() -> ModelArtifact.load(repository, "fraud", "97"))
                .isInstanceOf(ModelContractException.class)
                .hasMessage(
                        repository.resolve("fraud/97/metadata.json")
                                + " describes model \"fraud\" version \"4\", not fraud/97: the"
                                + " directory holds another artifact");
    }

    @Test
    void refusesAnotherModelsArtifactUnderThisName() throws Exception {
        Path repository = dir.resolve("models");
        copy(ShippedModel.directory(), repository.resolve("churn").resolve("4"));

        assertThatThrownBy(() -> ModelArtifact.load(repository, "churn", "4"))
                .isInstanceOf(ModelContractException.class)
                .hasMessageEndingWith(
                        " describes model \"fraud\" version \"4\", not churn/4: the directory"
                                + " holds another artifact");
    }

    // ---- checkInputs ----

    @Test
    void refusesFeaturesThatLackAModelInput() {
        List<String> features = new ArrayList<>(COLUMNS);
        features.remove("hour_cos");
        features.remove("card_new_device_24h");

        assertThatThrownBy(() -> shipped().checkInputs(FEATURE_SET, features))
                .isInstanceOf(ModelContractException.class)
                .hasMessage(
                        "model fraud/4 does not match feature set fraud-v3: it needs"
                                + " [hour_cos, card_new_device_24h], which the features lack");
    }

    @Test
    void refusesFeaturesTheModelDoesNotTake() {
        List<String> features = new ArrayList<>(COLUMNS);
        features.add("merchant_risk");

        assertThatThrownBy(() -> shipped().checkInputs(FEATURE_SET, features))
                .isInstanceOf(ModelContractException.class)
                .hasMessage(
                        "model fraud/4 does not match feature set fraud-v3: it does not take"
                                + " [merchant_risk]");
    }

    @Test
    void namesBothMissingAndExtraFeatures() {
        List<String> features = new ArrayList<>(COLUMNS);
        features.set(0, "amount");

        assertThatThrownBy(() -> shipped().checkInputs("fraud-v4", features))
                .isInstanceOf(ModelContractException.class)
                .hasMessage(
                        "model fraud/4 does not match feature set fraud-v4: it needs"
                                + " [amount_log1p], which the features lack; it does not take"
                                + " [amount]");
    }

    @Test
    void refusesReorderedFeaturesNamingTheFirstPositionThatDiffers() {
        List<String> features = new ArrayList<>(COLUMNS);
        int hour = features.indexOf("hour_sin");
        Collections.swap(features, hour, hour + 1);

        assertThatThrownBy(() -> shipped().checkInputs(FEATURE_SET, features))
                .isInstanceOf(ModelContractException.class)
                .hasMessage(
                        "model fraud/4 does not match feature set fraud-v3: inputs are in another"
                                + " order: position 22 is hour_sin in the model and hour_cos in"
                                + " the features");
    }

    // ---- helpers ----

    private static ModelArtifact shipped() {
        return ModelArtifact.load(ShippedModel.directory());
    }

    private Path metadata() {
        return dir.resolve("metadata.json");
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    private static void copy(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (var files = Files.list(from)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Files.copy(file, to.resolve(file.getFileName()));
            }
        }
    }

    /** The shipped artifact copied into the temp dir, its metadata changed by {@code edit}. */
    private Path variant(Consumer<ObjectNode> edit) throws IOException {
        ObjectNode metadata =
                (ObjectNode)
                        JSON.readTree(ShippedModel.directory().resolve("metadata.json").toFile());
        edit.accept(metadata);
        Files.write(dir.resolve("metadata.json"), JSON.writeValueAsBytes(metadata));
        Path model = dir.resolve("model.pt");
        if (!Files.exists(model)) {
            Files.copy(ShippedModel.directory().resolve("model.pt"), model);
        }
        return dir;
    }
}
