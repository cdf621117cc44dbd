package io.rtml.job.reliability;

import io.rtml.event.DecodedRecord;
import io.rtml.event.EventDeserializer;
import io.rtml.inference.Prediction;
import io.rtml.sink.RedisSettings;
import io.rtml.sink.RedisSink;
import io.rtml.sink.RedisWrite;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Task failures at chosen points of a run: a plan of call counts (counted over every attempt, so
 * replays after a restart count too) at which a stage throws, each once. The plans live in this
 * JVM, where the mini cluster runs the tasks.
 */
final class InjectedFailures {
    private static final Map<String, Plan> PLANS = new ConcurrentHashMap<>();

    private InjectedFailures() {}

    /** When one stage fails: the calls at which it throws, and which already did. */
    static final class Plan {
        final String name;
        final AtomicLong calls = new AtomicLong();
        final ConcurrentSkipListSet<Long> pending;
        final List<String> happened = java.util.Collections.synchronizedList(new ArrayList<>());

        Plan(String name, Collection<Long> failAt) {
            this.name = name;
            this.pending = new ConcurrentSkipListSet<>(failAt);
        }

        /** Counts a call; throws when this call is one the plan fails at. */
        void call() throws IOException {
            long call = calls.incrementAndGet();
            if (pending.remove(call)) {
                String what = "injected failure of " + name + " at call " + call;
                happened.add(what);
                throw new IOException(what);
            }
        }

        int planned() {
            return pending.size() + happened.size();
        }
    }

    /** {@code count} distinct seeded call numbers in {@code [from, to)}. */
    static Plan plan(String name, long seed, int count, long from, long to) {
        Random random = new Random(seed);
        TreeSet<Long> at = new TreeSet<>();
        while (at.size() < count) {
            at.add(from + (long) (random.nextDouble() * (to - from)));
        }
        Plan plan = new Plan(name, at);
        PLANS.put(name, plan);
        return plan;
    }

    /** Decodes as the job does, failing the source task as its plan says. */
    static final class FailingDeserializer
            implements KafkaRecordDeserializationSchema<DecodedRecord> {
        private static final long serialVersionUID = 1L;
        private final String plan;
        private final EventDeserializer delegate =
                new EventDeserializer(EventDeserializer.DEFAULT_MAX_FUTURE);

        FailingDeserializer(String plan) {
            this.plan = plan;
        }

        @Override
        public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<DecodedRecord> out)
                throws IOException {
            PLANS.get(plan).call();
            delegate.deserialize(record, out);
        }

        @Override
        public TypeInformation<DecodedRecord> getProducedType() {
            return delegate.getProducedType();
        }
    }

    /** The job's Redis sink, whose writer fails its task as its plan says. */
    static final class FailingRedisSink extends RedisSink {
        private static final long serialVersionUID = 1L;
        private final String plan;

        FailingRedisSink(RedisSettings settings, String plan) {
            super(settings);
            this.plan = plan;
        }

        @Override
        public StatefulSinkWriter<Prediction, BufferedRequestState<RedisWrite>> restoreWriter(
                WriterInitContext context, Collection<BufferedRequestState<RedisWrite>> state) {
            StatefulSinkWriter<Prediction, BufferedRequestState<RedisWrite>> writer =
                    super.restoreWriter(context, state);
            Plan failures = PLANS.get(plan);
            return new StatefulSinkWriter<>() {
                @Override
                public void write(Prediction element, Context context)
                        throws IOException, InterruptedException {
                    failures.call();
                    writer.write(element, context);
                }

                @Override
                public void writeWatermark(Watermark watermark)
                        throws IOException, InterruptedException {
                    writer.writeWatermark(watermark);
                }

                @Override
                public void flush(boolean endOfInput) throws IOException, InterruptedException {
                    writer.flush(endOfInput);
                }

                @Override
                public List<BufferedRequestState<RedisWrite>> snapshotState(long checkpointId)
                        throws IOException {
                    return writer.snapshotState(checkpointId);
                }

                @Override
                public void close() throws Exception {
                    writer.close();
                }
            };
        }
    }
}
