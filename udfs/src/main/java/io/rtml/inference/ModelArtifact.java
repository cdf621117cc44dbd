package io.rtml.inference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A model the job can load: {@code <repository>/<name>/<version>/} holding the TorchScript file and
 * {@value #METADATA_FILE}, which names the model, its version, the inputs in order, the output, the
 * decision threshold and the sha256 of the model file (format in docs/features.md, "Training").
 *
 * <p>Names and versions are plain names ({@link #plainName}), so that what a model-control record
 * asks for cannot leave the repository; the model file must have the sha256 its metadata records,
 * so that a truncated or altered file is refused before it is loaded.
 */
public final class ModelArtifact {
    public static final String METADATA_FILE = "metadata.json";
    public static final String FORMAT = "torchscript";

    /** The metadata field holding the sha256 of the model file, as 64 lower-case hex digits. */
    public static final String SHA256 = "sha256";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One path element: no separator, no "." or "..", no control character, no space. */
    private static final Pattern PLAIN_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");

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

    /**
     * The directory of model {@code name} at {@code version} under {@code repository}; refuses a
     * name or version that is not a {@link #plainName}, so the directory is always inside the
     * repository.
     */
    public static Path directory(Path repository, String name, String version) {
        return repository
                .resolve(plainName("model name", name))
                .resolve(plainName("model version", version));
    }

    /**
     * Returns {@code value} if it is a plain name: 1 to 128 ASCII letters, digits, '.', '_' and
     * '-', starting with a letter or digit and without "..". Anything else (a path separator, an
     * absolute path, "..", a control character) is refused, naming {@code what}.
     */
    public static String plainName(String what, String value) {
        if (value == null || !PLAIN_NAME.matcher(value).matches() || value.contains("..")) {
            throw new ModelContractException(
                    what
                            + " "
                            + quote(value)
                            + " is not a plain name (1 to 128 letters, digits, '.', '_' or '-',"
                            + " starting with a letter or digit, without \"..\")");
        }
        return value;
    }

    /**
     * Loads model {@code name} at {@code version} from {@code repository}: {@link #load(Path)} of
     * its {@link #directory}, whose metadata must name that very model and version (a copy of
     * another version's directory is refused).
     */
    public static ModelArtifact load(Path repository, String name, String version) {
        Path directory = directory(repository, name, version);
        ModelArtifact artifact = load(directory);
        if (!artifact.name.equals(name) || !artifact.version.equals(version)) {
            throw new ModelContractException(
                    directory.resolve(METADATA_FILE)
                            + " describes model "
                            + quote(artifact.name)
                            + " version "
                            + quote(artifact.version)
                            + ", not "
                            + name
                            + "/"
                            + version
                            + ": the directory holds another artifact");
        }
        return artifact;
    }

    /**
     * Reads and checks the artifact's metadata, and that the model file has the sha256 the metadata
     * records; the model itself is loaded by the scorer.
     */
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
        String file = text(metadata, "file", where);
        if (!PLAIN_NAME.matcher(file).matches() || file.contains("..")) {
            throw new ModelContractException(
                    where
                            + ": \"file\" must name a file in the artifact's directory, got "
                            + quote(file));
        }
        Path modelFile = directory.resolve(file);
        if (!Files.isRegularFile(modelFile)) {
            throw new ModelContractException(where + ": model file " + modelFile + " is missing");
        }
        String sha256 = text(metadata, SHA256, where);
        if (!SHA256_HEX.matcher(sha256).matches()) {
            throw new ModelContractException(
                    where
                            + ": \""
                            + SHA256
                            + "\" must be the sha256 of "
                            + file
                            + " in 64 lower-case hex digits, got "
                            + quote(sha256));
        }
        String actual = sha256(modelFile);
        if (!actual.equals(sha256)) {
            throw new ModelContractException(
                    "model file "
                            + modelFile
                            + " has sha256 "
                            + actual
                            + ", "
                            + where
                            + " says "
                            + sha256
                            + ": the file is not the one the metadata describes (truncated or"
                            + " altered)");
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

    /** The sha256 of a file's bytes, as lower-case hex. */
    static String sha256(Path file) {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
            in.transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            throw new ModelContractException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /**
     * A value for a message or a log line: quoted, control and non-ASCII characters escaped (a
     * record must not forge log lines), cut short so that a hostile value cannot flood the log.
     */
    static String quote(String value) {
        if (value == null) {
            return "null";
        }
        StringBuilder quoted = new StringBuilder("\"");
        for (int i = 0; i < value.length() && i < 64; i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\') {
                quoted.append('\\').append(c);
            } else if (c < 0x20 || c > 0x7e) {
                quoted.append(String.format("\\u%04x", (int) c));
            } else {
                quoted.append(c);
            }
        }
        return quoted.append(value.length() > 64 ? "\"..." : "\"").toString();
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
