package io.rtml.features;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The byte layout of {@link EntityState} in Flink state (format version {@value #FORMAT}): compact
 * (bucket indexes as deltas, counts and set sizes as varints) and self-checking (the field counts
 * are stored and must match the spec that reads it back).
 */
public final class EntityStateCodec {
    static final int FORMAT = 1;

    private EntityStateCodec() {}

    public static byte[] encode(EntityState state) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + state.size * 48);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT);
            writeVarInt(out, state.numericFields);
            writeVarInt(out, state.categoricalFields);
            out.writeBoolean(state.hasEvent);
            out.writeLong(state.lastEventTimeMs);
            out.writeLong(state.maxEventTimeMs);
            out.writeLong(state.sealedBucket);
            writeVarInt(out, state.size);
            long previous = 0;
            for (int b = 0; b < state.size; b++) {
                writeVarLong(out, state.buckets[b] - previous);
                previous = state.buckets[b];
                writeVarInt(out, state.counts[b]);
                for (int f = 0; f < state.numericFields * 4; f++) {
                    out.writeDouble(state.stats[b * state.numericFields * 4 + f]);
                }
                for (int c = 0; c < state.categoricalFields; c++) {
                    int[] set = state.values[b * state.categoricalFields + c];
                    writeVarInt(out, set.length);
                    for (int hash : set) {
                        out.writeInt(hash);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Reads state written by {@link #encode}; the field counts must be those of the spec. */
    public static EntityState decode(byte[] bytes, int numericFields, int categoricalFields) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            int format = in.readUnsignedByte();
            if (format != FORMAT) {
                throw new IllegalStateException("entity state format " + format + " is unknown");
            }
            int numeric = readVarInt(in);
            int categorical = readVarInt(in);
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
                                + ": a changed spec needs new operator uids (see the README)");
            }
            EntityState state = new EntityState(numeric, categorical);
            state.hasEvent = in.readBoolean();
            state.lastEventTimeMs = in.readLong();
            state.maxEventTimeMs = in.readLong();
            state.sealedBucket = in.readLong();
            int size = readVarInt(in);
            state.size = size;
            state.buckets = new long[size];
            state.counts = new int[size];
            state.stats = new double[size * numeric * 4];
            state.values = new int[size * categorical][];
            long previous = 0;
            for (int b = 0; b < size; b++) {
                previous += readVarLong(in);
                state.buckets[b] = previous;
                state.counts[b] = readVarInt(in);
                for (int f = 0; f < numeric * 4; f++) {
                    state.stats[b * numeric * 4 + f] = in.readDouble();
                }
                for (int c = 0; c < categorical; c++) {
                    int[] set = new int[readVarInt(in)];
                    for (int i = 0; i < set.length; i++) {
                        set[i] = in.readInt();
                    }
                    state.values[b * categorical + c] = set;
                }
            }
            return state;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void writeVarInt(DataOutputStream out, int value) throws IOException {
        writeVarLong(out, value);
    }

    private static void writeVarLong(DataOutputStream out, long value) throws IOException {
        while ((value & ~0x7FL) != 0) {
            out.writeByte((int) ((value & 0x7F) | 0x80));
            value >>>= 7;
        }
        out.writeByte((int) value);
    }

    private static int readVarInt(DataInputStream in) throws IOException {
        return (int) readVarLong(in);
    }

    private static long readVarLong(DataInputStream in) throws IOException {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = in.readUnsignedByte();
            value |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw new IOException("malformed varint");
    }
}
