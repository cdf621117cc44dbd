package io.rtml.job.bench;

import java.nio.charset.StandardCharsets;

/**
 * Reads one top-level field of a compact JSON record (as the job and the pass-through write them)
 * without parsing the whole record: the measuring tools read every prediction, and parsing them all
 * would take CPU from what they measure on a small machine.
 */
final class JsonScan {
    private JsonScan() {}

    /** The integer value of {@code "field":123}, or {@code Long.MIN_VALUE} when absent. */
    static long longField(byte[] json, String field) {
        int at = valueStart(json, field);
        if (at < 0) {
            return Long.MIN_VALUE;
        }
        long value = 0;
        boolean negative = json[at] == '-';
        int i = negative ? at + 1 : at;
        int digits = 0;
        for (; i < json.length && json[i] >= '0' && json[i] <= '9'; i++, digits++) {
            value = value * 10 + (json[i] - '0');
        }
        if (digits == 0) {
            return Long.MIN_VALUE;
        }
        return negative ? -value : value;
    }

    /** The value of {@code "field":"text"} (without escapes), or null when absent. */
    static String stringField(byte[] json, String field) {
        int at = valueStart(json, field);
        if (at < 0 || json[at] != '"') {
            return null;
        }
        for (int end = at + 1; end < json.length; end++) {
            if (json[end] == '"') {
                return new String(json, at + 1, end - at - 1, StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    private static int valueStart(byte[] json, String field) {
        byte[] name = ('"' + field + "\":").getBytes(StandardCharsets.UTF_8);
        outer:
        for (int i = 0; i + name.length < json.length; i++) {
            for (int j = 0; j < name.length; j++) {
                if (json[i + j] != name[j]) {
                    continue outer;
                }
            }
            int at = i + name.length;
            while (at < json.length && json[at] == ' ') {
                at++;
            }
            return at < json.length ? at : -1;
        }
        return -1;
    }
}
