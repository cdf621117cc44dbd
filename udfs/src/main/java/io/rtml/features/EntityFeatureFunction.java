package io.rtml.features;

import io.rtml.features.spec.FeatureSpec;
import io.rtml.metrics.MetricNames;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
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
 * {@value #PENDING_STATE}, one entry per event, for an event-time timer at its windows' end. Either
 * way the result does not depend on how the partitions interleave. When traffic stops, the
 * watermark stops too: once it has not moved for {@code maxWait} (processing time), waiting events
 * are scored with the events at hand. A watermark that stands still means its slowest partition has
 * nothing more, so those are all the events of the windows; on a backlog the watermark keeps moving
 * and events keep waiting.
 *
 * <p>The entities used last stay decoded between events, up to {@code cacheEntries}, and are
 * written back when evicted and before each checkpoint barrier ({@link EntityFeatureOperator}): a
 * busy entity (a merchant takes many events a second) is read and written once per checkpoint
 * instead of once per event. The checkpoint holds each entity as of its barrier, as without the
 * cache, and a restore starts with it empty.
 *
 * <p>No timer is set per event: an entity's state drops the buckets its windows no longer reach
 * whenever it is written, and an entity not written for {@code stateTtl} (processing time) is
 * dropped by RocksDB's compaction (state TTL) and reads as new. The time to live is at least the
 * entity's longest lifetime ({@link EntityFeatures#stateLifetimeMs}), so in live operation, and in
 * a replay after the job was down for less than the difference, it never changes a feature
 * (docs/decisions.md, "Expiry by state TTL").
 */
public class EntityFeatureFunction
        extends KeyedProcessFunction<String, PartialFeatures, PartialFeatures> {
    private static final long serialVersionUID = 1L;

    /** The states' names: part of the savepoint format. */
    public static final String STATE = "entity-state";

    public static final String PENDING_STATE = "pending-events";

    public static final String WAITING_STATE = "waiting";

    /** Where the window ends of the waiting groups start in {@link #waiting}'s array. */
    private static final int GROUPS = 3;

    private final FeatureSpec spec;
    private final String entityName;
    private final long maxWaitMs;
    private final Duration stateTtl;
    private final int cacheEntries;

    private transient EntityFeatures features;
    private transient ValueState<byte[]> state;

    /**
     * The key's waiting events, by their windows' end and then their arrival number among the key's
     * waiting events: a group is found from the keys alone.
     */
    private transient MapState<Tuple2<Long, Long>, PartialFeatures> pending;

    /**
     * The key's waiting groups, without scanning {@link #pending}: {@code [watermark last seen,
     * when it last moved (processing time), the next arrival number, window ends of the waiting
     * groups, ascending...]}; cleared when nothing waits.
     */
    private transient ValueState<long[]> waiting;

    private transient Counter vectors;
    private transient Counter outOfOrder;
    private transient Counter late;
    private transient Counter waitedOut;
    private transient Histogram stateBytes;

    /** When (processing time) this subtask last received an event: quiet inputs only wait out. */
    private transient long lastArrivalMs;

    /**
     * The entities used last, decoded, by key, least recently used first; those changed since they
     * were last written are {@link Cached#dirty}. Written to {@link #state} when evicted and before
     * each checkpoint barrier ({@link #flush}).
     */
    private transient LinkedHashMap<String, Cached> cache;

    /** Makes a key the keyed state's current one: set by {@link EntityFeatureOperator}. */
    private transient Consumer<String> keySwitch;

    /**
     * @param maxWait for an entity that is not ordered, the longest an event waits for a watermark
     *     that stands still on a quiet input (processing time)
     * @param stateTtl how long an entity's state lives without a write (processing time); at least
     *     {@link EntityFeatures#stateLifetimeMs}
     */
    public EntityFeatureFunction(
            FeatureSpec spec, String entityName, Duration maxWait, Duration stateTtl) {
        this(spec, entityName, maxWait, stateTtl, 0);
    }

    /**
     * @param cacheEntries entities kept decoded between events and written back before each
     *     checkpoint barrier, at most (0: every event reads and writes its entity's state); needs
     *     {@link EntityFeatureOperator}, which writes them back
     */
    public EntityFeatureFunction(
            FeatureSpec spec,
            String entityName,
            Duration maxWait,
            Duration stateTtl,
            int cacheEntries) {
        long lifetime = new EntityFeatures(spec, entityName).stateLifetimeMs();
        if (stateTtl.toMillis() < lifetime) {
            throw new IllegalArgumentException(
                    "the state's time to live ("
                            + stateTtl
                            + ") is shorter than what "
                            + entityName
                            + "'s windows need ("
                            + Duration.ofMillis(lifetime)
                            + ")");
        }
        this.spec = spec;
        this.entityName = entityName;
        this.maxWaitMs = maxWait.toMillis();
        this.stateTtl = stateTtl;
        if (cacheEntries < 0) {
            throw new IllegalArgumentException("a cache of " + cacheEntries + " entries");
        }
        this.cacheEntries = cacheEntries;
    }

    @Override
    public void open(OpenContext openContext) {
        features = new EntityFeatures(spec, entityName);
        state = getRuntimeContext().getState(stateDescriptor(stateTtl));
        cache = new LinkedHashMap<>(16, 0.75f, true);
        if (!features.entity().ordered()) {
            pending =
                    getRuntimeContext()
                            .getMapState(
                                    new MapStateDescriptor<>(
                                            PENDING_STATE,
                                            Types.TUPLE(Types.LONG, Types.LONG),
                                            TypeInformation.of(PartialFeatures.class)));
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
        waitedOut = group.counter(MetricNames.WAITED_OUT_EVENTS);
        stateBytes =
                group.histogram(MetricNames.STATE_BYTES, new DescriptiveStatisticsHistogram(1000));
    }

    /**
     * The entity's state: refreshed on every write, unreadable once not written for {@code
     * stateTtl}, and dropped by RocksDB's compaction then.
     */
    static ValueStateDescriptor<byte[]> stateDescriptor(Duration stateTtl) {
        ValueStateDescriptor<byte[]> descriptor =
                new ValueStateDescriptor<>(
                        STATE, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);
        descriptor.enableTimeToLive(
                StateTtlConfig.newBuilder(stateTtl)
                        .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                        .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                        .cleanupInRocksdbCompactFilter(1000)
                        .build());
        return descriptor;
    }

    @Override
    public void processElement(PartialFeatures partial, Context ctx, Collector<PartialFeatures> out)
            throws Exception {
        lastArrivalMs = ctx.timerService().currentProcessingTime();
        if (!features.appliesTo(partial.event)) {
            out.collect(partial);
            return;
        }
        String key = ctx.getCurrentKey();
        EntityState entity = load(key);
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
        store(key, entity);
    }

    /** Holds an event until the watermark passes its windows' end. */
    private void wait(PartialFeatures partial, long windowEnd, long watermark, Context ctx)
            throws Exception {
        long[] clock = waiting.value();
        if (clock == null) {
            long now = ctx.timerService().currentProcessingTime();
            clock = new long[] {watermark, now, 0};
            ctx.timerService().registerProcessingTimeTimer(now + maxWaitMs);
        }
        pending.put(Tuple2.of(windowEnd, clock[2]++), partial);
        int at = Arrays.binarySearch(clock, GROUPS, clock.length, windowEnd);
        if (at < 0) {
            at = -at - 1;
            long[] grown = new long[clock.length + 1];
            System.arraycopy(clock, 0, grown, 0, at);
            grown[at] = windowEnd;
            System.arraycopy(clock, at, grown, at + 1, clock.length - at);
            clock = grown;
            ctx.timerService().registerEventTimeTimer(windowEnd);
        }
        waiting.update(clock);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<PartialFeatures> out)
            throws Exception {
        long[] clock = waiting == null ? null : waiting.value();
        if (clock == null) {
            return; // a timer of groups scored meanwhile
        }
        if (ctx.timeDomain() == TimeDomain.PROCESSING_TIME) {
            checkWaiting(ctx, clock, timestamp, out);
        } else if (Arrays.binarySearch(clock, GROUPS, clock.length, timestamp) >= 0) {
            String key = ctx.getCurrentKey();
            EntityState entity = load(key);
            score(entity, timestamp, clock, out);
            features.pruneAtWatermark(entity, timestamp);
            store(key, entity);
        }
    }

    /**
     * On a processing-time tick: when neither the watermark moved nor an event arrived for {@code
     * maxWait}, scores every waiting event with the events at hand; otherwise checks again later.
     */
    private void checkWaiting(
            OnTimerContext ctx, long[] clock, long now, Collector<PartialFeatures> out)
            throws Exception {
        long watermark = ctx.timerService().currentWatermark();
        if (clock[0] != watermark) {
            clock[0] = watermark;
            clock[1] = now;
            waiting.update(clock);
        } else if (watermark != Long.MIN_VALUE
                && clock[1] + maxWaitMs <= now
                && lastArrivalMs + maxWaitMs <= now) {
            // (No watermark yet means an input has not started: wait for it.)
            String key = ctx.getCurrentKey();
            EntityState entity = load(key);
            waitedOut.inc(score(entity, Long.MAX_VALUE, clock, out));
            store(key, entity);
            return;
        }
        ctx.timerService().registerProcessingTimeTimer(now + maxWaitMs);
    }

    /**
     * Scores, in arrival order, the waiting events whose windows end at or before {@code limit};
     * returns how many.
     */
    private int score(EntityState entity, long limit, long[] clock, Collector<PartialFeatures> out)
            throws Exception {
        List<Map.Entry<Tuple2<Long, Long>, PartialFeatures>> due = new ArrayList<>();
        for (Iterator<Map.Entry<Tuple2<Long, Long>, PartialFeatures>> it = pending.iterator();
                it.hasNext(); ) {
            Map.Entry<Tuple2<Long, Long>, PartialFeatures> entry = it.next();
            // From the key alone: the events of later groups are not even read.
            if (entry.getKey().f0 <= limit) {
                due.add(Map.entry(entry.getKey(), entry.getValue()));
                it.remove();
            }
        }
        due.sort(Comparator.comparing(entry -> entry.getKey().f1));
        for (Map.Entry<Tuple2<Long, Long>, PartialFeatures> entry : due) {
            PartialFeatures partial = entry.getValue();
            features.compute(entity, partial.event, partial.values);
            emit(partial, out);
        }
        int kept = GROUPS;
        while (kept < clock.length && clock[kept] <= limit) {
            kept++;
        }
        if (kept == clock.length) {
            waiting.clear();
        } else {
            long[] rest = new long[GROUPS + clock.length - kept];
            System.arraycopy(clock, 0, rest, 0, GROUPS);
            System.arraycopy(clock, kept, rest, GROUPS, clock.length - kept);
            waiting.update(rest);
        }
        return due.size();
    }

    /** The entity of {@code key}, the keyed state's current key. */
    private EntityState load(String key) throws Exception {
        Cached cached = cache.get(key);
        if (cached != null) {
            return cached.state;
        }
        byte[] stored = state.value();
        EntityState entity = stored == null ? features.newState() : features.decode(stored);
        if (cacheEntries > 0) {
            if (cache.size() >= cacheEntries) {
                evictEldest(key);
            }
            cache.put(key, new Cached(entity));
        }
        return entity;
    }

    /** Keeps {@code entity} as {@code key}'s, written now or, when cached, later. */
    private void store(String key, EntityState entity) throws Exception {
        Cached cached = cache.get(key);
        if (cached == null) {
            write(entity);
        } else {
            cached.dirty = true;
        }
    }

    /** Writes the least recently used entity back if it changed; {@code current} stays current. */
    private void evictEldest(String current) throws Exception {
        Map.Entry<String, Cached> eldest = cache.entrySet().iterator().next();
        cache.remove(eldest.getKey());
        if (eldest.getValue().dirty) {
            keySwitch.accept(eldest.getKey());
            write(eldest.getValue().state);
            keySwitch.accept(current);
        }
    }

    /**
     * Writes every entity changed since it was last written to the keyed state, which the next
     * checkpoint then holds. The entities stay cached; the current key is left at the last one.
     */
    void flush() throws Exception {
        for (Map.Entry<String, Cached> entry : cache.entrySet()) {
            if (entry.getValue().dirty) {
                keySwitch.accept(entry.getKey());
                write(entry.getValue().state);
                entry.getValue().dirty = false;
            }
        }
    }

    /** Lets {@link EntityFeatureOperator} switch the keyed state's current key. */
    void useKeySwitch(Consumer<String> keySwitch) {
        this.keySwitch = keySwitch;
    }

    private void write(EntityState entity) throws Exception {
        byte[] encoded = EntityStateCodec.encode(entity);
        stateBytes.update(encoded.length);
        state.update(encoded);
    }

    /** A decoded entity, and whether it changed since it was last written. */
    private static final class Cached {
        final EntityState state;
        boolean dirty;

        Cached(EntityState state) {
            this.state = state;
        }
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
