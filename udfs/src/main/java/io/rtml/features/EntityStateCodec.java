package io.rtml.features;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The byte layout of {@link EntityState} in Flink state (format version {@value #FORMAT}): compact
 * (bucket indexes as deltas, counts and set sizes as varints) and self-checking (the field counts
 * are stored and must match the spec that reads it back). Fixed-width values are big-endian, as
 * {@link java.io.DataOutput} writes them.
 *
 * <p>Every event of an entity decodes and re-encodes its state, so both work on the array directly:
 * the encoder sizes the value first and writes it into one array, the decoder reads it in place.
 */
public final class EntityStateCodec {
    static final int FORMAT = 1;

    /** Format, hasEvent, then lastEventTimeMs, maxEventTimeMs and sealedBucket. */
    private static final int FIXED_HEADER_BYTES = 1 + 1 + 3 * Long.BYTES;

    private static final VarHandle LONG =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT =
            MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

    private EntityStateCodec() {}

    public static byte[] encode(EntityState state) {
        Writer out = new Writer(new byte[encodedSize(state)]);
        out.writeByte(FORMAT);
        out.writeVarLong(state.numericFields);
        out.writeVarLong(state.categoricalFields);
        out.writeByte(state.hasEvent ? 1 : 0);
        out.writeLong(state.lastEventTimeMs);
        out.writeLong(state.maxEventTimeMs);
        out.writeLong(state.sealedBucket);
        out.writeVarLong(state.size);
        int statsPerBucket = state.numericFields * 4;
        long previous = 0;
        for (int b = 0; b < state.size; b++) {
            out.writeVarLong(state.buckets[b] - previous);
            previous = state.buckets[b];
            out.writeVarLong(state.counts[b]);
            for (int f = 0; f < statsPerBucket; f++) {
                out.writeLong(Double.doubleToLongBits(state.stats[b * statsPerBucket + f]));
            }
            for (int c = 0; c < state.categoricalFields; c++) {
                int[] set = state.values[b * state.categoricalFields + c];
                out.writeVarLong(set.length);
                for (int hash : set) {
                    out.writeInt(hash);
                }
            }
        }
        return out.bytes;
    }

    /** Reads state written by {@link #encode}; the field counts must be those of the spec. */
    public static EntityState decode(byte[] bytes, int numericFields, int categoricalFields) {
        Reader in = new Reader(bytes);
        int format = in.readByte();
        if (format != FORMAT) {
            throw new IllegalStateException("entity state format " + format + " is unknown");
        }
        int numeric = in.readVarInt();
        int categorical = in.readVarInt();
        if (numeric != numericFields || categorical != categoricalFields) {
            throw new IllegalStateException(
                    "entity state holds "
                            + numeric
                            + " numeric and "
                            + categorical
                            + " categorical fields, the feature spec needs "
                            + numericFields
                            + " and "
                            + categoricalFields
                            + ": a changed spec needs new operator uids (see docs/operations.md)");
        }
        EntityState state = new EntityState(numeric, categorical);
        state.hasEvent = in.readByte() != 0;
        state.lastEventTimeMs = in.readLong();
        state.maxEventTimeMs = in.readLong();
        state.sealedBucket = in.readLong();
        int size = in.readVarInt();
        // Every bucket takes at least two bytes: a bound on the size before allocating for it.
        if (size < 0 || size > bytes.length / 2) {
            throw Reader.truncated();
        }
        int statsPerBucket = numeric * 4;
        state.size = size;
        state.buckets = new long[size];
        state.counts = new int[size];
        state.stats = new double[size * statsPerBucket];
        state.values = new int[size * categorical][];
        long previous = 0;
        for (int b = 0; b < size; b++) {
            previous += in.readVarLong();
            state.buckets[b] = previous;
            state.counts[b] = in.readVarInt();
            for (int f = 0; f < statsPerBucket; f++) {
                state.stats[b * statsPerBucket + f] = Double.longBitsToDouble(in.readLong());
            }
            for (int c = 0; c < categorical; c++) {
                int length = in.readVarInt();
                if (length < 0 || length > in.remaining() / Integer.BYTES) {
                    throw Reader.truncated();
                }
                int[] set = new int[length];
                for (int i = 0; i < length; i++) {
                    set[i] = in.readInt();
                }
                state.values[b * categorical + c] = set;
            }
        }
        return state;
    }

    /** The exact length of {@link #encode}'s result. */
    private static int encodedSize(EntityState state) {
        int size =
                FIXED_HEADER_BYTES
                        + varLongSize(state.numericFields)
                        + varLongSize(state.categoricalFields)
                        + varLongSize(state.size);
        int statBytes = state.numericFields * 4 * Long.BYTES;
        long previous = 0;
        for (int b = 0; b < state.size; b++) {
            size += varLongSize(state.buckets[b] - previous) + varLongSize(state.counts[b]);
            previous = state.buckets[b];
            size += statBytes;
            for (int c = 0; c < state.categoricalFields; c++) {
                int length = state.values[b * state.categoricalFields + c].length;
                size += varLongSize(length) + length * Integer.BYTES;
            }
        }
        return size;
    }

    /** Bytes of a varint: 7 bits each, a negative value (as unsigned) takes all ten. */
    private static int varLongSize(long value) {
        int bits = 64 - Long.numberOfLeadingZeros(value);
        return Math.max(1, (bits + 6) / 7);
    }

    private static final class Writer {
        final byte[] bytes;
        int at;

        Writer(byte[] bytes) {
            this.bytes = bytes;
        }

        void writeByte(int value) {
            bytes[at++] = (byte) value;
        }

        void writeInt(int value) {
            INT.set(bytes, at, value);
            at += Integer.BYTES;
        }

        void writeLong(long value) {
            LONG.set(bytes, at, value);
            at += Long.BYTES;
        }

        void writeVarLong(long value) {
            while ((value & ~0x7FL) != 0) {
                bytes[at++] = (byte) ((value & 0x7F) | 0x80);
                value >>>= 7;
            }
            bytes[at++] = (byte) value;
        }
    }

    private static final class Reader {
        final byte[] bytes;
        int at;

        Reader(byte[] bytes) {
            this.bytes = bytes;
        }

        static IllegalStateException truncated() {
            return new IllegalStateException("entity state is truncated");
        }

        int remaining() {
            return bytes.length - at;
        }

        private void need(int count) {
            if (bytes.length - at < count) {
                throw truncated();
            }
        }

        int readByte() {
            need(1);
            return bytes[at++] & 0xFF;
        }

        int readInt() {
            need(Integer.BYTES);
            int value = (int) INT.get(bytes, at);
            at += Integer.BYTES;
            return value;
        }

        long readLong() {
            need(Long.BYTES);
            long value = (long) LONG.get(bytes, at);
            at += Long.BYTES;
            return value;
        }

        int readVarInt() {
            return (int) readVarLong();
        }

        long readVarLong() {
            long value = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                int b = readByte();
                value |= (long) (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    return value;
                }
            }
            throw new IllegalStateException("entity state holds a malformed varint");
        }
    }
}
