package io.rtml.job.reliability;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rtml.event.EventJson;
import io.rtml.event.TransactionEvent;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * A deterministic corpus of records that are not valid events, built from valid ones, each with the
 * field its dead letter must name ({@code null}: the record as a whole). Categories: random bytes,
 * truncated JSON, wrong types, missing fields, NaN and infinities, huge numbers, huge strings,
 * megabyte payloads, odd Unicode, and other broken JSON.
 */
final class HostileCorpus {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] REQUIRED = {
        "event_id",
        "card_id",
        "merchant_id",
        "amount",
        "currency",
        "country",
        "channel",
        "event_time"
    };

    /** One hostile record: its key and value (either may be null), category, expected field. */
    record Hostile(byte[] key, byte[] value, String category, String field) {}

    private final Random random;
    private final List<TransactionEvent> templates;
    private final List<Hostile> records = new ArrayList<>();

    private HostileCorpus(long seed, List<TransactionEvent> templates) {
        this.random = new Random(seed);
        this.templates = templates;
    }

    /** About {@code 14 × perCategory} records, plus {@code megabytes} records of about 1 MB. */
    static List<Hostile> build(
            long seed, List<TransactionEvent> templates, int perCategory, int megabytes)
            throws Exception {
        HostileCorpus corpus = new HostileCorpus(seed, templates);
        for (int i = 0; i < perCategory; i++) {
            corpus.one();
        }
        for (int i = 0; i < megabytes; i++) {
            corpus.megabyte(i);
        }
        return corpus.records;
    }

    private void one() throws Exception {
        // Random bytes that never open a JSON object.
        byte[] noise = new byte[1 + random.nextInt(2_000)];
        random.nextBytes(noise);
        noise[0] = (byte) ('!' + random.nextInt(50));
        if (noise[0] == '{') {
            noise[0] = '[';
        }
        add(noise, "random bytes", null);

        byte[] valid = json(template());
        add(Arrays.copyOf(valid, 1 + random.nextInt(valid.length - 2)), "truncated JSON", null);

        ObjectNode wrongType = template();
        String[][] wrong = {
            {"amount", "\"12.5\""},
            {"amount", "true"},
            {"card_id", "12345"},
            {"merchant_id", "[\"m-1\"]"},
            {"event_time", "false"},
            {"event_time", "1.7672256E12"},
            {"channel", "2"},
            {"currency", "{\"code\":\"EUR\"}"},
            {"device_id", "{}"},
            {"schema_version", "\"1\""},
            {"event_id", "null"},
        };
        String[] pick = wrong[random.nextInt(wrong.length)];
        wrongType.set(pick[0], JSON.readTree(pick[1]));
        add(json(wrongType), "wrong type", pick[0]);

        ObjectNode missing = template();
        String field = REQUIRED[random.nextInt(REQUIRED.length)];
        missing.remove(field);
        add(json(missing), "missing field", field);

        String[] nonFinite = {"NaN", "Infinity", "-Infinity", "+Infinity"};
        add(withRawAmount(nonFinite[random.nextInt(nonFinite.length)]), "NaN or infinity", null);
        add(withRawAmount("1e400"), "NaN or infinity", "amount");

        String[][] huge = {
            {"amount", "123456789012345678901234567890"},
            {"amount", "1e308"},
            {"amount", "-0.5"},
            {"event_time", "100000000000000000000"},
            {"event_time", "99999999999999"},
            {"event_time", "-1"},
        };
        String[] number = huge[random.nextInt(huge.length)];
        ObjectNode hugeNumber = template();
        hugeNumber.set(number[0], JSON.readTree(number[1]));
        add(json(hugeNumber), "huge number", number[0]);
        add(withRawAmount("1" + "0".repeat(100)), "huge number", null);

        ObjectNode hugeString = template();
        String id = REQUIRED[random.nextInt(3)];
        hugeString.put(id, "x".repeat(129 + random.nextInt(30_000)));
        add(json(hugeString), "huge string", id);
        ObjectNode tooLarge = template();
        tooLarge.put("note", "y".repeat(70_000));
        add(json(tooLarge), "huge string", null);

        oddUnicode();
        otherBrokenJson();
    }

    private void oddUnicode() throws Exception {
        switch (random.nextInt(7)) {
            case 0 -> add(withRaw("card_id", "\"c-\\ud800-lone\""), "odd Unicode", "card_id");
            case 1 -> add(withRaw("event_id", "\"e-\\udfff\""), "odd Unicode", "event_id");
            case 2 -> {
                // A lone surrogate encoded as UTF-8 bytes (ED A0 80), which Jackson decodes.
                byte[] value =
                        replace(
                                json(template()),
                                "\"merchant_id\":\"",
                                new byte[] {
                                    '"',
                                    'm',
                                    'e',
                                    'r',
                                    'c',
                                    'h',
                                    'a',
                                    'n',
                                    't',
                                    '_',
                                    'i',
                                    'd',
                                    '"',
                                    ':',
                                    '"',
                                    (byte) 0xED,
                                    (byte) 0xA0,
                                    (byte) 0x80
                                });
                add(value, "odd Unicode", "merchant_id");
            }
            case 3 -> add(withRaw("currency", "\"E\u200fU\""), "odd Unicode", "currency");
            case 4 ->
                    add(
                            withRaw("country", "\"\ud83c\udde9\ud83c\uddea\""),
                            "odd Unicode",
                            "country");
            case 5 -> {
                // Not UTF-8: a lead byte followed by a non-continuation byte.
                byte[] value =
                        replace(
                                json(template()),
                                "\"channel\":\"",
                                new byte[] {
                                    '"',
                                    'c',
                                    'h',
                                    'a',
                                    'n',
                                    'n',
                                    'e',
                                    'l',
                                    '"',
                                    ':',
                                    '"',
                                    (byte) 0xC3,
                                    0x28
                                });
                add(value, "odd Unicode", null);
            }
            default -> add(withRaw("card_id", "\"c-\\u0000\""), "odd Unicode", "card_id");
        }
    }

    private void otherBrokenJson() throws Exception {
        byte[] valid = json(template());
        switch (random.nextInt(7)) {
            case 0 -> add(new byte[0], "other", null);
            case 1 -> add(null, "other", null);
            case 2 ->
                    add(
                            ("[" + new String(valid, StandardCharsets.UTF_8) + "]")
                                    .getBytes(StandardCharsets.UTF_8),
                            "other",
                            null);
            case 3 ->
                    add(
                            (new String(valid, StandardCharsets.UTF_8) + " {")
                                    .getBytes(StandardCharsets.UTF_8),
                            "other",
                            null);
            case 4 ->
                    add(
                            new String(valid, StandardCharsets.UTF_8)
                                    .replaceFirst("\\{", "{\"amount\":1,")
                                    .getBytes(StandardCharsets.UTF_8),
                            "other",
                            null);
            case 5 ->
                    add(
                            new String(valid, StandardCharsets.UTF_8)
                                    .replaceFirst(
                                            "\\{",
                                            "{\"deep\":" + "[".repeat(40) + "]".repeat(40) + ",")
                                    .getBytes(StandardCharsets.UTF_8),
                            "other",
                            null);
            default -> add(withRaw("schema_version", "2"), "other", "schema_version");
        }
    }

    /** A record of about 1 MB: padded JSON, or noise. */
    private void megabyte(int i) throws Exception {
        if (i % 2 == 0) {
            ObjectNode padded = template();
            padded.put("padding", "p".repeat(1_000_000));
            add(json(padded), "1 MB payload", null);
        } else {
            byte[] noise = new byte[1_000_000];
            random.nextBytes(noise);
            noise[0] = '{';
            add(noise, "1 MB payload", null);
        }
    }

    private ObjectNode template() throws Exception {
        TransactionEvent event = templates.get(random.nextInt(templates.size()));
        return (ObjectNode) JSON.readTree(EventJson.write(event));
    }

    private byte[] withRawAmount(String raw) throws Exception {
        return withRaw("amount", raw);
    }

    /** A valid event whose {@code field} has the raw JSON text {@code raw}. */
    private byte[] withRaw(String field, String raw) throws Exception {
        ObjectNode event = template();
        event.put(field, "@@RAW@@");
        String text = new String(json(event), StandardCharsets.UTF_8);
        return text.replace("\"@@RAW@@\"", raw).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] replace(byte[] value, String prefix, byte[] with) {
        String text = new String(value, StandardCharsets.ISO_8859_1);
        int at = text.indexOf(prefix);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(value, 0, at);
        out.writeBytes(with);
        out.write(value, at + prefix.length(), value.length - at - prefix.length());
        return out.toByteArray();
    }

    private static byte[] json(ObjectNode node) throws Exception {
        return JSON.writeValueAsBytes(node);
    }

    private void add(byte[] value, String category, String field) {
        byte[] key;
        switch (random.nextInt(4)) {
            case 0 -> key = null;
            case 1 -> {
                key = new byte[1 + random.nextInt(64)];
                random.nextBytes(key);
            }
            default ->
                    key =
                            templates
                                    .get(random.nextInt(templates.size()))
                                    .cardId
                                    .getBytes(StandardCharsets.UTF_8);
        }
        records.add(new Hostile(key, value, category, field));
    }
}
