package io.rtml.sink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rtml.inference.Prediction;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The prediction record (documented in docs/contracts.md), as written to the predictions topic and
 * to Redis, and read back by the command line and the tests.
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

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private PredictionJson() {}

    /** The record, compact, its score the shortest decimal that reads back as the same float. */
    public static byte[] write(Prediction prediction) {
        return new JsonBytes(256)
                .startObject()
                .name(SCHEMA_VERSION)
                .value((long) RECORD_VERSION)
                .name(EVENT_ID)
                .value(prediction.eventId)
                .name(CARD_ID)
                .value(prediction.cardId)
                .name(EVENT_TIME_MS)
                .value(prediction.eventTimeMs)
                .name(INGEST_TIME_MS)
                .value(prediction.ingestTimeMs)
                .name(SCORED_TIME_MS)
                .value(prediction.scoredTimeMs)
                .name(SCORE)
                .value(prediction.score)
                .name(DECISION)
                .value(prediction.decision)
                .name(MODEL)
                .value(prediction.modelName)
                .name(MODEL_VERSION)
                .value(prediction.modelVersion)
                .name(FEATURE_SET)
                .value(prediction.featureSet)
                .name(FALLBACK)
                .value(prediction.fallbackReason)
                .endObject()
                .toByteArray();
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
     * The feature values as a JSON array, in the feature set's order, as stored in Redis; each the
     * shortest decimal that reads back as the same float, in {@link Float#toString} notation.
     */
    public static byte[] featureValues(float[] values) {
        JsonBytes json = new JsonBytes(8 * values.length + 2).startArray();
        for (float value : values) {
            json.value(value);
        }
        return json.endArray().toByteArray();
    }

    /**
     * The features as a JSON object of name to value, as the feature log keeps them; each value as
     * in {@link #featureValues}. The names are the spec's, which need no escape.
     */
    public static String writeFeatures(List<String> names, float[] values) {
        JsonBytes json = new JsonBytes(32 * values.length + 2).startObject();
        for (int i = 0; i < values.length; i++) {
            json.name(names.get(i)).value(values[i]);
        }
        return new String(json.endObject().toByteArray(), StandardCharsets.US_ASCII);
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
