package io.rtml.testing;

import static io.rtml.testing.TestEvents.MIDNIGHT_MS;
import static io.rtml.testing.TestEvents.event;

import io.rtml.event.Channel;
import io.rtml.event.TransactionEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Feature rows of the shipped spec ({@link FeatureRows}) computed from event sequences with a known
 * character.
 */
public final class TypicalRows {
    private static final long MINUTE = 60_000L;
    private static final long HOUR = 60 * MINUTE;

    private TypicalRows() {}

    /**
     * A card's third purchase of the day: mid-size amounts at shops that other cards use too, the
     * same device, hours apart.
     */
    public static float[] legitimate() {
        FeatureRows rows = FeatureRows.shipped();
        shopTraffic(rows, "m-bakery", MIDNIGHT_MS + 7 * HOUR, 8 * HOUR);
        rows.add(
                event("l-1")
                        .merchant("m-bakery")
                        .at(MIDNIGHT_MS + 8 * HOUR)
                        .amount(18.5)
                        .device("d-1")
                        .build());
        shopTraffic(rows, "m-books", MIDNIGHT_MS + 11 * HOUR, 4 * HOUR);
        rows.add(
                event("l-2")
                        .merchant("m-books")
                        .at(MIDNIGHT_MS + 12 * HOUR + 5 * MINUTE)
                        .amount(42)
                        .device("d-1")
                        .build());
        return rows.add(
                event("l-3")
                        .merchant("m-bakery")
                        .at(MIDNIGHT_MS + 14 * HOUR + 30 * MINUTE)
                        .amount(27.3)
                        .device("d-1")
                        .build());
    }

    /**
     * Card testing as the generator plants it: after a day of ordinary purchases with the card's
     * own device, a burst of small online payments (0.50 to 5.00) at a different merchant each,
     * tens of seconds apart, all from one device the card never used.
     */
    public static float[] cardTesting() {
        FeatureRows rows = FeatureRows.shipped();
        for (int i = 0; i < 4; i++) {
            rows.add(
                    event("c-" + i)
                            .merchant(i % 2 == 0 ? "m-grocer" : "m-pharmacy")
                            .at(MIDNIGHT_MS + (8 + 3 * i) * HOUR)
                            .amount(20 + 9 * i)
                            .device("d-1")
                            .build());
        }
        float[] values = null;
        for (int i = 0; i < 10; i++) {
            values =
                    rows.add(
                            event("c-burst-" + i)
                                    .merchant("m-webshop-" + i)
                                    .at(MIDNIGHT_MS + 21 * HOUR + i * 40_000L)
                                    .amount(0.5 + (i * 37 % 45) / 10.0)
                                    .channel(Channel.ONLINE)
                                    .device("d-fraud")
                                    .build());
        }
        return values;
    }

    /** Other cards paying at {@code merchant}, one every 12 minutes from {@code from}. */
    private static void shopTraffic(FeatureRows rows, String merchant, long from, long length) {
        for (long t = from, i = 0; t < from + length; t += 12 * MINUTE, i++) {
            rows.add(
                    event(merchant + "-" + i)
                            .card("other-" + i)
                            .merchant(merchant)
                            .at(t)
                            .amount(10 + i % 7 * 5)
                            .build());
        }
    }

    /**
     * {@code count} events over a few cards and merchants and a day, pseudo-random but the same
     * every run, in time order.
     */
    public static List<TransactionEvent> mixedEvents(int count, long seed) {
        Random random = new Random(seed);
        List<TransactionEvent> events = new ArrayList<>();
        long time = MIDNIGHT_MS;
        for (int i = 0; i < count; i++) {
            time += random.nextInt(10 * (int) MINUTE);
            events.add(
                    event("e-" + i)
                            .card("card-" + random.nextInt(7))
                            .merchant("m-" + random.nextInt(5))
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

    /** The feature rows of {@link #mixedEvents}, each computed from the events before it. */
    public static List<float[]> mixedRows(int count, long seed) {
        return FeatureRows.shipped().addAll(mixedEvents(count, seed));
    }
}
