package io.rtml.features.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.rtml.features.spec.AggregateFeature.Aggregate;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.flink.util.TimeUtils;

/**
 * Reads a feature spec from YAML and checks it whole: unknown fields, bad windows, duplicate names
 * and every other mistake are reported together, each naming the feature or entity.
 */
public final class FeatureSpecLoader {
    /**
     * Prefix of a location inside the job's jar, e.g. {@code classpath:feature-specs/fraud.yaml}.
     */
    public static final String CLASSPATH = "classpath:";

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final String NAME_PATTERN = "[a-z][a-z0-9_]*";

    private final String source;
    private final List<String> problems = new ArrayList<>();

    /** Entities named in the spec but refused: their features are not reported again. */
    private final Set<String> refusedEntities = new HashSet<>();

    private FeatureSpecLoader(String source) {
        this.source = source;
    }

    /** Loads a spec from a file path, or from the classpath with the {@code classpath:} prefix. */
    public static FeatureSpec load(String location) {
        JsonNode root;
        try (InputStream in = open(location)) {
            root = YAML.readTree(in);
        } catch (IOException e) {
            throw new FeatureSpecException(location, List.of("cannot be read: " + e.getMessage()));
        }
        return new FeatureSpecLoader(location).parse(root);
    }

    /** Parses a spec from YAML text; {@code source} names it in errors. */
    public static FeatureSpec parse(String source, String yaml) {
        try {
            return new FeatureSpecLoader(source).parse(YAML.readTree(yaml));
        } catch (IOException e) {
            throw new FeatureSpecException(source, List.of("is not valid YAML: " + e.getMessage()));
        }
    }

    private static InputStream open(String location) throws IOException {
        if (location.startsWith(CLASSPATH)) {
            String resource = location.substring(CLASSPATH.length());
            InputStream in = FeatureSpecLoader.class.getClassLoader().getResourceAsStream(resource);
            if (in == null) {
                throw new IOException("no resource " + resource + " on the classpath");
            }
            return in;
        }
        Path path = Path.of(location);
        if (!Files.isRegularFile(path)) {
            throw new IOException("no file " + path.toAbsolutePath());
        }
        return Files.newInputStream(path);
    }

    private FeatureSpec parse(JsonNode root) {
        if (root == null || !root.isObject()) {
            fail("the spec must be a map with name, version, entities and features");
        }
        expectKeys(root, "the spec", "name", "version", "entities", "features");
        String name = text(root, "name", "the spec");
        if (name != null && !name.matches("[a-z][a-z0-9_-]*")) {
            problems.add("name \"" + name + "\" must be lower-case letters, digits, - and _");
        }
        JsonNode versionNode = root.path("version");
        int version = versionNode.asInt(0);
        if (!versionNode.isInt() || version < 1) {
            problems.add(
                    "version must be a whole number of at least 1, got " + describe(versionNode));
        }
        Map<String, EntitySpec> entities = entities(root.path("entities"));
        List<Feature> features = features(root.path("features"), entities);
        if (!problems.isEmpty()) {
            throw new FeatureSpecException(source, problems);
        }
        return new FeatureSpec(name, version, List.copyOf(entities.values()), features);
    }

    private Map<String, EntitySpec> entities(JsonNode list) {
        Map<String, EntitySpec> entities = new LinkedHashMap<>();
        if (!list.isArray() || list.isEmpty()) {
            problems.add("entities must list at least one entity");
            return entities;
        }
        for (int i = 0; i < list.size(); i++) {
            JsonNode node = list.get(i);
            String where = "entities[" + i + "]";
            if (!node.isObject()) {
                problems.add(where + ": must be a map");
                continue;
            }
            String name = text(node, "name", where);
            where = name == null ? where : "entity " + name;
            expectKeys(node, where, "name", "key", "bucket", "ordered", "settle");
            if (name != null && !name.matches(NAME_PATTERN)) {
                problems.add(where + ": name must be lower-case letters, digits and _");
            }
            EventField key = field(node, "key", where);
            if (key != null && key.isNumeric()) {
                problems.add(where + ": key " + key.wireName() + " is numeric; use an id field");
            }
            Duration bucket = duration(node, "bucket", where, Duration.ofMinutes(1));
            boolean ordered = node.path("ordered").asBoolean(false);
            if (node.has("ordered") && !node.get("ordered").isBoolean()) {
                problems.add(where + ": ordered must be true or false");
            }
            Duration settle;
            if (ordered) {
                if (node.has("settle")) {
                    problems.add(where + ": settle is for entities that are not ordered");
                }
                settle = Duration.ZERO;
            } else {
                settle = duration(node, "settle", where, bucket);
            }
            if (bucket != null && bucket.toMillis() < 1_000) {
                problems.add(where + ": bucket must be at least 1 s, got " + format(bucket));
                bucket = null;
            }
            if (name != null && entities.containsKey(name)) {
                problems.add(where + ": duplicate entity name");
            } else if (name != null && key != null && bucket != null && settle != null) {
                entities.put(name, new EntitySpec(name, key, bucket, ordered, settle));
            } else if (name != null) {
                refusedEntities.add(name);
            }
        }
        return entities;
    }

