package io.rtml.testing;

import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The JSON Schemas of the records (the repository's {@code schemas/}), applied by a validator of
 * draft 2020-12 as a schema registry's client would apply them.
 */
public final class Schemas {
    /** The draft's own meta-schema, which the validator carries (nothing is fetched). */
    public static final String DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema";

    private static final SchemaRegistry REGISTRY =
            SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
    private static final Map<String, Schema> LOADED = new ConcurrentHashMap<>();

    private Schemas() {}

    public static Path directory() {
        return ShippedModel.repositoryRoot().resolve("schemas");
    }

    /** {@code schemas/<name>.schema.json}. */
    public static Path file(String name) {
        return directory().resolve(name + ".schema.json");
    }

    /** What the schema {@code name} finds wrong with a JSON text; empty when it accepts it. */
    public static List<String> errors(String name, String json) {
        return LOADED.computeIfAbsent(name, Schemas::load).validate(json, InputFormat.JSON).stream()
                .map(Error::toString)
                .toList();
    }

    public static List<String> errors(String name, byte[] json) {
        return errors(name, new String(json, StandardCharsets.UTF_8));
    }

    /** What the draft 2020-12 meta-schema finds wrong with a schema file; empty when valid. */
    public static List<String> metaSchemaErrors(Path schemaFile) {
        return REGISTRY
                .getSchema(SchemaLocation.of(DRAFT_2020_12))
                .validate(read(schemaFile), InputFormat.JSON)
                .stream()
                .map(Error::toString)
                .toList();
    }

    private static Schema load(String name) {
        Path file = file(name);
        return REGISTRY.getSchema(
                SchemaLocation.of(file.toUri().toString()), read(file), InputFormat.JSON);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
