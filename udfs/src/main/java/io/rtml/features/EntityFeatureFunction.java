package io.rtml.features;

import io.rtml.features.spec.FeatureSpec;
import io.rtml.metrics.MetricNames;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.api.TimeDomain;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * One entity's feature stage, keyed by the entity: one compact state value per entity ({@link
 * EntityState}, as bytes), the entity's aggregates written into each event's vector.
 *
 * <p>An ordered entity's events are computed as they arrive. An entity that is not ordered adds
 * each event to its state at once, but computes its features when the watermark passes the end of
 * its windows ({@link EntityFeatures#windowEndMs}); in live operation that has already happened
 * (the spec's settle is far longer than the watermark's delay), on a backlog the event waits in
 * {@value #PENDING_STATE} for an event-time timer. Either way the result does not depend on how the
 * partitions interleave. When traffic stops, the watermark stops too: once it has not moved for
 * {@code maxWait} (processing time), waiting events are scored with the events at hand. A watermark
 * that stands still means its slowest partition has nothing more, so those are all the events of
 * the windows; on a backlog the watermark keeps moving and events keep waiting.
 *
 * <p>An entity's state is cleared by an event-time timer once the watermark passes {@link
 * EntityFeatures#expiryTimeMs}: by then no window of any on-time event can reach it.
 */
public class EntityFeatureFunction
        extends KeyedProcessFunction<String, PartialFeatures, PartialFeatures> {
    private static final long serialVersionUID = 1L;

    /** The states' names: part of the savepoint format. */
    public static final String STATE = "entity-state";

    public static final String PENDING_STATE = "pending-events";

    public static final String WAITING_STATE = "waiting";

    private final FeatureSpec spec;
    private final String entityName;
    private final long maxWaitMs;

    private transient EntityFeatures features;
    private transient ValueState<byte[]> state;
    private transient MapState<Long, List<PartialFeatures>> pending;

    /**
     * The key's waiting groups, without scanning {@link #pending}: {@code [watermark last seen,
     * when it last moved (processing time), window ends of the waiting groups, ascending...]}.
     */
    private transient ValueState<long[]> waiting;

    private transient Counter vectors;
    private transient Counter outOfOrder;
    private transient Counter late;
    private transient Counter expired;
    private transient Counter waitedOut;
    private transient Histogram stateBytes;

    /** When (processing time) this subtask last received an event: quiet inputs only wait out. */
    private transient long lastArrivalMs;

    /**
     * @param maxWait for an entity that is not ordered, the longest an event waits for a watermark
     *     that stands still on a quiet input (processing time)
     */
    public EntityFeatureFunction(FeatureSpec spec, String entityName, Duration maxWait) {
        this.spec = spec;
        this.entityName = entityName;
        this.maxWaitMs = maxWait.toMillis();
    }

    @Override
    public void open(OpenContext openContext) {
        features = new EntityFeatures(spec, entityName);
        state =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        STATE,
                                        PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        if (!features.entity().ordered()) {
            pending =
                    getRuntimeContext()
                            .getMapState(
                                    new MapStateDescriptor<>(
                                            PENDING_STATE,
                                            Types.LONG,
                                            Types.LIST(TypeInformation.of(PartialFeatures.class))));
            waiting =
                    getRuntimeContext()
                            .getState(
                                    new ValueStateDescriptor<>(
                                            WAITING_STATE,
                                            PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO));
        }
        MetricGroup group =
                getRuntimeContext()
                        .getMetricGroup()
                        .addGroup(MetricNames.GROUP)
                        .addGroup(MetricNames.ENTITY_LABEL, entityName);
        vectors = group.counter(MetricNames.FEATURE_VECTORS);
        outOfOrder = group.counter(MetricNames.OUT_OF_ORDER_EVENTS);
        late = group.counter(MetricNames.LATE_EVENTS);
        expired = group.counter(MetricNames.EXPIRED_ENTITIES);
        waitedOut = group.counter(MetricNames.WAITED_OUT_EVENTS);
        stateBytes =
                group.histogram(MetricNames.STATE_BYTES, new DescriptiveStatisticsHistogram(1000));
    }

    @Override
    public void processElement(PartialFeatures partial, Context ctx, Collector<PartialFeatures> out)
            throws Exception {
        lastArrivalMs = ctx.timerService().currentProcessingTime();
        if (!features.appliesTo(partial.event)) {
            out.collect(partial);
            return;
        }
        EntityState entity = load();
        long previousExpiry = entity.isEmpty() ? Long.MIN_VALUE : features.expiryTimeMs(entity);
        if (features.entity().ordered()) {
            count(features.computeAndAdd(entity, partial.event, partial.values));
            emit(partial, out);
        } else {
            count(features.add(entity, partial.event));
            long windowEnd = features.windowEndMs(partial.event.eventTimeMs);
            long watermark = ctx.timerService().currentWatermark();
            if (windowEnd <= watermark) {
                features.compute(entity, partial.event, partial.values);
                emit(partial, out);
            } else {
                wait(partial, windowEnd, watermark, ctx);
            }
            features.pruneAtWatermark(entity, watermark);
        }
        long expiry = features.expiryTimeMs(entity);
        if (expiry != previousExpiry) {
            // A waiting group may have its timer at the same time: keep that one.
            if (previousExpiry != Long.MIN_VALUE && !isWaiting(previousExpiry)) {
                ctx.timerService().deleteEventTimeTimer(previousExpiry);
            }
            ctx.timerService().registerEventTimeTimer(expiry);
        }
        store(entity);
    }

    /** Holds an event until the watermark passes its windows' end. */
    private void wait(PartialFeatures partial, long windowEnd, long watermark, Context ctx)
            throws Exception {
        List<PartialFeatures> group = pending.get(windowEnd);
        if (group == null) {
            group = new ArrayList<>();
            long[] clock = waiting.value();
            long now = ctx.timerService().currentProcessingTime();
            if (clock == null) {
                clock = new long[] {watermark, now};
                ctx.timerService().registerProcessingTimeTimer(now + maxWaitMs);
            }
            waiting.update(withGroup(clock, windowEnd));
            ctx.timerService().registerEventTimeTimer(windowEnd);
        }
        group.add(partial);
        pending.put(windowEnd, group);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<PartialFeatures> out)
            throws Exception {
        if (ctx.timeDomain() == TimeDomain.PROCESSING_TIME) {
            // Most ticks find the watermark moving: the state is decoded only to score.
            if (waiting != null && waiting.value() != null) {
                checkWaiting(ctx, timestamp, out);
            }
            return;
        }
        byte[] stored = state.value();
        if (stored == null) {
            return;
        }
        EntityState entity = features.decode(stored);
        if (isWaiting(timestamp)) {
            score(entity, timestamp, out);
            features.pruneAtWatermark(entity, timestamp);
            store(entity);
        }
        if (features.expiryTimeMs(entity) == timestamp
                && (waiting == null || waiting.value() == null)) {
            state.clear();
            expired.inc();
        }
    }

    /**
     * On a processing-time tick: when neither the watermark moved nor an event arrived for {@code
     * maxWait}, scores every waiting event with the events at hand; otherwise checks again later.
     */
    private void checkWaiting(OnTimerContext ctx, long now, Collector<PartialFeatures> out)
            throws Exception {
        long[] clock = waiting.value();
        long watermark = ctx.timerService().currentWatermark();
        if (clock[0] != watermark) {
            clock[0] = watermark;
            clock[1] = now;
            waiting.update(clock);
        } else if (watermark != Long.MIN_VALUE
                && clock[1] + maxWaitMs <= now
                && lastArrivalMs + maxWaitMs <= now) {
            // (No watermark yet means an input has not started: wait for it.)
            EntityState entity = load();
            for (int i = 2; i < clock.length; i++) {
                waitedOut.inc(pending.get(clock[i]).size());
                score(entity, clock[i], out);
            }
            store(entity);
            return;
        }
        ctx.timerService().registerProcessingTimeTimer(now + maxWaitMs);
    }

    /** Scores the group of events whose windows end at {@code windowEnd}. */
    private void score(EntityState entity, long windowEnd, Collector<PartialFeatures> out)
            throws Exception {
        for (PartialFeatures partial : pending.get(windowEnd)) {
            features.compute(entity, partial.event, partial.values);
            emit(partial, out);
        }
        pending.remove(windowEnd);
        long[] clock = waiting.value();
        long[] rest = withoutGroup(clock, windowEnd);
        if (rest.length == 2) {
            waiting.clear();
        } else {
            waiting.update(rest);
        }
    }

    private boolean isWaiting(long windowEnd) throws Exception {
        if (waiting == null) {
            return false;
        }
        long[] clock = waiting.value();
        return clock != null && Arrays.binarySearch(clock, 2, clock.length, windowEnd) >= 0;
    }

    private static long[] withGroup(long[] clock, long windowEnd) {
        int at = Arrays.binarySearch(clock, 2, clock.length, windowEnd);
        if (at >= 0) {
            return clock;
        }
        at = -at - 1;
        long[] grown = new long[clock.length + 1];
        System.arraycopy(clock, 0, grown, 0, at);
        grown[at] = windowEnd;
        System.arraycopy(clock, at, grown, at + 1, clock.length - at);
        return grown;
    }

    private static long[] withoutGroup(long[] clock, long windowEnd) {
        int at = Arrays.binarySearch(clock, 2, clock.length, windowEnd);
        if (at < 0) {
            return clock;
        }
        long[] shrunk = new long[clock.length - 1];
        System.arraycopy(clock, 0, shrunk, 0, at);
        System.arraycopy(clock, at + 1, shrunk, at, clock.length - at - 1);
        return shrunk;
    }

    private EntityState load() throws Exception {
        byte[] stored = state.value();
        return stored == null ? features.newState() : features.decode(stored);
    }

    private void store(EntityState entity) throws Exception {
        byte[] encoded = EntityStateCodec.encode(entity);
        stateBytes.update(encoded.length);
        state.update(encoded);
    }

    private void emit(PartialFeatures partial, Collector<PartialFeatures> out) {
        vectors.inc();
        out.collect(partial);
    }

    private void count(EntityFeatures.Arrival arrival) {
        switch (arrival) {
            case OUT_OF_ORDER -> outOfOrder.inc();
            case LATE -> late.inc();
            case IN_ORDER -> {}
        }
    }
}
