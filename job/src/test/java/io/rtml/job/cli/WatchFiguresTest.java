package io.rtml.job.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** What {@code rtml watch} shows, from what arrived over its sliding window. */
class WatchFiguresTest {
    @Test
    void showsRatesAndLatenciesOverTheWindowAndSaysWhatBoundsTheCommittedLatency() {
        WatchCommand.Figures figures = new WatchCommand.Figures(Duration.ofSeconds(10), 0);
        // 20 s of 2,000 events/s; each second's 2,000 predictions reach Redis 12 ms (three in
        // four) or 40 ms after their ingest, scored 10 ms after it; they are committed in one
        // burst per 5 s checkpoint, 2,500 ms after ingest (three in four) or 5,000 ms.
        for (long second = 1; second <= 20; second++) {
            figures.events.count(second * 1_000, 2_000);
            for (int i = 0; i < 2_000; i++) {
                figures.redis.sample(second * 1_000, i % 4 == 0 ? 40 : 12);
            }
            if (second % 5 == 0) {
                for (int i = 0; i < 10_000; i++) {
                    figures.committed.sample(second * 1_000, i < 7_500 ? 2_500 : 5_000);
                    figures.scored.sample(second * 1_000, 10);
                }
            }
        }

        assertThat(figures.lines(20_000, true))
                .containsExactly(
                        "events 2,000/s   committed predictions 2,000/s   (over the last 10 s)",
                        "latency from Kafka ingest, p50 / p99 over the last 10 s:",
                        "  to Redis          12 ms /       40 ms   written as soon as scored"
                                + " (cards whose id ends in 0)",
                        "  scored            10 ms /       10 ms   the record's scored_time_ms",
                        "  committed      2,500 ms /    5,000 ms   read_committed: waits for the"
                                + " checkpoint after it, up to",
                        "                                          checkpoints.interval (5 s by default); at a"
                                + " steady rate its p99 is at least that");
    }

    @Test
    void showsDashesUntilSomethingArrivesAndHowToGetTheRedisLatency() {
        WatchCommand.Figures figures = new WatchCommand.Figures(Duration.ofSeconds(10), 0);
        figures.events.count(500, 1_000);
        assertThat(figures.lines(1_000, false))
                .containsExactly(
                        "events 1,000/s   committed predictions 0/s   (over the last 10 s)",
                        "latency from Kafka ingest, p50 / p99 over the last 10 s:",
                        "  to Redis           -    /        -      rtml watch --redis-uri URI"
                                + " shows it",
                        "  scored             -    /        -      the record's scored_time_ms",
                        "  committed          -    /        -      read_committed: waits for"
                                + " the checkpoint after it, up to",
                        "                                          checkpoints.interval (5 s by default); at a"
                                + " steady rate its p99 is at least that");
    }
}
