package io.rtml.job.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.rtml.features.spec.FeatureSpec;
import io.rtml.features.spec.FeatureSpecException;
import io.rtml.features.spec.FeatureSpecLoader;
import io.rtml.job.Endpoints;
import io.rtml.job.config.ConfigOptions;
import io.rtml.job.config.RedisOptions;
import io.rtml.job.config.RtmlConfig;
import io.rtml.job.config.RtmlOptions;
import io.rtml.sink.RedisClients;
import io.rtml.sink.RedisSettings;
import io.rtml.sink.RedisSink;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisException;

/**
 * {@code rtml lookup}: a card's latest prediction and the online features it was scored with, as
 * the job keeps them in Redis (docs/contracts.md, "Redis").
 */
@Command(
        name = "lookup",
        mixinStandardHelpOptions = true,
        description = {
            "Prints a card's latest prediction and the features it was scored with, from the",
            "hash the job keeps in Redis (<key prefix>card:<card id>). Exits 1 when there is",
            "none: the card has not transacted, its entry expired (redis.ttl), or the job writes",
            "to another Redis or key prefix."
        })
final class LookupCommand implements Callable<Integer> {
    /** How the entry is printed. */
    enum Format {
        text,
        json
    }

    private static final JsonFactory JSON = new JsonFactory();
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS 'UTC'").withZone(ZoneOffset.UTC);

    @Spec CommandSpec spec;

    @Parameters(paramLabel = "CARD_ID", description = "The card.")
    String cardId;

    @Mixin ConfigOptions options;
    @Mixin RedisOptions redis;

    @Option(
            names = "--feature-spec",
            paramLabel = "SPEC",
            description =
                    "The job's features.spec, which names the feature values (default:"
                            + " features.spec); values of another feature set print by"
                            + " position.")
    String featureSpec;

    @Option(
            names = "--format",
            paramLabel = "text|json",
            description =
                    "text (default) or json: {\"card_id\", \"key\", \"ttl_ms\", \"prediction\","
                            + " \"features\"} with the prediction and features as written.")
    Format format = Format.text;

