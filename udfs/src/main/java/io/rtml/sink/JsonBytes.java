package io.rtml.sink;

import com.fasterxml.jackson.core.io.NumberOutput;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A compact JSON record written straight into UTF-8 bytes, for the records the job writes once per
 * event: no generator to set up and tear down per record. Strings are escaped as JSON requires (and
 * as Jackson writes them: {@code \"}, {@code \\}, {@code \n}-style escapes for the common control
 * characters, {@code \\u00XX} for the others); floats are the shortest decimal that reads back as
 * the same float (Schubfach), whole ones as {@link Float#toString} writes them.
 */
final class JsonBytes {
    private static final int NEGATIVE_ZERO = Float.floatToRawIntBits(-0f);
    private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);

    private byte[] bytes;
    private int size;
    private boolean first = true;

    JsonBytes(int capacity) {
        bytes = new byte[capacity];
    }

    JsonBytes startObject() {
        put((byte) '{');
        first = true;
        return this;
    }

    JsonBytes endObject() {
        put((byte) '}');
        first = false;
        return this;
    }

    JsonBytes startArray() {
        put((byte) '[');
        first = true;
        return this;
    }

    JsonBytes endArray() {
        put((byte) ']');
        first = false;
        return this;
    }

    /** A field's name: an ASCII name the caller knows needs no escape. */
    JsonBytes name(String name) {
        separate();
        int length = name.length();
        ensure(length + 3);
        bytes[size++] = '"';
        for (int i = 0; i < length; i++) {
            bytes[size++] = (byte) name.charAt(i);
        }
        bytes[size++] = '"';
        bytes[size++] = ':';
        first = true;
        return this;
    }

    /** A string value, or {@code null}. */
    JsonBytes value(String text) {
        separate();
        if (text == null) {
            return raw("null");
        }
        int length = text.length();
        ensure(length + 2);
        bytes[size++] = '"';
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
                ensure(1);
                bytes[size++] = (byte) c;
            } else {
                i = escaped(text, i);
            }
        }
        ensure(1);
        bytes[size++] = '"';
        return this;
    }

    JsonBytes value(long number) {
        separate();
        return raw(Long.toString(number));
    }

    /** The shortest decimal that reads back as {@code number}; whole ones as {@code 2.0}. */
    JsonBytes value(float number) {
        separate();
        int whole = (int) number;
        if (whole == number
                && Math.abs(whole) < 10_000_000
                && Float.floatToRawIntBits(number) != NEGATIVE_ZERO) {
            raw(Integer.toString(whole));
            return raw(".0");
        }
        return raw(NumberOutput.toString(number, true));
    }

    byte[] toByteArray() {
        return Arrays.copyOf(bytes, size);
    }

    /** Writes the character at {@code i} that needs more than one ASCII byte; returns its end. */
    private int escaped(String text, int i) {
        char c = text.charAt(i);
        switch (c) {
            case '"' -> raw("\\\"");
            case '\\' -> raw("\\\\");
            case '\n' -> raw("\\n");
            case '\r' -> raw("\\r");
            case '\t' -> raw("\\t");
            case '\b' -> raw("\\b");
            case '\f' -> raw("\\f");
            default -> {
                if (c < 0x20) {
                    ensure(6);
                    bytes[size++] = '\\';
                    bytes[size++] = 'u';
                    bytes[size++] = '0';
                    bytes[size++] = '0';
                    bytes[size++] = HEX[c >> 4];
                    bytes[size++] = HEX[c & 0xF];
                } else if (c < 0x800) {
                    ensure(2);
                    bytes[size++] = (byte) (0xC0 | (c >> 6));
                    bytes[size++] = (byte) (0x80 | (c & 0x3F));
                } else if (Character.isHighSurrogate(c)
                        && i + 1 < text.length()
                        && Character.isLowSurrogate(text.charAt(i + 1))) {
                    int code = Character.toCodePoint(c, text.charAt(i + 1));
                    ensure(4);
                    bytes[size++] = (byte) (0xF0 | (code >> 18));
                    bytes[size++] = (byte) (0x80 | ((code >> 12) & 0x3F));
                    bytes[size++] = (byte) (0x80 | ((code >> 6) & 0x3F));
                    bytes[size++] = (byte) (0x80 | (code & 0x3F));
                    return i + 1;
                } else if (Character.isSurrogate(c)) {
                    // Not Unicode: written as String.getBytes writes it.
                    put((byte) '?');
                } else {
                    ensure(3);
                    bytes[size++] = (byte) (0xE0 | (c >> 12));
                    bytes[size++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                    bytes[size++] = (byte) (0x80 | (c & 0x3F));
                }
            }
        }
        return i;
    }

    private void separate() {
        if (!first) {
            put((byte) ',');
        }
        first = false;
    }

    private JsonBytes raw(String ascii) {
        int length = ascii.length();
        ensure(length);
        for (int i = 0; i < length; i++) {
            bytes[size++] = (byte) ascii.charAt(i);
        }
        return this;
    }

    private void put(byte b) {
        ensure(1);
        bytes[size++] = b;
    }

    private void ensure(int more) {
        if (size + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
        }
    }
}
