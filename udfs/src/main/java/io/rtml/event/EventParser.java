package io.rtml.event;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.IOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/**
 * Parses and validates event contract v1 (see docs/contracts.md). Unknown fields are ignored; a
 * missing required field, a wrong type or an out-of-range value is an {@link InvalidEventException}
 * that names the field. Thread-safe and allocation-light: it streams the JSON instead of building a
 * tree.
 */
public final class EventParser {
    /** Events are a few hundred bytes; anything larger than this is refused unread. */
    public static final int MAX_EVENT_BYTES = 64 * 1024;

    static final int MAX_ID_LENGTH = 128;
    static final double MAX_AMOUNT = 1_000_000_000d;
    static final long MIN_EVENT_TIME_MS = Instant.parse("2000-01-01T00:00:00Z").toEpochMilli();
    static final long MAX_EVENT_TIME_MS = Instant.parse("2100-01-01T00:00:00Z").toEpochMilli();

    private static final JsonFactory JSON =
            JsonFactory.builder()
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .streamReadConstraints(
                            StreamReadConstraints.builder()
                                    .maxNestingDepth(32)
                                    .maxNumberLength(64)
                                    .maxStringLength(MAX_EVENT_BYTES)
                                    .build())
                    .build();

    private EventParser() {}

    /** Parses one record's value; {@code ingestTimeMs} is the Kafka record's timestamp. */
    public static TransactionEvent parse(byte[] value, long ingestTimeMs)
            throws InvalidEventException {
        if (value == null || value.length == 0) {
            throw new InvalidEventException(null, "empty record");
        }
        if (value.length > MAX_EVENT_BYTES) {
            throw new InvalidEventException(
                    null,
                    "record of "
                            + value.length
                            + " bytes exceeds the "
                            + MAX_EVENT_BYTES
                            + "-byte limit");
        }
        TransactionEvent event = new TransactionEvent();
        event.ingestTimeMs = ingestTimeMs;
        boolean amountSeen = false;
        boolean timeSeen = false;
        try (JsonParser parser = JSON.createParser(value)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new InvalidEventException(null, "not a JSON object");
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken token = parser.nextToken();
                switch (field) {
                    case EventFields.VERSION -> checkVersion(parser, token);
                    case EventFields.EVENT_ID -> event.eventId = id(parser, token, field);
                    case EventFields.CARD_ID -> event.cardId = id(parser, token, field);
                    case EventFields.MERCHANT_ID -> event.merchantId = id(parser, token, field);
                    case EventFields.MERCHANT_CATEGORY ->
                            event.merchantCategory =
                                    token == JsonToken.VALUE_NULL
                                            ? null
                                            : merchantCategory(parser, token);
                    case EventFields.AMOUNT -> {
                        event.amount = amount(parser, token);
                        amountSeen = true;
                    }
                    case EventFields.CURRENCY -> event.currency = code(parser, token, field, 3);
                    case EventFields.COUNTRY -> event.country = code(parser, token, field, 2);
                    case EventFields.CHANNEL -> event.channel = channel(parser, token);
                    case EventFields.EVENT_TIME -> {
                        event.eventTimeMs = eventTime(parser, token);
                        timeSeen = true;
                    }
                    case EventFields.DEVICE_ID ->
                            event.deviceId =
                                    token == JsonToken.VALUE_NULL ? null : id(parser, token, field);
                    default -> parser.skipChildren();
                }
            }
            if (parser.currentToken() != JsonToken.END_OBJECT || parser.nextToken() != null) {
                throw new InvalidEventException(null, "trailing content after the JSON object");
            }
        } catch (JsonParseException e) {
            throw new InvalidEventException(null, "malformed JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new InvalidEventException(null, "unreadable record: " + e.getMessage());
        }
        require(event.eventId, EventFields.EVENT_ID);
        require(event.cardId, EventFields.CARD_ID);
        require(event.merchantId, EventFields.MERCHANT_ID);
        require(amountSeen ? "" : null, EventFields.AMOUNT);
        require(event.currency, EventFields.CURRENCY);
        require(event.country, EventFields.COUNTRY);
        require(event.channel, EventFields.CHANNEL);
        require(timeSeen ? "" : null, EventFields.EVENT_TIME);
        return event;
    }

    private static void require(Object value, String field) throws InvalidEventException {
        if (value == null) {
            throw new InvalidEventException(field, "required field is missing");
        }
    }

    private static void checkVersion(JsonParser parser, JsonToken token)
            throws IOException, InvalidEventException {
        if (token != JsonToken.VALUE_NUMBER_INT
                || parser.getNumberType() != JsonParser.NumberType.INT
                || parser.getIntValue() != EventFields.SCHEMA_VERSION) {
            throw new InvalidEventException(
                    EventFields.VERSION,
                    "unsupported schema version "
                            + describe(parser, token)
                            + ", this job reads version "
                            + EventFields.SCHEMA_VERSION);
        }
    }

