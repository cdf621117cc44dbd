package io.rtml.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class EventParserTest {
    private static final long INGEST_TIME_MS = 1_795_430_000_000L;
    private static final String EVENT_TIME = "2026-11-23T10:15:30.123Z";
    private static final long EVENT_TIME_MS = Instant.parse(EVENT_TIME).toEpochMilli();

    // ---- valid events ----

    @Test
    void readsEveryFieldOfAValidEvent() throws Exception {
        TransactionEvent event = EventParser.parse(json(validFields()), INGEST_TIME_MS);

        assertThat(event.eventId).isEqualTo("e-1");
        assertThat(event.cardId).isEqualTo("card-1");
        assertThat(event.merchantId).isEqualTo("m-1");
        assertThat(event.merchantCategory).isEqualTo("5816");
        assertThat(event.amount).isEqualTo(12.5);
        assertThat(event.currency).isEqualTo("EUR");
        assertThat(event.country).isEqualTo("DE");
        assertThat(event.channel).isEqualTo(Channel.ONLINE);
        assertThat(event.eventTimeMs).isEqualTo(EVENT_TIME_MS);
        assertThat(event.deviceId).isEqualTo("d-1");
        assertThat(event.ingestTimeMs).isEqualTo(INGEST_TIME_MS);
    }

    @Test
    void readsEventTimeGivenAsEpochMilliseconds() throws Exception {
        TransactionEvent event =
                EventParser.parse(with("event_time", Long.toString(EVENT_TIME_MS)), 0);

        assertThat(event.eventTimeMs).isEqualTo(EVENT_TIME_MS);
    }

    @Test
    void readsIsoEventTimeWithAnOffsetAsTheSameInstant() throws Exception {
        TransactionEvent event =
                EventParser.parse(with("event_time", "\"2026-11-23T12:15:30.123+02:00\""), 0);

        assertThat(event.eventTimeMs).isEqualTo(EVENT_TIME_MS);
    }

    @Test
    void readsAnEventWithoutDeviceIdAsHavingNone() throws Exception {
        assertThat(EventParser.parse(without("device_id"), 0).deviceId).isNull();
    }

    @Test
    void readsAnEventWithNullDeviceIdAsHavingNone() throws Exception {
        assertThat(EventParser.parse(with("device_id", "null"), 0).deviceId).isNull();
    }

    @Test
    void readsAnEventWithoutMerchantCategoryAsHavingNone() throws Exception {
        assertThat(EventParser.parse(without("merchant_category"), 0).merchantCategory).isNull();
        assertThat(EventParser.parse(with("merchant_category", "null"), 0).merchantCategory)
                .isNull();
    }

    @Test
    void keepsTheLeadingZeroOfAMerchantCategory() throws Exception {
        assertThat(EventParser.parse(with("merchant_category", "\"0742\""), 0).merchantCategory)
                .isEqualTo("0742");
    }

    @ParameterizedTest(name = "refuses merchant_category {0}")
    @ValueSource(strings = {"\"541\"", "\"54111\"", "\"54a1\"", "\"\"", "\" 5411\"", "\"٥٤١١\""})
    void refusesAMerchantCategoryThatIsNotFourDigits(String value) {
        assertRefused(
                with("merchant_category", value),
                "merchant_category",
                "merchant_category: expected a four-digit ISO 18245 merchant category code such as"
                        + " \"5411\", got "
                        + value);
    }

    @Test
    void readsAnIntegerAmount() throws Exception {
        assertThat(EventParser.parse(with("amount", "12"), 0).amount).isEqualTo(12.0);
    }

    @Test
    void acceptsTheAmountBounds() throws Exception {
        assertThat(EventParser.parse(with("amount", "0"), 0).amount).isEqualTo(0.0);
        assertThat(EventParser.parse(with("amount", "1000000000"), 0).amount).isEqualTo(1e9);
    }

    @ParameterizedTest(name = "reads channel {0}")
    @EnumSource(Channel.class)
    void readsEveryChannelByItsLowerCaseName(Channel channel) throws Exception {
        byte[] value = with("channel", '"' + channel.wireName() + '"');

        assertThat(EventParser.parse(value, 0).channel).isEqualTo(channel);
    }

    @Test
    void ignoresUnknownFieldsIncludingNestedObjectsAndArrays() throws Exception {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("trace", "{\"amount\":\"not a number\",\"deep\":[1,{\"card_id\":7},[null]]}");
        fields.putAll(validFields());
        fields.put("tags", "[\"a\",{\"currency\":false},[[],{}]]");
        fields.put("score", "1.5e3");
        fields.put("flag", "true");
        fields.put("nothing", "null");

        TransactionEvent event = EventParser.parse(json(fields), INGEST_TIME_MS);

        assertThat(event).isEqualTo(EventParser.parse(json(validFields()), INGEST_TIME_MS));
    }

    @Test
    void readsFieldsInAnyOrder() throws Exception {
        Map<String, String> reversed = new LinkedHashMap<>();
        validFields().entrySet().stream()
                .sorted(Map.Entry.<String, String>comparingByKey().reversed())
                .forEach(e -> reversed.put(e.getKey(), e.getValue()));

        assertThat(EventParser.parse(json(reversed), INGEST_TIME_MS))
                .isEqualTo(EventParser.parse(json(validFields()), INGEST_TIME_MS));
    }

    @Test
    void readsAnEventWithoutSchemaVersionAsVersion1() throws Exception {
        // Pins current behaviour: schema_version is optional, only a wrong one is refused.
        assertThat(EventParser.parse(without("schema_version"), INGEST_TIME_MS))
                .isEqualTo(EventParser.parse(json(validFields()), INGEST_TIME_MS));
    }

    @Test
    void acceptsWhitespaceAroundTheObject() throws Exception {
        byte[] value = concat(concat(utf8(" \n\t"), json(validFields())), "\r\n");

        assertThat(EventParser.parse(value, INGEST_TIME_MS))
                .isEqualTo(EventParser.parse(json(validFields()), INGEST_TIME_MS));
    }

    @Test
    void acceptsIdsOfExactlyTheMaximumLength() throws Exception {
        String id = "x".repeat(EventParser.MAX_ID_LENGTH);

        assertThat(EventParser.parse(with("card_id", '"' + id + '"'), 0).cardId).isEqualTo(id);
    }

    @Test
    void acceptsARecordOfExactlyTheSizeLimit() throws Exception {
        byte[] value = padded(EventParser.MAX_EVENT_BYTES);

        assertThat(value).hasSize(EventParser.MAX_EVENT_BYTES);
        assertThat(EventParser.parse(value, 0).eventId).isEqualTo("e-1");
    }

    @Test
    void acceptsTheFirstAndRefusesTheLastMillisecondOfTheTimeRange() throws Exception {
        assertThat(EventParser.parse(with("event_time", "\"2000-01-01T00:00:00Z\""), 0).eventTimeMs)
                .isEqualTo(EventParser.MIN_EVENT_TIME_MS);
        assertThat(
                        EventParser.parse(with("event_time", "\"2099-12-31T23:59:59.999Z\""), 0)
                                .eventTimeMs)
                .isEqualTo(EventParser.MAX_EVENT_TIME_MS - 1);
    }

    @ParameterizedTest(name = "round trip with device id and merchant category \"{0}\"")
    @ValueSource(strings = {"d-7", ""})
    void readsBackWhatEventJsonWrites(String optional) throws Exception {
        TransactionEvent event = new TransactionEvent();
        event.eventId = "e-42";
        event.cardId = "card-ü-\"quoted\"";
        event.merchantId = "m/7\\x";
        event.amount = 1234.56;
        event.currency = "JPY";
        event.country = "JP";
        event.channel = Channel.ATM;
        event.eventTimeMs = EVENT_TIME_MS;
        event.deviceId = optional.isEmpty() ? null : optional;
        event.merchantCategory = optional.isEmpty() ? null : "6011";
        event.ingestTimeMs = INGEST_TIME_MS;

        assertThat(EventParser.parse(EventJson.write(event), INGEST_TIME_MS)).isEqualTo(event);
    }

    // ---- missing fields and wrong types ----

    @ParameterizedTest(name = "refuses an event without {0}")
    @ValueSource(
            strings = {
                "event_id",
                "card_id",
                "merchant_id",
                "amount",
                "currency",
                "country",
                "channel",
                "event_time"
            })
    void refusesAnEventWithoutARequiredField(String field) {
        assertRefused(without(field), field, field + ": required field is missing");
    }

    static Stream<Arguments> wrongTypes() {
        return Stream.of(
                Arguments.of("amount", "\"12.5\"", "expected a number, got the string \"12.5\""),
                Arguments.of("amount", "true", "expected a number, got a boolean"),
                Arguments.of("amount", "null", "expected a number, got null"),
                Arguments.of("amount", "{\"value\":12}", "expected a number, got an object"),
                Arguments.of(
                        "event_time",
                        "false",
                        "expected a timestamp string or epoch milliseconds, got a boolean"),
                Arguments.of(
                        "event_time",
                        "[2026,11,23]",
                        "expected a timestamp string or epoch milliseconds, got an array"),
                Arguments.of(
                        "event_time",
                        "1795428930123.5",
                        "expected a timestamp string or epoch milliseconds,"
                                + " got the number 1795428930123.5"),
                Arguments.of("card_id", "42", "expected a string, got the number 42"),
                Arguments.of("card_id", "null", "expected a string, got null"),
                Arguments.of("event_id", "[\"e-1\"]", "expected a string, got an array"),
                Arguments.of("merchant_id", "{}", "expected a string, got an object"),
                Arguments.of("currency", "978", "expected a string, got the number 978"),
                Arguments.of("country", "true", "expected a string, got a boolean"),
                Arguments.of("channel", "1", "expected a string, got the number 1"),
                Arguments.of("device_id", "7", "expected a string, got the number 7"),
                Arguments.of(
                        "merchant_category", "5411", "expected a string, got the number 5411"));
    }

    @ParameterizedTest(name = "refuses {0} = {1}")
    @MethodSource("wrongTypes")
    void refusesAFieldOfTheWrongJsonType(String field, String value, String problem) {
        assertRefused(with(field, value), field, field + ": " + problem);
    }

    // ---- values out of range ----

    @Test
    void refusesANegativeAmount() {
        assertRefused(
                with("amount", "-0.01"),
                "amount",
                "amount: must be between 0 and 1000000000, got -0.01");
    }

    @Test
    void refusesAnAmountAboveTheMaximum() {
        assertRefused(
                with("amount", "1000000000.01"),
                "amount",
                "amount: must be between 0 and 1000000000, got 1000000000.01");
    }

    @Test
    void refusesAnAmountThatOverflowsADouble() {
        assertRefused(
                with("amount", "1e400"),
                "amount",
                "amount: must be between 0 and 1000000000, got 1e400");
    }

    @Test
    void refusesATimestampThatIsNotIso8601() {
        assertRefused(
                with("event_time", "\"2026-11-23 10:15:30\""),
                "event_time",
                "event_time: expected an ISO-8601 timestamp with offset (2026-11-23T10:15:30.123Z)"
                        + " or epoch milliseconds, got \"2026-11-23 10:15:30\"");
    }

    @Test
    void refusesAnIsoTimestampWithoutAnOffset() {
        assertRefused(
                with("event_time", "\"2026-11-23T10:15:30\""),
                "event_time",
                "event_time: expected an ISO-8601 timestamp with offset (2026-11-23T10:15:30.123Z)"
                        + " or epoch milliseconds, got \"2026-11-23T10:15:30\"");
    }

    @Test
    void refusesATimestampStringTooFarOutToBeEpochMilliseconds() {
        assertRefused(
                with("event_time", "\"+999999999-12-31T23:59:59Z\""),
                "event_time",
                "event_time: expected an ISO-8601 timestamp with offset (2026-11-23T10:15:30.123Z)"
                        + " or epoch milliseconds, got \"+999999999-12-31T23:59:59Z\"");
    }

    @Test
    void refusesATimestampBeforeTheYear2000() {
        assertRefused(
                with("event_time", "\"1999-12-31T23:59:59.999Z\""),
                "event_time",
                "event_time: must be between 2000-01-01 and 2100-01-01, got"
                        + " 1999-12-31T23:59:59.999Z");
    }

    @Test
    void refusesATimestampFromTheYear2100() {
        assertRefused(
                with("event_time", "\"2100-01-01T00:00:00Z\""),
                "event_time",
                "event_time: must be between 2000-01-01 and 2100-01-01, got 2100-01-01T00:00:00Z");
    }

    @Test
    void refusesEpochMillisecondsOutOfRange() {
        assertRefused(
                with("event_time", "-1"),
                "event_time",
                "event_time: must be between 2000-01-01 and 2100-01-01, got"
                        + " 1969-12-31T23:59:59.999Z");
        assertRefused(
                with("event_time", "1700000000"),
                "event_time",
                "event_time: must be between 2000-01-01 and 2100-01-01, got"
                        + " 1970-01-20T16:13:20Z");
    }

    @Test
    void refusesEpochMillisecondsBeyondALong() {
        assertRefused(
                with("event_time", "99999999999999999999"),
                "event_time",
                "event_time: out of range: 99999999999999999999");
    }

    static Stream<Arguments> badCodes() {
        return Stream.of(
                Arguments.of("currency", "eur", 3),
                Arguments.of("currency", "EU", 3),
                Arguments.of("currency", "EURO", 3),
                Arguments.of("currency", "E1R", 3),
                Arguments.of("currency", "ÉUR", 3),
                Arguments.of("currency", "", 3),
                Arguments.of("country", "de", 2),
                Arguments.of("country", "D", 2),
                Arguments.of("country", "DEU", 2),
                Arguments.of("country", "D-", 2));
    }

    @ParameterizedTest(name = "refuses {0} \"{1}\"")
    @MethodSource("badCodes")
    void refusesACodeThatIsNotUpperCaseLettersOfTheRightLength(
            String field, String code, int length) {
        assertRefused(
                with(field, '"' + code + '"'),
                field,
                field + ": expected " + length + " upper-case letters, got \"" + code + '"');
    }

    @ParameterizedTest(name = "refuses channel \"{0}\"")
    @ValueSource(strings = {"phone", "POS", "Online", ""})
    void refusesAnUnknownChannel(String channel) {
        assertRefused(
                with("channel", '"' + channel + '"'),
                "channel",
                "channel: expected one of pos, online, atm, got \"" + channel + '"');
    }

    @Test
    void cutsLongValuesShortInTheReason() {
        String channel = "c".repeat(100);

        assertRefused(
                with("channel", '"' + channel + '"'),
                "channel",
                "channel: expected one of pos, online, atm, got \"" + "c".repeat(40) + "\"...");
    }

    @ParameterizedTest(name = "refuses blank {0}")
    @ValueSource(strings = {"event_id", "card_id", "merchant_id", "device_id"})
    void refusesABlankId(String field) {
        assertRefused(with(field, "\"\""), field, field + ": must not be blank");
        assertRefused(with(field, "\"  \""), field, field + ": must not be blank");
    }

    @ParameterizedTest(name = "refuses overlong {0}")
    @ValueSource(strings = {"event_id", "card_id", "merchant_id", "device_id"})
    void refusesAnIdLongerThan128Characters(String field) {
        String id = "x".repeat(EventParser.MAX_ID_LENGTH + 1);

        assertRefused(
                with(field, '"' + id + '"'), field, field + ": longer than 128 characters (129)");
    }

    @Test
    void countsAnIdsCharactersAsCodePointsAsJsonSchemaDoes() throws Exception {
        String card = "\uD83D\uDCB3"; // one character, two UTF-16 units
        String longest = card.repeat(EventParser.MAX_ID_LENGTH);

        assertThat(EventParser.parse(with("card_id", '"' + longest + '"'), 0).cardId)
                .isEqualTo(longest);
        assertRefused(
                with("card_id", '"' + longest + card + '"'),
                "card_id",
                "card_id: longer than 128 characters (129)");
    }

    @ParameterizedTest(name = "refuses {0} with a control character")
    @ValueSource(strings = {"event_id", "card_id", "merchant_id", "device_id"})
    void refusesAnIdWithAControlCharacter(String field) {
        assertRefused(
                with(field, "\"a\\u0000b\""), field, field + ": contains a control character");
        assertRefused(with(field, "\"a\\nb\""), field, field + ": contains a control character");
        assertRefused(
                with(field, "\"a\\u007fb\""), field, field + ": contains a control character");
    }

    @ParameterizedTest(name = "refuses {0} with an unpaired surrogate")
    @ValueSource(strings = {"event_id", "card_id", "merchant_id", "device_id"})
    void refusesAnIdWithAnUnpairedSurrogate(String field) {
        String message = field + ": contains an unpaired surrogate";
        assertRefused(with(field, "\"a\\ud800b\""), field, message);
        assertRefused(with(field, "\"a\\udc00\""), field, message);
        assertRefused(with(field, "\"\\ude00\\ud83d\""), field, message);
    }

    @Test
    void acceptsIdsWithEmojiAndRightToLeftMarks() throws Exception {
        TransactionEvent event =
                EventParser.parse(
                        with("card_id", "\"c-\\ud83d\\ude00-\u200f\u05d0\""), INGEST_TIME_MS);
        assertThat(event.cardId).isEqualTo("c-\ud83d\ude00-\u200f\u05d0");
    }

    @Test
    void refusesAnotherSchemaVersion() {
        assertRefused(
                with("schema_version", "2"),
                "schema_version",
                "schema_version: unsupported schema version the number 2, this job reads version"
                        + " 1");
    }

    @Test
    void refusesASchemaVersionThatIsNotAnInteger() {
        assertRefused(
                with("schema_version", "\"1\""),
                "schema_version",
                "schema_version: unsupported schema version the string \"1\", this job reads"
                        + " version 1");
        assertRefused(
                with("schema_version", "1.0"),
                "schema_version",
                "schema_version: unsupported schema version the number 1.0, this job reads version"
                        + " 1");
        assertRefused(
                with("schema_version", "4294967297"),
                "schema_version",
                "schema_version: unsupported schema version the number 4294967297, this job reads"
                        + " version 1");
    }

    // ---- records that are not a JSON object ----

    @Test
    void refusesMalformedJson() {
        assertMalformed(
                utf8("{\"event_id\": e-1}"),
                "malformed JSON: Unrecognized token 'e': was expecting");
    }

    @Test
    void refusesTruncatedJson() {
        byte[] whole = json(validFields());
        byte[] truncated = java.util.Arrays.copyOf(whole, whole.length - 10);

        assertMalformed(truncated, "malformed JSON: Unexpected end-of-input");
    }

    @Test
    void refusesGarbageAfterTheObject() {
        assertMalformed(concat(json(validFields()), " x"), "malformed JSON: Unrecognized token");
    }

    @Test
    void refusesASecondValueAfterTheObject() {
        assertRefused(
                concat(json(validFields()), " {}"), null, "trailing content after the JSON object");
    }

    @Test
    void refusesATopLevelArray() {
        assertRefused(concat(utf8("["), json(validFields()), "]"), null, "not a JSON object");
    }

    @ParameterizedTest(name = "refuses the top-level value {0}")
    @ValueSource(strings = {"\"an event\"", "42", "null", "true", "   "})
    void refusesAnyOtherTopLevelValue(String value) {
        assertRefused(utf8(value), null, "not a JSON object");
    }

    @Test
    void refusesAnEmptyRecord() {
        assertRefused(new byte[0], null, "empty record");
    }

    @Test
    void refusesANullRecord() {
        assertRefused(null, null, "empty record");
    }

    @Test
    void refusesARecordOverTheSizeLimitUnread() {
        byte[] value = padded(EventParser.MAX_EVENT_BYTES + 1);

        assertRefused(value, null, "record of 65537 bytes exceeds the 65536-byte limit");
    }

    @Test
    void refusesADuplicatedField() {
        String text = new String(json(validFields()), StandardCharsets.UTF_8);
        byte[] value = utf8(text.substring(0, text.length() - 1) + ",\"amount\":13}");

        InvalidEventException refusal = refusal(value);

        assertThat(refusal.field()).isNull();
        assertThat(refusal.getMessage()).isEqualTo("malformed JSON: Duplicate field 'amount'");
    }

    @Test
    void refusesANanLiteral() {
        assertMalformed(with("amount", "NaN"), "malformed JSON: Non-standard token 'NaN'");
    }

    @Test
    void refusesInvalidUtf8() {
        byte[] value = with("merchant_id", "\"m-\u00ff\"");
        String text = new String(value, StandardCharsets.UTF_8);
        int at = text.indexOf("m-") + 2;
        byte[] broken = java.util.Arrays.copyOf(value, value.length);
        broken[at] = (byte) 0xff; // a byte that starts no UTF-8 sequence
        broken[at + 1] = (byte) 'x';

        assertMalformed(broken, "malformed JSON: Invalid UTF-8 start byte 0xff");
    }

    @Test
    void refusesUnknownFieldsNestedDeeperThanTheLimit() {
        String deep = "[".repeat(40) + "]".repeat(40);
        InvalidEventException refusal = refusal(with("deep", deep));

        assertThat(refusal.field()).isNull();
        assertThat(refusal.getMessage()).startsWith("unreadable record: Document nesting depth");
    }

    // ---- helpers ----

    private static Map<String, String> validFields() {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("schema_version", "1");
        fields.put("event_id", "\"e-1\"");
        fields.put("card_id", "\"card-1\"");
        fields.put("merchant_id", "\"m-1\"");
        fields.put("merchant_category", "\"5816\"");
        fields.put("amount", "12.5");
        fields.put("currency", "\"EUR\"");
        fields.put("country", "\"DE\"");
        fields.put("channel", "\"online\"");
        fields.put("event_time", '"' + EVENT_TIME + '"');
        fields.put("device_id", "\"d-1\"");
        return fields;
    }

    private static byte[] json(Map<String, String> fields) {
        return utf8(
                fields.entrySet().stream()
                        .map(e -> '"' + e.getKey() + "\":" + e.getValue())
                        .collect(Collectors.joining(",", "{", "}")));
    }

    /** The valid event with {@code field} set to the raw JSON {@code value}. */
    private static byte[] with(String field, String value) {
        Map<String, String> fields = validFields();
        fields.put(field, value);
        return json(fields);
    }

    private static byte[] without(String field) {
        Map<String, String> fields = validFields();
        fields.remove(field);
        return json(fields);
    }

    /** The valid event padded with an unknown field to exactly {@code size} bytes. */
    private static byte[] padded(int size) {
        int overhead = with("pad", "\"\"").length;
        return with("pad", '"' + "p".repeat(size - overhead) + '"');
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[] first, String second) {
        return concat(first, utf8(second));
    }

    private static byte[] concat(byte[] first, byte[] second) {
        byte[] result = java.util.Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, result, first.length, second.length);
        return result;
    }

    private static byte[] concat(byte[] first, byte[] second, String third) {
        return concat(concat(first, second), third);
    }

    private static InvalidEventException refusal(byte[] value) {
        try {
            TransactionEvent event = EventParser.parse(value, INGEST_TIME_MS);
            return fail("accepted " + event);
        } catch (InvalidEventException e) {
            return e;
        }
    }

    private static void assertRefused(byte[] value, String field, String message) {
        InvalidEventException refusal = refusal(value);
        assertThat(refusal.field()).isEqualTo(field);
        assertThat(refusal.getMessage()).isEqualTo(message);
        if (field != null) {
            assertThat(refusal.getMessage()).startsWith(field + ": ");
        }
    }

    private static void assertMalformed(byte[] value, String messageStart) {
        InvalidEventException refusal = refusal(value);
        assertThat(refusal.field()).isNull();
        assertThat(refusal.getMessage()).startsWith(messageStart);
    }
}
