package io.rtml.features;

import java.nio.charset.StandardCharsets;

/**
 * A 32-bit hash of a text value that is the same in every JVM and every run (unlike {@link
 * String#hashCode()}, it mixes all bits): FNV-1a over the UTF-8 bytes, then a final avalanche.
 * Feature state stores these instead of the values, and hashed encodings use it.
 */
public final class StableHash {
    private StableHash() {}

    public static int of(String value) {
        long hash = 0xcbf29ce484222325L;
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            hash ^= b & 0xff;
            hash *= 0x100000001b3L;
        }
        hash ^= hash >>> 33;
        hash *= 0xff51afd7ed558ccdL;
        hash ^= hash >>> 33;
        return (int) hash;
    }
}