    private static String id(JsonParser parser, JsonToken token, String field)
            throws IOException, InvalidEventException {
        String text = string(parser, token, field);
        if (text.isBlank()) {
            throw new InvalidEventException(field, "must not be blank");
        }
        // Characters are code points, as JSON Schema's maxLength counts them (an emoji is one).
        int length = text.codePointCount(0, text.length());
        if (length > MAX_ID_LENGTH) {
            throw new InvalidEventException(
                    field, "longer than " + MAX_ID_LENGTH + " characters (" + length + ")");
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isISOControl(c)) {
                throw new InvalidEventException(field, "contains a control character");
            }
            // An unpaired surrogate is not Unicode: as UTF-8 (Redis keys, Kafka keys) it would
            // become '?' and two different ids one key.
            if (Character.isHighSurrogate(c)
                    && i + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new InvalidEventException(field, "contains an unpaired surrogate");
            }
        }
        return text;
    }

    private static String code(JsonParser parser, JsonToken token, String field, int length)
            throws IOException, InvalidEventException {
        String text = string(parser, token, field);
        if (!spans(text, length, 'A', 'Z')) {
            throw new InvalidEventException(
                    field, "expected " + length + " upper-case letters, got " + quote(text));
        }
        return text;
    }

    /** An ISO 18245 merchant category code: exactly four ASCII digits, kept as text ("0742"). */
    private static String merchantCategory(JsonParser parser, JsonToken token)
            throws IOException, InvalidEventException {
        String text = string(parser, token, EventFields.MERCHANT_CATEGORY);
        if (!spans(text, 4, '0', '9')) {
            throw new InvalidEventException(
                    EventFields.MERCHANT_CATEGORY,
                    "expected a four-digit ISO 18245 merchant category code such as \"5411\", got "
                            + quote(text));
        }
        return text;
    }

    /**
     * Whether {@code text} is exactly {@code length} characters, each from {@code first} to {@code
     * last}.
     */
    private static boolean spans(String text, int length, char first, char last) {
        if (text.length() != length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            if (c < first || c > last) {
                return false;
            }
        }
        return true;
    }

    private static Channel channel(JsonParser parser, JsonToken token)
            throws IOException, InvalidEventException {
        String text = string(parser, token, EventFields.CHANNEL);
        Channel channel = Channel.fromWireName(text);
        if (channel == null) {
            throw new InvalidEventException(
                    EventFields.CHANNEL, "expected one of pos, online, atm, got " + quote(text));
        }
        return channel;
    }

    private static double amount(JsonParser parser, JsonToken token)
            throws IOException, InvalidEventException {
        if (token != JsonToken.VALUE_NUMBER_INT && token != JsonToken.VALUE_NUMBER_FLOAT) {
            throw new InvalidEventException(
                    EventFields.AMOUNT, "expected a number, got " + describe(parser, token));
        }
        double amount = parser.getDoubleValue();
        if (!Double.isFinite(amount) || amount < 0 || amount > MAX_AMOUNT) {
            throw new InvalidEventException(
                    EventFields.AMOUNT,
                    "must be between 0 and " + (long) MAX_AMOUNT + ", got " + parser.getText());
        }
        return amount;
    }

    private static long eventTime(JsonParser parser, JsonToken token)
            throws IOException, InvalidEventException {
        long millis;
        if (token == JsonToken.VALUE_NUMBER_INT) {
            if (parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                throw new InvalidEventException(
                        EventFields.EVENT_TIME, "out of range: " + parser.getText());
            }
            millis = parser.getLongValue();
        } else if (token == JsonToken.VALUE_STRING) {
            try {
                millis = OffsetDateTime.parse(parser.getText()).toInstant().toEpochMilli();
            } catch (DateTimeParseException | ArithmeticException e) {
                throw new InvalidEventException(
                        EventFields.EVENT_TIME,
                        "expected an ISO-8601 timestamp with offset (2026-11-23T10:15:30.123Z)"
                                + " or epoch milliseconds, got "
                                + quote(parser.getText()));
            }
        } else {
            throw new InvalidEventException(
                    EventFields.EVENT_TIME,
                    "expected a timestamp string or epoch milliseconds, got "
                            + describe(parser, token));
        }
        if (millis < MIN_EVENT_TIME_MS || millis >= MAX_EVENT_TIME_MS) {
            throw new InvalidEventException(
                    EventFields.EVENT_TIME,
                    "must be between 2000-01-01 and 2100-01-01, got "
                            + Instant.ofEpochMilli(millis));
        }
        return millis;
    }

    private static String string(JsonParser parser, JsonToken token, String field)
            throws IOException, InvalidEventException {
        if (token != JsonToken.VALUE_STRING) {
            throw new InvalidEventException(
                    field, "expected a string, got " + describe(parser, token));
        }
        return parser.getText();
    }

    private static String describe(JsonParser parser, JsonToken token) throws IOException {
        return switch (token) {
            case VALUE_STRING -> "the string " + quote(parser.getText());
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "the number " + parser.getText();
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            default -> String.valueOf(token);
        };
    }

    /** Quotes a value for an error message, cut short so a hostile value cannot flood the DLQ. */
    private static String quote(String text) {
        return text.length() <= 40 ? '"' + text + '"' : '"' + text.substring(0, 40) + "\"...";
    }
}