    private List<Feature> features(JsonNode list, Map<String, EntitySpec> entities) {
        List<Feature> features = new ArrayList<>();
        if (!list.isArray() || list.isEmpty()) {
            problems.add("features must list at least one feature");
            return features;
        }
        Set<String> columns = new HashSet<>();
        for (int i = 0; i < list.size(); i++) {
            JsonNode node = list.get(i);
            String where = "features[" + i + "]";
            if (!node.isObject()) {
                problems.add(where + ": must be a map");
                continue;
            }
            String name = text(node, "name", where);
            if (name == null) {
                continue;
            }
            where = "feature " + name;
            if (!name.matches(NAME_PATTERN)) {
                problems.add(where + ": name must be lower-case letters, digits and _");
            }
            Feature feature =
                    node.has("entity") || node.has("aggregate")
                            ? aggregate(node, where, name, entities)
                            : eventFeature(node, where, name);
            if (feature == null) {
                continue;
            }
            for (String column : feature.columns()) {
                if (!columns.add(column)) {
                    problems.add(where + ": duplicate name " + column);
                }
            }
            features.add(feature);
        }
        return features;
    }

    private Feature eventFeature(JsonNode node, String where, String name) {
        if (node.has("time")) {
            expectKeys(node, where, "name", "time");
            String time = node.path("time").asText();
            return switch (time) {
                case "hour-of-day" ->
                        new EventFeature(
                                name, EventFeature.Kind.HOUR_OF_DAY, null, Transform.NONE, null, 0);
                case "day-of-week" ->
                        new EventFeature(
                                name, EventFeature.Kind.DAY_OF_WEEK, null, Transform.NONE, null, 0);
                default -> {
                    problems.add(
                            where
                                    + ": time must be hour-of-day or day-of-week, got \""
                                    + time
                                    + "\"");
                    yield null;
                }
            };
        }
        expectKeys(node, where, "name", "field", "transform", "one-hot", "hash-buckets");
        EventField field = field(node, "field", where);
        if (field == null) {
            return null;
        }
        if (node.has("one-hot") || node.has("hash-buckets")) {
            if (field.isNumeric()) {
                problems.add(
                        where
                                + ": "
                                + field.wireName()
                                + " is numeric; one-hot and hash-buckets take a categorical field");
                return null;
            }
            if (node.has("one-hot") && node.has("hash-buckets")) {
                problems.add(where + ": choose one of one-hot and hash-buckets");
                return null;
            }
            if (node.has("hash-buckets")) {
                JsonNode buckets = node.get("hash-buckets");
                if (!buckets.isInt() || buckets.asInt() < 2 || buckets.asInt() > 1024) {
                    problems.add(
                            where
                                    + ": hash-buckets must be a whole number from 2 to 1024, got "
                                    + describe(buckets));
                    return null;
                }
                return new EventFeature(
                        name,
                        EventFeature.Kind.HASHED,
                        field,
                        Transform.NONE,
                        null,
                        buckets.asInt());
            }
            List<String> values = new ArrayList<>();
            JsonNode valueNodes = node.get("one-hot");
            if (!valueNodes.isArray() || valueNodes.isEmpty()) {
                problems.add(where + ": one-hot must list the values to encode");
                return null;
            }
            for (JsonNode value : valueNodes) {
                String text = value.asText();
                if (!value.isValueNode()
                        || values.contains(text)
                        || !text.toLowerCase(Locale.ROOT).matches("[a-z0-9_]+")) {
                    problems.add(
                            where
                                    + ": one-hot values must be distinct words, got "
                                    + describe(value));
                    return null;
                }
                values.add(text);
            }
            if (node.has("transform")) {
                problems.add(where + ": transform applies to numeric fields only");
            }
            return new EventFeature(
                    name, EventFeature.Kind.ONE_HOT, field, Transform.NONE, values, 0);
        }
        if (!field.isNumeric()) {
            problems.add(
                    where
                            + ": "
                            + field.wireName()
                            + " is categorical; encode it with one-hot or hash-buckets");
            return null;
        }
        return new EventFeature(
                name, EventFeature.Kind.NUMERIC, field, transform(node, where), null, 0);
    }

