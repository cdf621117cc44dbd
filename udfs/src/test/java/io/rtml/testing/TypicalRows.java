package io.rtml.testing;

import static io.rtml.testing.TestEvents.MIDNIGHT_MS;
import static io.rtml.testing.TestEvents.event;

import io.rtml.event.Channel;
import io.rtml.event.TransactionEvent;
import io.rtml.features.CardFeatures;
import io.rtml.features.CardHistory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Feature rows computed by {@link CardFeatures} from event sequences with a known character. */
public final class TypicalRows {
    private static final long MINUTE = 60_000L;
    private static final long HOUR = 60 * MINUTE;

    private TypicalRows() {}

    /**
     * A card's third purchase of the day: mid-size amounts, at a shop, same device, hours apart.
     */
    public static float[] legitimate() {
        CardHistory history = new CardHistory();
        CardFeatures.computeAndAdd(
                history,
                event("l-1").at(MIDNIGHT_MS + 8 * HOUR).amount(18.5).device("d-1").build());
        CardFeatures.computeAndAdd(
                history,
                event("l-2")
                        .at(MIDNIGHT_MS + 12 * HOUR + 5 * MINUTE)
                        .amount(42)
                        .device("d-1")
                        .build());
        return CardFeatures.computeAndAdd(
                history,
                event("l-3")
                        .at(MIDNIGHT_MS + 14 * HOUR + 30 * MINUTE)
                        .amount(27.3)
                        .device("d-1")
                        .build());
    }

    /**
     * Card testing: after one ordinary purchase, a dozen online payments of about 1.00 within
     * minutes, the last from a new device.
     */
    public static float[] cardTesting() {
        CardHistory history = new CardHistory();
        CardFeatures.computeAndAdd(
                history, event("c-0").at(MIDNIGHT_MS + 2 * HOUR).amount(35).device("d-1").build());
        float[] values = null;
        for (int i = 0; i < 12; i++) {
            values =
                    CardFeatures.computeAndAdd(
                            history,
                            event("c-" + (i + 1))
                                    .at(MIDNIGHT_MS + 3 * HOUR + i * 45_000L)
                                    .amount(1.0 + i * 0.01)
                                    .channel(Channel.ONLINE)
                                    .device(i < 11 ? "d-x" : "d-y")
                                    .build());
        }
        return values;
    }

    /** {@code count} events over a few cards and a day, pseudo-random but the same every run. */
    public static List<TransactionEvent> mixedEvents(int count, long seed) {
        Random random = new Random(seed);
        List<TransactionEvent> events = new ArrayList<>();
        long time = MIDNIGHT_MS;
        for (int i = 0; i < count; i++) {
            time += random.nextInt(10 * (int) MINUTE);
            events.add(
                    event("e-" + i)
                            .card("card-" + random.nextInt(7))
                            .at(time)
                            .amount(
                                    Math.round(Math.exp(random.nextGaussian() * 1.5 + 3) * 100)
                                            / 100.0)
                            .channel(Channel.values()[random.nextInt(3)])
                            .country(random.nextInt(10) == 0 ? "FR" : "DE")
                            .device(random.nextInt(4) == 0 ? null : "d-" + random.nextInt(3))
                            .build());
        }
        return events;
    }

    /** The feature rows of {@link #mixedEvents}, each computed from its card's earlier events. */
    public static List<float[]> mixedRows(int count, long seed) {
        Map<String, CardHistory> histories = new HashMap<>();
        List<float[]> rows = new ArrayList<>();
        for (TransactionEvent e : mixedEvents(count, seed)) {
            rows.add(
                    CardFeatures.computeAndAdd(
                            histories.computeIfAbsent(e.cardId, c -> new CardHistory()), e));
        }
        return rows;
    }
}
