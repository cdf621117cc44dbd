package io.rtml.features;

import io.rtml.event.TransactionEvent;
import io.rtml.metrics.MetricNames;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The features stage, keyed by card: one {@link CardHistory} per card in keyed state, one {@link
 * FeatureVector} out per event, in arrival order.
 *
 * <p>A card's state is cleared by an event-time timer once the watermark passes {@link
 * CardFeatures#expiryTimeMs}: by then no window of any on-time event can reach it.
 */
public class CardFeatureFunction
        extends KeyedProcessFunction<String, TransactionEvent, FeatureVector> {
    private static final long serialVersionUID = 1L;

    /** The state's name: part of the savepoint format. */
    public static final String HISTORY_STATE = "card-history";

    private final String modelName;
    private final String modelVersion;

    private transient ValueState<CardHistory> history;
    private transient Counter vectors;
    private transient Counter outOfOrder;
    private transient Counter expired;

    public CardFeatureFunction(String modelName, String modelVersion) {
        this.modelName = modelName;
        this.modelVersion = modelVersion;
    }

    @Override
    public void open(OpenContext openContext) {
        history =
                getRuntimeContext()
                        .getState(new ValueStateDescriptor<>(HISTORY_STATE, CardHistory.class));
        MetricGroup group = getRuntimeContext().getMetricGroup().addGroup(MetricNames.GROUP);
        vectors = group.counter(MetricNames.FEATURE_VECTORS);
        outOfOrder = group.counter(MetricNames.OUT_OF_ORDER_EVENTS);
        expired = group.counter(MetricNames.EXPIRED_ENTITIES);
    }

    @Override
    public void processElement(TransactionEvent event, Context ctx, Collector<FeatureVector> out)
            throws Exception {
        CardHistory card = history.value();
        if (card == null) {
            card = new CardHistory();
        } else if (event.eventTimeMs < card.maxEventTimeMs) {
            outOfOrder.inc();
        }
        long previousExpiry = card.isEmpty() ? Long.MIN_VALUE : CardFeatures.expiryTimeMs(card);
        float[] values = CardFeatures.computeAndAdd(card, event);
        long expiry = CardFeatures.expiryTimeMs(card);
        if (expiry != previousExpiry) {
            if (previousExpiry != Long.MIN_VALUE) {
                ctx.timerService().deleteEventTimeTimer(previousExpiry);
            }
            ctx.timerService().registerEventTimeTimer(expiry);
        }
        history.update(card);

        FeatureVector vector = new FeatureVector();
        vector.eventId = event.eventId;
        vector.cardId = event.cardId;
        vector.eventTimeMs = event.eventTimeMs;
        vector.ingestTimeMs = event.ingestTimeMs;
        vector.values = values;
        vector.featureSet = CardFeatures.FEATURE_SET;
        vector.modelName = modelName;
        vector.modelVersion = modelVersion;
        vectors.inc();
        out.collect(vector);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<FeatureVector> out)
            throws Exception {
        CardHistory card = history.value();
        if (card != null && CardFeatures.expiryTimeMs(card) == timestamp) {
            history.clear();
            expired.inc();
        }
    }
}
