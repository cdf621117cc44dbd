package io.rtml.sink;

import io.rtml.inference.Prediction;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.base.sink.AsyncSinkBase;
import org.apache.flink.connector.base.sink.writer.AsyncSinkWriterStateSerializer;
import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.apache.flink.connector.base.sink.writer.ElementConverter;
import org.apache.flink.connector.base.sink.writer.config.AsyncSinkWriterConfiguration;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * Writes each card's latest prediction and online features to a Redis hash, {@code
 * <prefix>card:<card id>}, as soon as the prediction exists.
 *
 * <p>Writes are idempotent and newest-wins: a Lua script replaces the hash only when the incoming
 * prediction's event time (then event id) is not older than the stored one, so writes repeated
 * after a failure, or arriving out of order, never overwrite a newer prediction. Of the writes of
 * one card in a batch only the newest is sent. Batches are pipelined; while Redis is unreachable
 * they are retried with backoff and the bounded buffer backpressures the job. Nothing is dropped.
 */
public class RedisSink extends AsyncSinkBase<Prediction, RedisWrite> {
    private static final long serialVersionUID = 1L;

    /** Hash fields, documented in docs/contracts.md. */
    public static final String FIELD_EVENT_TIME_MS = "event_time_ms";

    public static final String FIELD_EVENT_ID = "event_id";
    public static final String FIELD_PREDICTION = "prediction";
    public static final String FIELD_FEATURES = "features";

    private final RedisSettings settings;

    public RedisSink(RedisSettings settings) {
        super(
                new ToRedisWrite(settings.keyPrefix()),
                settings.maxBatchSize(),
                1,
                settings.maxBufferedWrites(),
                64L * 1024 * 1024,
                settings.maxBatchDelay().toMillis(),
                8L * 1024 * 1024,
                Duration.ofHours(1).toMillis(),
                false);
        this.settings = settings;
    }

    /** The key of a card's hash. */
    public static String key(String keyPrefix, String cardId) {
        return keyPrefix + "card:" + cardId;
    }

    @Override
    public StatefulSinkWriter<Prediction, BufferedRequestState<RedisWrite>> createWriter(
            WriterInitContext context) {
        return restoreWriter(context, List.of());
    }

    @Override
    public StatefulSinkWriter<Prediction, BufferedRequestState<RedisWrite>> restoreWriter(
            WriterInitContext context, Collection<BufferedRequestState<RedisWrite>> state) {
        AsyncSinkWriterConfiguration configuration =
                AsyncSinkWriterConfiguration.builder()
                        .setMaxBatchSize(getMaxBatchSize())
                        .setMaxBatchSizeInBytes(getMaxBatchSizeInBytes())
                        .setMaxInFlightRequests(getMaxInFlightRequests())
                        .setMaxBufferedRequests(getMaxBufferedRequests())
                        .setMaxTimeInBufferMS(getMaxTimeInBufferMS())
                        .setMaxRecordSizeInBytes(getMaxRecordSizeInBytes())
                        .setRequestTimeoutMS(getRequestTimeoutMS())
                        .setFailOnTimeout(getFailOnTimeout())
                        .build();
        return new RedisSinkWriter(getElementConverter(), context, configuration, settings, state);
    }

    @Override
    public SimpleVersionedSerializer<BufferedRequestState<RedisWrite>> getWriterStateSerializer() {
        return new StateSerializer();
    }

    private static final class ToRedisWrite implements ElementConverter<Prediction, RedisWrite> {
        private static final long serialVersionUID = 1L;

        private final String keyPrefix;

        ToRedisWrite(String keyPrefix) {
            this.keyPrefix = keyPrefix;
        }

        @Override
        public RedisWrite apply(Prediction prediction, SinkWriter.Context context) {
            return new RedisWrite(
                    key(keyPrefix, prediction.cardId),
                    prediction.eventTimeMs,
                    prediction.eventId,
                    PredictionJson.writeOnce(prediction),
                    PredictionJson.featureValues(prediction.features),
                    prediction.ingestTimeMs);
        }
    }

    /** Writes are normally flushed before each checkpoint; this covers what is still buffered. */
    private static final class StateSerializer extends AsyncSinkWriterStateSerializer<RedisWrite> {
        @Override
        protected void serializeRequestToStream(RedisWrite write, DataOutputStream out)
                throws IOException {
            out.writeUTF(write.key());
            out.writeLong(write.eventTimeMs());
            out.writeUTF(write.eventId());
            writeBytes(out, write.prediction());
            writeBytes(out, write.features());
            out.writeLong(write.ingestTimeMs());
        }

        @Override
        protected RedisWrite deserializeRequestFromStream(long size, DataInputStream in)
                throws IOException {
            return new RedisWrite(
                    in.readUTF(),
                    in.readLong(),
                    in.readUTF(),
                    readBytes(in),
                    readBytes(in),
                    in.readLong());
        }

        @Override
        public int getVersion() {
            // 2 added the ingest time; version 1 came only from builds before any release. 3: the
            // features are a JSON array (the bytes are laid out as 2's strings were).
            return 3;
        }

        private static void writeBytes(DataOutputStream out, byte[] bytes) throws IOException {
            out.writeInt(bytes.length);
            out.write(bytes);
        }

        private static byte[] readBytes(DataInputStream in) throws IOException {
            byte[] bytes = new byte[in.readInt()];
            in.readFully(bytes);
            return bytes;
        }
    }
}