    private String redisUri;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        RtmlConfig config = options.withoutModel(redis);
        // Secrets stay references in the configuration; this client reads them, as the sink does.
        RedisSettings settings = config.redis().resolved();
        redisUri = settings.uri();
        if (featureSpec == null) {
            featureSpec = config.get(RtmlOptions.FEATURE_SPEC);
        }
        String key = RedisSink.key(settings.keyPrefix(), cardId);
        Map<String, String> entry;
        long ttlMs;
        // The sink's connection: AUTH and TLS as the job writes.
        try (Jedis jedis = RedisClients.connect(settings, 2_000, 2_000)) {
            entry = jedis.hgetAll(key);
            ttlMs = jedis.pttl(key);
        } catch (JedisConnectionException e) {
            err.println("rtml lookup: " + Endpoints.redisUnreachable(redisUri));
            return 1;
        } catch (JedisException e) {
            err.printf(
                    "rtml lookup: cannot read %s at %s: %s%n",
                    key, Endpoints.redacted(redisUri), e.getMessage());
            return 1;
        }
        String prediction = entry.get("prediction");
        if (prediction == null) {
            err.printf(
                    "rtml lookup: no prediction for card %s in Redis at %s (key %s)%n",
                    cardId, Endpoints.redacted(redisUri), key);
            return 1;
        }
        String features = entry.getOrDefault("features", "[]");
        Map<String, String> predictionFields;
        Map<String, String> featureValues;
        try {
            predictionFields = fields(prediction);
            featureValues = named(values(features), predictionFields.get("feature_set"));
        } catch (IOException e) {
            err.printf(
                    "rtml lookup: %s does not hold a prediction written by rtml: %s%n",
                    key, e.getMessage());
            return 1;
        }
        if (format == Format.json) {
            out.println(json(key, ttlMs, prediction, features));
        } else {
            text(out, key, ttlMs, predictionFields, featureValues);
        }
        out.flush();
        return 0;
    }

    private void text(
            PrintWriter out,
            String key,
            long ttlMs,
            Map<String, String> prediction,
            Map<String, String> features) {
        out.printf(
                "card %s  (key %s at %s, %s)%n",
                cardId, key, Endpoints.redacted(redisUri), expiry(ttlMs));
        out.println();
        out.println("prediction");
        int width = prediction.keySet().stream().mapToInt(String::length).max().orElse(0);
        prediction.forEach(
                (name, value) -> {
                    String shown = value;
                    if (name.endsWith("_time_ms") && value.matches("-?\\d{1,18}")) {
                        shown =
                                value
                                        + "  ("
                                        + TIME.format(Instant.ofEpochMilli(Long.parseLong(value)))
                                        + ")";
                    }
                    out.printf("  %-" + width + "s  %s%n", name, shown);
                });
        out.println();
        out.printf("features (%d)%n", features.size());
        features.forEach((name, value) -> out.printf("  %s=%s%n", name, value));
    }

    /** "expires in 6 d 23 h 59 min", or "no expiry". */
    static String expiry(long ttlMs) {
        if (ttlMs < 0) {
            return "no expiry";
        }
        Duration left = Duration.ofMillis(ttlMs);
        StringBuilder text = new StringBuilder("expires in");
        if (left.toDays() > 0) {
            text.append(' ').append(left.toDays()).append(" d");
        }
        if (left.toHours() > 0) {
            text.append(' ').append(left.toHoursPart()).append(" h");
        }
        if (left.toMinutes() > 0) {
            text.append(' ').append(left.toMinutesPart()).append(" min");
        } else {
            text.append(' ').append(left.toSecondsPart()).append(" s");
        }
        return text.toString();
    }

    private String json(String key, long ttlMs, String prediction, String features) {
        StringWriter text = new StringWriter();
        try (JsonGenerator json = JSON.createGenerator(text)) {
            json.writeStartObject();
            json.writeStringField("card_id", cardId);
            json.writeStringField("key", key);
            json.writeNumberField("ttl_ms", ttlMs);
            json.writeFieldName("prediction");
            json.writeRawValue(prediction);
            json.writeFieldName("features");
            json.writeRawValue(features);
            json.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return text.toString();
    }

    /** The values of a JSON array of numbers, as written. */
    static List<String> values(String array) throws IOException {
        List<String> values = new ArrayList<>();
        try (JsonParser parser = JSON.createParser(array)) {
            if (parser.nextToken() != JsonToken.START_ARRAY) {
                throw new IOException("the features are not a JSON array");
            }
            while (parser.nextToken() != JsonToken.END_ARRAY) {
                values.add(parser.getText());
            }
        }
        return values;
    }

    /**
     * The values by the names of the feature set's columns, when {@code --feature-spec} is that
     * feature set; else by position.
     */
    private Map<String, String> named(List<String> values, String featureSet) {
        List<String> names = List.of();
        try {
            FeatureSpec named = FeatureSpecLoader.load(featureSpec);
            if (named.id().equals(featureSet) && named.columns().size() == values.size()) {
                names = named.columns();
            }
        } catch (FeatureSpecException e) {
            spec.commandLine()
                    .getErr()
                    .printf(
                            "rtml lookup: --feature-spec: %s; features by position%n",
                            e.getMessage());
        }
        Map<String, String> byName = new LinkedHashMap<>();
        for (int i = 0; i < values.size(); i++) {
            byName.put(names.isEmpty() ? "#" + i : names.get(i), values.get(i));
        }
        return byName;
    }

    /**
     * A JSON object's fields, each value as written (scalars' text; objects and arrays as JSON).
     */
    static Map<String, String> fields(String object) throws IOException {
        Map<String, String> fields = new LinkedHashMap<>();
        try (JsonParser parser = JSON.createParser(object)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("not a JSON object");
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.getCurrentName();
                JsonToken value = parser.nextToken();
                if (value == JsonToken.START_OBJECT || value == JsonToken.START_ARRAY) {
                    int start = (int) parser.currentTokenLocation().getCharOffset();
                    parser.skipChildren();
                    int end = (int) parser.currentLocation().getCharOffset();
                    fields.put(name, object.substring(start, end));
                } else {
                    fields.put(name, parser.getText());
                }
            }
        }
        return fields;
    }
}
