package io.rtml.job.bench;

import io.rtml.event.Channel;
import io.rtml.event.TransactionEvent;
import io.rtml.job.generator.TransactionGenerator;
import org.apache.flink.connector.datagen.source.GeneratorFunction;

/**
 * Cheap, deterministic card transactions for benchmarks: event {@code i} is a pure function of
 * {@code i}, so any subtask can make any of them. Each of {@code entities} cards transacts about
 * {@code perEntityPerDay} times a simulated day at merchants drawn from {@code entities / 20}, each
 * of one category.
 */
public final class SyntheticEvents implements GeneratorFunction<Long, TransactionEvent> {
    private static final long serialVersionUID = 1L;
    private static final String[] COUNTRIES = {
        "DE", "FR", "NL", "ES", "IT", "GB", "PL", "SE", "US", "PT"
    };

    private final int entities;
    private final int merchants;
    private final double intervalMs;
    private final long startMs;

    public SyntheticEvents(int entities, double perEntityPerDay, long startMs) {
        this.entities = entities;
        this.merchants = Math.max(10, entities / 20);
        this.intervalMs = 86_400_000d / (entities * perEntityPerDay);
        this.startMs = startMs;
    }

    @Override
    public TransactionEvent map(Long index) {
        long i = index;
        long h = mix(i);
        int card = (int) Math.floorMod(h, (long) entities);
        TransactionEvent event = new TransactionEvent();
        event.eventId = "b-" + i;
        event.cardId = "c-" + card;
        long merchant = Math.floorMod(mix(h), (long) merchants);
        event.merchantId = "m-" + merchant;
        event.merchantCategory =
                TransactionGenerator.CATEGORIES.get(
                        (int) (merchant % TransactionGenerator.CATEGORIES.size()));
        event.amount = Math.round(Math.exp(2 + ((h >>> 40) & 0xFF) / 64.0)) / 1.0;
        event.currency = "EUR";
        event.country = COUNTRIES[card % COUNTRIES.length];
        event.channel = Channel.values()[(int) ((h >>> 20) & 0x3) % 3];
        event.eventTimeMs = startMs + (long) (i * intervalMs);
        event.deviceId = event.channel == Channel.ONLINE ? "d-" + card : null;
        event.ingestTimeMs = event.eventTimeMs;
        return event;
    }

    private static long mix(long x) {
        x = (x ^ (x >>> 33)) * 0xff51afd7ed558ccdL;
        x = (x ^ (x >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return x ^ (x >>> 33);
    }
}
