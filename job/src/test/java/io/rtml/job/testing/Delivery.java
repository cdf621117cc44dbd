package io.rtml.job.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.rtml.event.TransactionEvent;
import io.rtml.inference.Prediction;
import io.rtml.sink.PredictionJson;
import io.rtml.sink.RedisSink;
import io.rtml.testing.RedisServer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import redis.clients.jedis.Jedis;

/**
 * What the job promises, checked: each event has exactly one committed prediction, and Redis holds
 * each card's newest prediction (latest event time, then largest event id).
 */
public final class Delivery {
    /** Scores of one row differ by up to about 1e-6 with the batch it lands in (decisions.md). */
    public static final double SCORE_TOLERANCE = 1e-5;

    private Delivery() {}

    /**
     * How the committed predictions compare with the events: {@code events} records in, {@code
     * committed} predictions, {@code lost} events without one, {@code duplicated} predictions
     * beyond one per record. Records that repeat an event id count once each.
     */
    public record Outcome(int events, int committed, int lost, int duplicated) {
        @Override
        public String toString() {
            return "events="
                    + events
                    + " committed="
                    + committed
                    + " lost="
                    + lost
                    + " duplicated="
                    + duplicated;
        }
    }

    public static Outcome compare(List<Prediction> committed, Collection<TransactionEvent> events) {
        Map<String, Integer> expected = new HashMap<>();
        events.forEach(e -> expected.merge(e.eventId, 1, Integer::sum));
        Map<String, Integer> seen = new HashMap<>();
        committed.forEach(p -> seen.merge(p.eventId, 1, Integer::sum));
        int lost = 0;
        int duplicated = 0;
        for (Map.Entry<String, Integer> entry : expected.entrySet()) {
            int got = seen.getOrDefault(entry.getKey(), 0);
            lost += Math.max(0, entry.getValue() - got);
            duplicated += Math.max(0, got - entry.getValue());
        }
        for (Map.Entry<String, Integer> entry : seen.entrySet()) {
            if (!expected.containsKey(entry.getKey())) {
                duplicated += entry.getValue(); // a prediction for no event at all
            }
        }
        return new Outcome(events.size(), committed.size(), lost, duplicated);
    }

    /** Exactly one committed prediction per record, of that record's card and time. */
    public static Outcome assertExactlyOnce(
            List<Prediction> committed, List<TransactionEvent> events) {
        Outcome outcome = compare(committed, events);
        assertThat(outcome.lost()).as("events without a committed prediction").isZero();
        assertThat(outcome.duplicated()).as("predictions beyond one per event").isZero();
        assertThat(committed).hasSize(events.size());
        Map<String, List<TransactionEvent>> byId = byId(events);
        for (Prediction prediction : committed) {
            assertThat(byId.get(prediction.eventId))
                    .as("the events with id %s", prediction.eventId)
                    .anySatisfy(
                            event -> {
                                assertThat(prediction.cardId).isEqualTo(event.cardId);
                                assertThat(prediction.eventTimeMs).isEqualTo(event.eventTimeMs);
                            });
        }
        return outcome;
    }

    /** Each card's newest event: the latest event time, then the largest event id. */
    public static Map<String, TransactionEvent> newestPerCard(Collection<TransactionEvent> events) {
        Comparator<TransactionEvent> order =
                Comparator.<TransactionEvent>comparingLong(e -> e.eventTimeMs)
                        .thenComparing(e -> e.eventId);
        Map<String, TransactionEvent> newest = new HashMap<>();
        for (TransactionEvent event : events) {
            newest.merge(event.cardId, event, (a, b) -> order.compare(a, b) >= 0 ? a : b);
        }
        return newest;
    }

    /**
     * {@link #assertRedisHoldsNewest(Jedis, String, Collection, List, Predicate)} for every card.
     */
    public static int assertRedisHoldsNewest(
            RedisServer redis,
            String keyPrefix,
            Collection<TransactionEvent> events,
            List<Prediction> committed) {
        try (Jedis jedis = redis.client()) {
            return assertRedisHoldsNewest(jedis, keyPrefix, events, committed, card -> true);
        }
    }

    /**
     * Redis holds, for every card that {@code cards} selects, the prediction of its newest event,
     * equal (score within {@link #SCORE_TOLERANCE}) to a committed prediction of that event;
     * returns how many cards were checked.
     */
    public static int assertRedisHoldsNewest(
            Jedis jedis,
            String keyPrefix,
            Collection<TransactionEvent> events,
            List<Prediction> committed,
            Predicate<String> cards) {
        Map<String, List<Prediction>> committedById = new HashMap<>();
        committed.forEach(
                p -> committedById.computeIfAbsent(p.eventId, id -> new ArrayList<>()).add(p));
        int checked = 0;
        for (TransactionEvent event : newestPerCard(events).values()) {
            if (!cards.test(event.cardId)) {
                continue;
            }
            Map<String, String> hash = jedis.hgetAll(RedisSink.key(keyPrefix, event.cardId));
            assertThat(hash.get(RedisSink.FIELD_EVENT_ID))
                    .as(event.cardId)
                    .isEqualTo(event.eventId);
            assertThat(hash.get(RedisSink.FIELD_EVENT_TIME_MS))
                    .as(event.cardId)
                    .isEqualTo(Long.toString(event.eventTimeMs));
            Prediction stored =
                    PredictionJson.read(
                            hash.get(RedisSink.FIELD_PREDICTION).getBytes(StandardCharsets.UTF_8));
            assertThat(stored.eventId).isEqualTo(event.eventId);
            assertThat(committedById.get(event.eventId))
                    .as("committed predictions of %s", event.eventId)
                    .anySatisfy(
                            p ->
                                    assertThat((double) stored.score)
                                            .isCloseTo(p.score, within(SCORE_TOLERANCE)));
            checked++;
        }
        return checked;
    }

    public static Map<String, List<TransactionEvent>> byId(Collection<TransactionEvent> events) {
        Map<String, List<TransactionEvent>> byId = new HashMap<>();
        events.forEach(e -> byId.computeIfAbsent(e.eventId, id -> new ArrayList<>()).add(e));
        return byId;
    }
}
