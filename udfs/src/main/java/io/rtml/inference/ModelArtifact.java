package io.rtml.inference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A model the job can load: {@code <repository>/<name>/<version>/} holding the TorchScript file and
 * {@value #METADATA_FILE}, which names the inputs in order, the output and the decision threshold
 * (format in the README).
 */
public final class ModelArtifact {
    public static final String METADATA_FILE = "metadata.json";
    public static final String FORMAT = "torchscript";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path directory;
    private final String name;
    private final String version;
    private final Path modelFile;
    private final List<String> inputs;
    private final String outputName;
    private final double threshold;
    private final DriftReference driftReference;

    private ModelArtifact(
            Path directory,
            String name,
            String version,
            Path modelFile,
            List<String> inputs,
            String outputName,
            double threshold,
            DriftReference driftReference) {
        this.directory = directory;
        this.name = name;
        this.version = version;
        this.modelFile = modelFile;
        this.inputs = inputs;
        this.outputName = outputName;
        this.threshold = threshold;
        this.driftReference = driftReference;
    }

    /** The directory of model {@code name} at {@code version} under {@code repository}. */
    public static Path directory(Path repository, String name, String version) {
        return repository.resolve(name).resolve(version);
    }

    /** Reads and checks the artifact's metadata; the model itself is loaded by the scorer. */
    public static ModelArtifact load(Path directory) {
        Path metadataFile = directory.resolve(METADATA_FILE);
        if (!Files.isRegularFile(metadataFile)) {
            throw new ModelContractException(
                    "no model at "
                            + directory.toAbsolutePath()
                            + ": "
                            + METADATA_FILE
                            + " is missing");
        }
        JsonNode metadata;
        try {
            metadata = JSON.readTree(metadataFile.toFile());
        } catch (IOException e) {
            throw new ModelContractException(
                    "cannot read " + metadataFile + ": " + e.getMessage(), e);
        }
        String where = metadataFile.toString();
        String name = text(metadata, "name", where);
        String version = text(metadata, "version", where);
        String format = text(metadata, "format", where);
        if (!FORMAT.equals(format)) {
            throw new ModelContractException(
                    where + ": format is \"" + format + "\", only \"" + FORMAT + "\" is served");
        }
        Path modelFile = directory.resolve(text(metadata, "file", where));
        if (!Files.isRegularFile(modelFile)) {
            throw new ModelContractException(where + ": model file " + modelFile + " is missing");
        }
        JsonNode inputNodes = metadata.path("inputs");
        if (!inputNodes.isArray() || inputNodes.isEmpty()) {
            throw new ModelContractException(where + ": \"inputs\" must list the input features");
        }
        List<String> inputs = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (JsonNode input : inputNodes) {
            if (!input.isTextual() || !seen.add(input.asText())) {
                throw new ModelContractException(
                        where + ": \"inputs\" must be distinct feature names, got " + input);
            }
            inputs.add(input.asText());
        }
        String outputName = text(metadata.path("output"), "name", where + " output");
        JsonNode thresholdNode = metadata.path("threshold");
        double threshold = thresholdNode.asDouble(Double.NaN);
        if (!thresholdNode.isNumber() || !(threshold >= 0 && threshold <= 1)) {
            throw new ModelContractException(
                    where
                            + ": \"threshold\" must be a number between 0 and 1, got "
                            + (thresholdNode.isMissingNode() ? "none" : thresholdNode));
        }
        return new ModelArtifact(
                directory,
                name,
                version,
                modelFile,
                List.copyOf(inputs),
                outputName,
                threshold,
                DriftReference.parse(metadata, inputs, where));
    }

    /**
     * Refuses a model whose inputs are not exactly {@code features}, in order, saying what is
     * missing, what is extra, or where the order differs.
     */
    public void checkInputs(String featureSet, List<String> features) {
        if (inputs.equals(features)) {
            return;
        }
        Set<String> missing = new LinkedHashSet<>(inputs);
        features.forEach(missing::remove);
        Set<String> unused = new LinkedHashSet<>(features);
        inputs.forEach(unused::remove);
        StringBuilder problem =
                new StringBuilder("model ")
                        .append(name)
                        .append('/')
                        .append(version)
                        .append(" does not match feature set ")
                        .append(featureSet)
                        .append(':');
        if (!missing.isEmpty()) {
            problem.append(" it needs ").append(missing).append(", which the features lack;");
        }
        if (!unused.isEmpty()) {
            problem.append(" it does not take ").append(unused).append(';');
        }
        if (missing.isEmpty() && unused.isEmpty() && inputs.size() != features.size()) {
            problem.append(" the features repeat a name;");
        } else if (missing.isEmpty() && unused.isEmpty()) {
            int at = 0;
            while (inputs.get(at).equals(features.get(at))) {
                at++;
            }
            problem.append(" inputs are in another order: position ")
                    .append(at)
                    .append(" is ")
                    .append(inputs.get(at))
                    .append(" in the model and ")
                    .append(features.get(at))
                    .append(" in the features;");
        }
        problem.setLength(problem.length() - 1);
        throw new ModelContractException(problem.toString());
    }

    private static String text(JsonNode node, String field, String where) {
        JsonNode value = node.path(field);
        if (!value.isTextual() || value.asText().isBlank()) {
            throw new ModelContractException(
                    where + ": \"" + field + "\" must be a non-empty string");
        }
        return value.asText();
    }

    public Path directory() {
        return directory;
    }

    public String name() {
        return name;
    }

    public String version() {
        return version;
    }

    public Path modelFile() {
        return modelFile;
    }

    public List<String> inputs() {
        return inputs;
    }

    public String outputName() {
        return outputName;
    }

    /** The inputs' training distribution, or null when the metadata records none. */
    public DriftReference driftReference() {
        return driftReference;
    }

    public double threshold() {
        return threshold;
    }
}
