package io.rtml.job.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class SlidingWindowTest {
    private static final Duration TEN_SECONDS = Duration.ofSeconds(10);

    @Test
    void burstsCommittedEveryFiveSecondsReadAsASteadyRateOverTenSeconds() {
        // 2,000 events/s committed as one burst of 10,000 per 5 s checkpoint, from t = 5 s.
        SlidingWindow window = new SlidingWindow(TEN_SECONDS, 0);
        for (long commit = 5_000; commit <= 60_000; commit += 5_000) {
            window.count(commit, 10_000);
            if (commit >= 10_000) {
                // From the second burst on, every moment up to the next burst sees two.
                for (long now = commit; now < commit + 5_000; now += 1_000) {
                    assertThat(window.perSecond(now)).as("at %d ms", now).isEqualTo(2_000.0);
                }
            }
        }
    }

    @Test
    void beforeAWholeSpanTheRateIsOverTheTimeSinceTheStart() {
        SlidingWindow window = new SlidingWindow(TEN_SECONDS, 1_000);
        assertThat(window.perSecond(1_000)).isZero();
        window.count(1_500, 300);
        assertThat(window.perSecond(1_500)).isEqualTo(600.0); // 300 in 0.5 s
        window.count(5_000, 900);
        assertThat(window.perSecond(5_000)).isEqualTo(300.0); // 1,200 in 4 s
        assertThat(window.perSecond(11_000)).isEqualTo(120.0); // 1,200 in 10 s
    }

    @Test
    void anArrivalLeavesTheWindowExactlyOneSpanLater() {
        SlidingWindow window = new SlidingWindow(TEN_SECONDS, 0);
        window.count(2_000, 7);
        window.count(3_000, 5);
        assertThat(window.count(11_999)).isEqualTo(12);
        assertThat(window.count(12_000)).isEqualTo(5); // 2,000 is not after 12,000 - 10,000
        assertThat(window.perSecond(12_000)).isEqualTo(0.5);
        assertThat(window.count(13_000)).isZero();
        assertThat(window.perSecond(13_000)).isZero();
        window.count(13_000, 0);
        assertThat(window.count(13_000)).isZero();
    }

    @Test
    void percentilesAreNearestRankOverTheSamplesInTheWindow() {
        SlidingWindow window = new SlidingWindow(TEN_SECONDS, 0);
        assertThat(window.percentile(0, 0.5)).isEmpty();
        // 100 ms down to 1 ms, one per millisecond from t = 1,000 ms.
        for (int i = 100; i >= 1; i--) {
            window.sample(1_000 + (100 - i), i);
        }
        assertThat(window.count(1_099)).isEqualTo(100);
        assertThat(window.percentile(1_099, 0.0)).hasValue(1);
        assertThat(window.percentile(1_099, 0.5)).hasValue(51);
        assertThat(window.percentile(1_099, 0.99)).hasValue(100);
        assertThat(window.percentile(1_099, 1.0)).hasValue(100);

        // 10 s on, the first 50 (100 ms down to 51 ms, at 1,000 to 1,049) have left.
        assertThat(window.percentile(11_049, 0.5)).hasValue(26);
        assertThat(window.percentile(11_049, 0.99)).hasValue(50);
        assertThat(window.count(11_049)).isEqualTo(50);
        assertThat(window.percentile(11_099, 0.5)).isEqualTo(OptionalLong.empty());
    }

    @Test
    void keepsEverySampleAcrossItsBuffersGrowthAndWrapping() {
        // Thousands in the window at once (more than the first buffer), with old ones leaving
        // from its front while new ones arrive.
        SlidingWindow window = new SlidingWindow(Duration.ofSeconds(1), 0);
        for (int t = 1; t <= 5_000; t++) {
            window.sample(t, t);
            assertThat(window.count(t)).isEqualTo(Math.min(t, 1_000));
        }
        // In the window at 5,000: 4,001 to 5,000.
        assertThat(window.count(5_000)).isEqualTo(1_000);
        assertThat(window.percentile(5_000, 0.0)).hasValue(4_001);
        assertThat(window.percentile(5_000, 0.5)).hasValue(4_501);
        assertThat(window.percentile(5_000, 1.0)).hasValue(5_000);
        assertThat(window.perSecond(5_000)).isEqualTo(1_000.0);
    }

    @Test
    void refusesANonPositiveSpanAndAQuantileOutsideZeroToOne() {
        assertThatThrownBy(() -> new SlidingWindow(Duration.ZERO, 0))
                .hasMessage("the window's span must be positive, got PT0S");
        SlidingWindow window = new SlidingWindow(TEN_SECONDS, 0);
        assertThatThrownBy(() -> window.percentile(0, 1.5))
                .hasMessage("a quantile is from 0 to 1, got 1.5");
    }
}
