package io.rtml.job.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LatencySamplesTest {
    @Test
    void summarisesTheSamplesOfEventsIngestedInTheRangeByNearestRank() {
        LatencySamples samples = new LatencySamples();
        for (int i = 1; i <= 200; i++) {
            samples.add(1_000 + i, i); // latencies 1..200 ms, ingested at 1001..1200
        }
        samples.add(5_000, 99_999); // outside the range

        assertThat(samples.summary(1_001, 1_200))
                .containsEntry("samples", 200)
                .containsEntry("p50", 100L)
                .containsEntry("p95", 190L)
                .containsEntry("p99", 198L)
                .containsEntry("max", 200L)
                .containsEntry("mean", 100.5);
        assertThat(samples.count(1_001, 1_100)).isEqualTo(100);
        assertThat(samples.lastArrival(1_001, 1_200)).isEqualTo(1_400);
    }

    @Test
    void hasOnlyACountWithoutSamples() {
        assertThat(new LatencySamples().summary(0, Long.MAX_VALUE)).containsOnlyKeys("samples");
    }
}
