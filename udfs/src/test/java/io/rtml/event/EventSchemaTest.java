package io.rtml.event;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.rtml.testing.Schemas;
import io.rtml.testing.TestEvents;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * schemas/event.schema.json and {@link EventParser} accept and refuse the same events, for
 * everything JSON Schema can express; what only the parser checks is listed in the schema's
 * description, and pinned here case by case.
 */
class EventSchemaTest {
    private static final String SCHEMA = "event";
    private static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void schemaAndParserGiveTheSameVerdict(String name, String event, boolean valid) {
        assertThat(parserAccepts(event)).as("the parser accepts %s", event).isEqualTo(valid);
        assertThat(Schemas.errors(SCHEMA, event).isEmpty())
                .as("the schema accepts %s: %s", event, Schemas.errors(SCHEMA, event))
                .isEqualTo(valid);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedOnlyByTheParser")
    void theParserAloneRefusesWhatTheSchemaDescriptionSays(
            String name, String event, String described) throws Exception {
        assertThat(parserAccepts(event)).as("the parser accepts it").isFalse();
        assertThat(Schemas.errors(SCHEMA, event)).as("the schema's errors").isEmpty();
        assertThat(description()).contains(described);
    }

    @Test
    void bothAcceptAnAmountWithinFloatRoundingOfTheBoundAsTheDescriptionSays() throws Exception {
        String event = with("amount", "1000000000.00000001");

        assertThat(parserAccepts(event)).isTrue();
        assertThat(Schemas.errors(SCHEMA, event)).isEmpty();
        assertThat(description())
                .contains("as a 64-bit float, as many validators do, so a value within rounding")
                .contains("(1000000000.00000001) passes");
    }

    @Test
    void acceptsEveryEventTheProducersWrite() {
        TransactionEvent[] events = {
            TestEvents.event("e-1").build(),
            TestEvents.event("e-2").category("0742").device("d-1").amount(0).build(),
            TestEvents.event("e-3").at("2099-12-31T23:59:59.999Z").amount(1e9).build(),
            TestEvents.event("e-4").at("2000-01-01T00:00:00Z").country("FR").build()
        };
        for (TransactionEvent event : events) {
            assertThat(Schemas.errors(SCHEMA, EventJson.write(event))).isEmpty();
        }
    }

    static Stream<Arguments> corpus() {
        return Stream.of(
                // valid
                valid("docs/contracts.md's example", fields()),
                valid("only the required fields", only()),
                valid("without schema_version", without("schema_version")),
                valid("merchant_category null", with("merchant_category", "null")),
                valid(
                        "merchant_category with a leading zero",
                        with("merchant_category", s("0742"))),
                valid("without merchant_category", without("merchant_category")),
                valid("device_id null", with("device_id", "null")),
                valid("amount 0", with("amount", "0")),
                valid("amount -0.0", with("amount", "-0.0")),
                valid("amount 10^9", with("amount", "1000000000")),
                valid("amount with an exponent", with("amount", "4.25e1")),
                valid("channel pos", with("channel", s("pos"))),
                valid("channel atm", with("channel", s("atm"))),
                valid("event_time epoch ms, first", with("event_time", "946684800000")),
                valid("event_time epoch ms, last", with("event_time", "4102444799999")),
                valid("event_time ISO, first", with("event_time", s("2000-01-01T00:00:00Z"))),
                valid("event_time ISO, last", with("event_time", s("2099-12-31T23:59:59.999Z"))),
                valid("event_time lower-case t and z", with("event_time", s("2026-11-23t10:15z"))),
                valid("event_time without seconds", with("event_time", s("2026-11-23T10:15Z"))),
                valid(
                        "event_time one fraction digit",
                        with("event_time", s("2026-11-23T10:15:30.1Z"))),
                valid(
                        "event_time nine fraction digits",
                        with("event_time", s("2026-11-23T10:15:30.123456789Z"))),
                valid("event_time empty fraction", with("event_time", s("2026-11-23T10:15:30.Z"))),
                valid("event_time offset +HH", with("event_time", s("2026-11-23T10:15+01"))),
                valid("event_time offset -HH:MM", with("event_time", s("2026-11-23T10:15-05:30"))),
                valid(
                        "event_time offset +HH:MM:SS",
                        with("event_time", s("2026-11-23T10:15+01:00:30"))),
                valid("event_time offset +18:00", with("event_time", s("2026-11-23T10:15+18:00"))),
                valid(
                        "event_time offset -18:00:00",
                        with("event_time", s("2026-11-23T10:15-18:00:00"))),
                valid("event_time 29 February", with("event_time", s("2024-02-29T10:15Z"))),
                valid("id of 128 characters", with("event_id", s("x".repeat(128)))),
                valid("id of 128 emoji", with("event_id", s("\uD83D\uDCB3".repeat(128)))),
                valid("id with spaces around", with("card_id", s(" c 1 "))),
                valid("id of a no-break space", with("card_id", s("\u00A0"))),
                valid("id of a zero-width space", with("card_id", s("\u200B"))),
                valid("id with commas and quotes", with("event_id", s("e,1 \"x\""))),
                valid("id in another script", with("merchant_id", s("\u5E97-1"))),
                valid("unknown fields", with("trace", "{\"deep\":[1,{\"amount\":\"x\"}]}")),
                valid("an unknown null", with("note", "null")),
                // invalid: not an object, missing fields
                invalid("an array", "[]"),
                invalid("a string", s("event")),
                invalid("a number", "42"),
                invalid("null", "null"),
                invalid("without event_id", without("event_id")),
                invalid("without card_id", without("card_id")),
                invalid("without merchant_id", without("merchant_id")),
                invalid("without amount", without("amount")),
                invalid("without currency", without("currency")),
                invalid("without country", without("country")),
                invalid("without channel", without("channel")),
                invalid("without event_time", without("event_time")),
                // schema_version
                invalid("schema_version 2", with("schema_version", "2")),
                invalid("schema_version 0", with("schema_version", "0")),
                invalid("schema_version as text", with("schema_version", s("1"))),
                invalid("schema_version null", with("schema_version", "null")),
                // ids
                invalid("empty id", with("event_id", s(""))),
                invalid("blank id", with("card_id", s("   "))),
                invalid("id of an em space", with("card_id", s("\u2003"))),
                invalid("id of an ideographic space", with("card_id", s("\u3000"))),
                invalid("id with a line feed", with("event_id", s("e\n1"))),
                invalid("id ending in a line feed", with("event_id", s("e-1\n"))),
                invalid("id with a tab", with("merchant_id", s("m\t1"))),
                invalid("id with DEL", with("merchant_id", s("m\u007F"))),
                invalid("id with NEL", with("merchant_id", s("m\u0085"))),
                invalid("id of 129 characters", with("event_id", s("x".repeat(129)))),
                invalid("id of 129 emoji", with("event_id", s("\uD83D\uDCB3".repeat(129)))),
                invalid("id as a number", with("card_id", "7")),
                invalid("id null", with("card_id", "null")),
                invalid("id as an object", with("event_id", "{}")),
                invalid("device_id empty", with("device_id", s(""))),
                invalid("device_id too long", with("device_id", s("d".repeat(129)))),
                invalid("device_id as a number", with("device_id", "1")),
                // merchant_category
                invalid("merchant_category of 3 digits", with("merchant_category", s("541"))),
                invalid("merchant_category of 5 digits", with("merchant_category", s("54111"))),
                invalid("merchant_category with a letter", with("merchant_category", s("54a1"))),
                invalid("merchant_category as a number", with("merchant_category", "5411")),
                invalid("merchant_category full-width", with("merchant_category", s("\uFF15411"))),
                invalid(
                        "merchant_category with a line feed",
                        with("merchant_category", s("5411\n"))),
                // amount
                invalid("amount negative", with("amount", "-0.01")),
                invalid("amount above 10^9", with("amount", "1000000000.5")),
                invalid("amount 1e400", with("amount", "1e400")),
                invalid("amount as text", with("amount", s("12"))),
                invalid("amount null", with("amount", "null")),
                invalid("amount true", with("amount", "true")),
                // codes
                invalid("currency lower-case", with("currency", s("eur"))),
                invalid("currency of 2 letters", with("currency", s("EU"))),
                invalid("currency of 4 letters", with("currency", s("EURO"))),
                invalid("currency with a digit", with("currency", s("E1R"))),
                invalid("currency with a line feed", with("currency", s("EUR\n"))),
                invalid("currency as a number", with("currency", "978")),
                invalid("country lower-case", with("country", s("de"))),
                invalid("country of 3 letters", with("country", s("DEU"))),
                invalid("country of 1 letter", with("country", s("D"))),
                // channel
                invalid("channel upper-case", with("channel", s("POS"))),
                invalid("channel unknown", with("channel", s("phone"))),
                invalid("channel empty", with("channel", s(""))),
                invalid("channel null", with("channel", "null")),
                // event_time
                invalid("event_time before 2000", with("event_time", "946684799999")),
                invalid("event_time from 2100", with("event_time", "4102444800000")),
                invalid("event_time in 1990", with("event_time", s("1990-06-01T10:15Z"))),
                invalid("event_time in 2101", with("event_time", s("2101-06-01T10:15Z"))),
                invalid("event_time negative", with("event_time", "-1")),
                invalid("event_time as a word", with("event_time", s("yesterday"))),
                invalid(
                        "event_time without an offset",
                        with("event_time", s("2026-11-23T10:15:30"))),
                invalid("event_time a date", with("event_time", s("2026-11-23"))),
                invalid("event_time with a space", with("event_time", s("2026-11-23 10:15Z"))),
                invalid("event_time hour 24", with("event_time", s("2026-11-23T24:00Z"))),
                invalid("event_time second 60", with("event_time", s("2026-11-23T23:59:60Z"))),
                invalid("event_time month 13", with("event_time", s("2026-13-01T10:15Z"))),
                invalid("event_time day 32", with("event_time", s("2026-11-32T10:15Z"))),
                invalid("event_time one-digit hour", with("event_time", s("2026-11-23T1:15Z"))),
                invalid(
                        "event_time 10 fraction digits",
                        with("event_time", s("2026-11-23T10:15:30.1234567891Z"))),
                invalid(
                        "event_time comma fraction",
                        with("event_time", s("2026-11-23T10:15:30,1Z"))),
                invalid("event_time offset +HHMM", with("event_time", s("2026-11-23T10:15+0100"))),
                invalid("event_time offset +H", with("event_time", s("2026-11-23T10:15+1"))),
                invalid(
                        "event_time offset +18:01",
                        with("event_time", s("2026-11-23T10:15+18:01"))),
                invalid("event_time offset +19", with("event_time", s("2026-11-23T10:15+19"))),
                invalid(
                        "event_time offset minutes 60",
                        with("event_time", s("2026-11-23T10:15+01:60"))),
                invalid("event_time offset UTC", with("event_time", s("2026-11-23T10:15UTC"))),
                invalid(
                        "event_time zone id",
                        with("event_time", s("2026-11-23T10:15+01:00[Europe/Berlin]"))),
                invalid("event_time signed year", with("event_time", s("+2026-11-23T10:15Z"))),
                invalid(
                        "event_time full-width year",
                        with("event_time", s("\uFF12026-11-23T10:15Z"))),
                invalid(
                        "event_time ending in a line feed",
                        with("event_time", s("2026-11-23T10:15Z\n"))),
                invalid("event_time true", with("event_time", "true")),
                invalid("event_time null", with("event_time", "null")));
    }

    static Stream<Arguments> refusedOnlyByTheParser() {
        String surrogate = "\"c-\\ud800-1\"";
        return Stream.of(
                Arguments.of(
                        "a record over 64 KiB",
                        with("pad", s("p".repeat(EventParser.MAX_EVENT_BYTES))),
                        "more than 65,536 bytes"),
                Arguments.of(
                        "a duplicated field",
                        fields().replace(
                                        "\"channel\":\"online\"",
                                        "\"channel\":\"pos\",\"channel\":\"atm\""),
                        "a field that appears twice"),
                Arguments.of(
                        "an unpaired surrogate",
                        with("card_id", surrogate),
                        "an unpaired UTF-16 surrogate"),
                Arguments.of(
                        "an amount of 65 digits",
                        with("amount", "0." + "0".repeat(62) + "12"),
                        "more than 64 digits"),
                Arguments.of(
                        "nesting 40 deep",
                        with("deep", "[".repeat(40) + "]".repeat(40)),
                        "nested deeper than 32 levels"),
                Arguments.of(
                        "schema_version 1.0",
                        with("schema_version", "1.0"),
                        "written with a fraction or an exponent (1.0, 1e0)"),
                Arguments.of(
                        "event_time with a fraction",
                        with("event_time", "1795434834239.0"),
                        "written with a fraction or an exponent (1.0, 1e0)"),
                Arguments.of(
                        "event_time with an exponent",
                        with("event_time", "1.795434834239E12"),
                        "written with a fraction or an exponent (1.0, 1e0)"),
                Arguments.of(
                        "30 February",
                        with("event_time", s("2026-02-30T10:15Z")),
                        "a day that does not exist (2026-02-30)"),
                Arguments.of(
                        "the last second of 1999",
                        with("event_time", s("1999-12-31T23:59:59Z")),
                        "an instant before 2000-01-01T00:00Z"),
                Arguments.of(
                        "the first minute of 2100",
                        with("event_time", s("2100-01-01T00:00Z")),
                        "from 2100-01-01T00:00Z on"));
    }

    @Test
    void acceptsTheEdgesOfTheYearsThatAnOffsetBringsIntoRange() {
        String lastOf1999 = with("event_time", s("1999-12-31T23:30-01:00"));
        String firstOf2100 = with("event_time", s("2100-01-01T00:30+01:00"));

        assertThat(parserAccepts(lastOf1999)).isTrue();
        assertThat(Schemas.errors(SCHEMA, lastOf1999)).isEmpty();
        assertThat(parserAccepts(firstOf2100)).isTrue();
        assertThat(Schemas.errors(SCHEMA, firstOf2100)).isEmpty();
    }

    private static Arguments valid(String name, String event) {
        return Arguments.of(name, event, true);
    }

    private static Arguments invalid(String name, String event) {
        return Arguments.of(name, event, false);
    }

    private static boolean parserAccepts(String event) {
        try {
            EventParser.parse(event.getBytes(StandardCharsets.UTF_8), 0);
            return true;
        } catch (InvalidEventException e) {
            return false;
        }
    }

    private static String description() throws Exception {
        return JSON.readTree(Schemas.file(SCHEMA).toFile()).get("description").asText();
    }

    /** docs/contracts.md's example event, field by field as raw JSON. */
    private static Map<String, String> exampleFields() {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("schema_version", "1");
        fields.put("event_id", s("e-1-000000042"));
        fields.put("card_id", s("c-0043988"));
        fields.put("merchant_id", s("m-01234"));
        fields.put("merchant_category", s("5816"));
        fields.put("amount", "42.5");
        fields.put("currency", s("EUR"));
        fields.put("country", s("DE"));
        fields.put("channel", s("online"));
        fields.put("event_time", s("2026-11-23T10:15:30.123Z"));
        fields.put("device_id", s("d-0043988-0"));
        return fields;
    }

    private static String fields() {
        return object(exampleFields());
    }

    private static String only() {
        Map<String, String> fields = exampleFields();
        fields.keySet().removeAll(List.of("schema_version", "merchant_category", "device_id"));
        return object(fields);
    }

    /** The example with {@code field} set to the raw JSON {@code value} (or added). */
    private static String with(String field, String value) {
        Map<String, String> fields = exampleFields();
        fields.put(field, value);
        return object(fields);
    }

    private static String without(String field) {
        Map<String, String> fields = exampleFields();
        fields.remove(field);
        return object(fields);
    }

    private static String object(Map<String, String> fields) {
        return fields.entrySet().stream()
                .map(e -> '"' + e.getKey() + "\":" + e.getValue())
                .collect(Collectors.joining(",", "{", "}"));
    }

    /** {@code text} as a JSON string (control characters escaped). */
    private static String s(String text) {
        try {
            return JSON.writeValueAsString(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }
}