    private Feature aggregate(
            JsonNode node, String where, String name, Map<String, EntitySpec> entities) {
        expectKeys(node, where, "name", "entity", "aggregate", "field", "window", "transform");
        String entityName = text(node, "entity", where);
        EntitySpec entity = entityName == null ? null : entities.get(entityName);
        if (entityName != null && entity == null && !refusedEntities.contains(entityName)) {
            problems.add(
                    where
                            + ": unknown entity \""
                            + entityName
                            + "\" (known: "
                            + String.join(", ", entities.keySet())
                            + ")");
        }
        String aggregateName = text(node, "aggregate", where);
        Aggregate aggregate = null;
        if (aggregateName != null) {
            try {
                aggregate =
                        Aggregate.valueOf(aggregateName.toUpperCase(Locale.ROOT).replace('-', '_'));
            } catch (IllegalArgumentException e) {
                problems.add(
                        where
                                + ": unknown aggregate \""
                                + aggregateName
                                + "\" (known: count, sum, mean, min, max, stddev, zscore, distinct, first-seen, time-since-previous)");
            }
        }
        EventField field = null;
        if (aggregate != null) {
            Aggregate.Field kind = aggregate.field();
            if (kind == Aggregate.Field.NONE) {
                if (node.has("field")) {
                    problems.add(where + ": " + aggregateName + " takes no field");
                }
            } else {
                field = field(node, "field", where);
                if (field != null && field.isNumeric() != (kind == Aggregate.Field.NUMERIC)) {
                    problems.add(
                            where
                                    + ": "
                                    + aggregateName
                                    + " needs a "
                                    + kind.name().toLowerCase(Locale.ROOT)
                                    + " field, "
                                    + field.wireName()
                                    + " is not");
                    field = null;
                }
            }
            if (aggregate == Aggregate.TIME_SINCE_PREVIOUS && entity != null && !entity.ordered()) {
                problems.add(
                        where
                                + ": time-since-previous needs an ordered entity; the previous event of "
                                + entity.name()
                                + " depends on arrival across partitions");
            }
        }
        Duration window = duration(node, "window", where, null);
        if (window == null && !node.has("window")) {
            problems.add(where + ": window is required");
        }
        if (window != null
                && entity != null
                && (window.isZero()
                        || window.isNegative()
                        || window.toMillis() % entity.bucketMs() != 0)) {
            problems.add(
                    where
                            + ": window "
                            + format(window)
                            + " must be a positive multiple of "
                            + entity.name()
                            + "'s bucket ("
                            + format(entity.bucket())
                            + ")");
        }
        Transform transform = transform(node, where);
        if (entity == null
                || aggregate == null
                || window == null
                || (aggregate.field() != Aggregate.Field.NONE && field == null)) {
            return null;
        }
        return new AggregateFeature(name, entity.name(), aggregate, field, window, transform);
    }

    private Transform transform(JsonNode node, String where) {
        JsonNode transform = node.path("transform");
        if (transform.isMissingNode() || transform.isNull() || "none".equals(transform.asText())) {
            return Transform.NONE;
        }
        if ("log1p".equals(transform.asText())) {
            return Transform.LOG1P;
        }
        JsonNode clip = transform.path("clip");
        if (clip.isArray()
                && clip.size() == 2
                && clip.get(0).isNumber()
                && clip.get(1).isNumber()
                && clip.get(0).asDouble() < clip.get(1).asDouble()) {
            return Transform.clip(clip.get(0).asDouble(), clip.get(1).asDouble());
        }
        problems.add(
                where
                        + ": transform must be none, log1p or {clip: [min, max]} with min < max, got "
                        + describe(transform));
        return Transform.NONE;
    }

    private EventField field(JsonNode node, String key, String where) {
        String name = text(node, key, where);
        if (name == null) {
            return null;
        }
        EventField field = EventField.byName(name);
        if (field == null) {
            problems.add(
                    where
                            + ": unknown field \""
                            + name
                            + "\" (known: "
                            + String.join(", ", EventField.names())
                            + ")");
        }
        return field;
    }

    private Duration duration(JsonNode node, String key, String where, Duration fallback) {
        JsonNode value = node.path(key);
        if (value.isMissingNode()) {
            return fallback;
        }
        try {
            Duration duration = TimeUtils.parseDuration(value.asText());
            if (duration.isNegative()) {
                throw new IllegalArgumentException("negative");
            }
            return duration;
        } catch (IllegalArgumentException e) {
            problems.add(
                    where
                            + ": "
                            + key
                            + " must be a duration like 1 min or 24 h, got "
                            + describe(value));
            return null;
        }
    }

    private String text(JsonNode node, String key, String where) {
        JsonNode value = node.path(key);
        if (!value.isTextual() || value.asText().isBlank()) {
            problems.add(where + ": " + key + " is required (a non-empty string)");
            return null;
        }
        return value.asText();
    }

    private void expectKeys(JsonNode node, String where, String... known) {
        Set<String> allowed = Set.of(known);
        Iterator<String> keys = node.fieldNames();
        while (keys.hasNext()) {
            String key = keys.next();
            if (!allowed.contains(key)) {
                problems.add(
                        where
                                + ": unknown key \""
                                + key
                                + "\" (allowed: "
                                + String.join(", ", known)
                                + ")");
            }
        }
    }

    private void fail(String problem) {
        throw new FeatureSpecException(source, List.of(problem));
    }

    private static String format(Duration duration) {
        return TimeUtils.formatWithHighestUnit(duration);
    }

    private static String describe(JsonNode node) {
        return node.isMissingNode() ? "nothing" : node.toString();
    }
}
