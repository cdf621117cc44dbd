package io.rtml.sink;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.io.NumberOutput;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rtml.inference.Prediction;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The prediction record (documented in the README), as written to the predictions topic and to
 * Redis, and read back by the command line and the tests.
 */
public final class PredictionJson {
    /** The record's layout version (schemas/prediction.schema.json); records before it lack it. */
    public static final int RECORD_VERSION = 1;

    public static final String SCHEMA_VERSION = "schema_version";
    public static final String EVENT_ID = "event_id";
    public static final String CARD_ID = "card_id";
    public static final String EVENT_TIME_MS = "event_time_ms";
    public static final String INGEST_TIME_MS = "ingest_time_ms";
    public static final String SCORED_TIME_MS = "scored_time_ms";
    public static final String SCORE = "score";
    public static final String DECISION = "decision";
    public static final String MODEL = "model";
    public static final String MODEL_VERSION = "model_version";
    public static final String FEATURE_SET = "feature_set";
    public static final String FALLBACK = "fallback";

    /** Scores as the shortest decimal that reads back as the same float (Schubfach). */
    private static final JsonFactory JSON =
            JsonFactory.builder().enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER).build();

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final int NEGATIVE_ZERO = Float.floatToRawIntBits(-0f);

    private PredictionJson() {}

    public static byte[] write(Prediction prediction) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            json.writeNumberField(SCHEMA_VERSION, RECORD_VERSION);
            json.writeStringField(EVENT_ID, prediction.eventId);
            json.writeStringField(CARD_ID, prediction.cardId);
            json.writeNumberField(EVENT_TIME_MS, prediction.eventTimeMs);
            json.writeNumberField(INGEST_TIME_MS, prediction.ingestTimeMs);
            json.writeNumberField(SCORED_TIME_MS, prediction.scoredTimeMs);
            json.writeNumberField(SCORE, prediction.score);
            json.writeStringField(DECISION, prediction.decision);
            json.writeStringField(MODEL, prediction.modelName);
            json.writeStringField(MODEL_VERSION, prediction.modelVersion);
            json.writeStringField(FEATURE_SET, prediction.featureSet);
            json.writeStringField(FALLBACK, prediction.fallbackReason);
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** {@link #write}, kept on the prediction: the sinks that take the same one share it. */
    public static byte[] writeOnce(Prediction prediction) {
        byte[] json = prediction.json;
        if (json == null) {
            json = write(prediction);
            prediction.json = json;
        }
        return json;
    }

    /**
     * The features as a JSON object of name to value, as stored in Redis; each value the shortest
     * decimal that reads back as the same float, in {@link Float#toString} notation.
     */
    public static String writeFeatures(List<String> names, float[] values) {
        StringBuilder json = new StringBuilder(32 * names.size()).append('{');
        for (int i = 0; i < values.length; i++) {
            if (i > 0) {
                json.append(',');
            }
            json.append('"').append(names.get(i)).append("\":");
            appendFloat(json, values[i]);
        }
        return json.append('}').toString();
    }

    /**
     * Appends {@code value} as {@link Float#toString} writes it, but the shortest decimal that
     * reads back as the same float. Whole numbers (one-hot columns, counts: most of a vector) take
     * a short way.
     */
    static void appendFloat(StringBuilder json, float value) {
        int whole = (int) value;
        if (whole == value
                && Math.abs(whole) < 10_000_000
                && Float.floatToRawIntBits(value) != NEGATIVE_ZERO) {
            json.append(whole).append(".0");
        } else {
            json.append(NumberOutput.toString(value, true));
        }
    }

    /** Reads a prediction record; its features are not in it and stay {@code null}. */
    public static Prediction read(byte[] bytes) {
        JsonNode node;
        try {
            node = MAPPER.readTree(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("not a prediction record", e);
        }
        Prediction prediction = new Prediction();
        prediction.eventId = node.path(EVENT_ID).asText(null);
        prediction.cardId = node.path(CARD_ID).asText(null);
        prediction.eventTimeMs = node.path(EVENT_TIME_MS).asLong();
        prediction.ingestTimeMs = node.path(INGEST_TIME_MS).asLong();
        prediction.scoredTimeMs = node.path(SCORED_TIME_MS).asLong();
        prediction.score = (float) node.path(SCORE).asDouble();
        prediction.decision = node.path(DECISION).asText(null);
        prediction.modelName = node.path(MODEL).asText(null);
        prediction.modelVersion = node.path(MODEL_VERSION).asText(null);
        prediction.featureSet = node.path(FEATURE_SET).asText(null);
        prediction.fallbackReason =
                node.path(FALLBACK).isNull() ? null : node.path(FALLBACK).asText();
        return prediction;
    }
}
