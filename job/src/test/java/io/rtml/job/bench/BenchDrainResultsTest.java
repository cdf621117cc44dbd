package io.rtml.job.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** How bench-drain turns the times records became visible into a sustained rate. */
class BenchDrainResultsTest {
    private final BenchDrainCommand command = new BenchDrainCommand();

    BenchDrainResultsTest() {
        new CommandLine(command).parseArgs("--expect", "50000", "--started-ms", "0");
    }

    @Test
    void usesWholeCommitIntervalsWhenOutputArrivesInCommits() {
        // A checkpoint every 5 s: 1,000 records/s, the first commit part-filled (7 s of start-up
        // ahead of it), the last holding the 2 s of work after the last full interval.
        List<long[]> polls =
                List.of(
                        new long[] {10_000, 3_000},
                        new long[] {10_050, 5_000}, // the same commit, read in two polls
                        new long[] {15_000, 10_000},
                        new long[] {20_000, 15_000},
                        new long[] {25_000, 17_000});

        Map<String, Object> results = command.results(polls, 17_000, "predictions");

        assertThat(results)
                .containsEntry("sustained_events_per_s", 1_000L)
                .containsEntry("commits", 4)
                .containsEntry("first_visible_after_start_s", 10.0)
                .containsEntry("all_visible_after_start_s", 25.0)
                .containsEntry("complete", false);
        assertThat(results.get("method")).isEqualTo("whole commit intervals: commits 1 to 3 of 4");
    }

    @Test
    void usesFirstToLastPollWhenCommitsRunTogether() {
        List<long[]> polls =
                List.of(
                        new long[] {1_000, 1_000},
                        new long[] {1_100, 21_000},
                        new long[] {1_200, 41_000},
                        new long[] {1_250, 50_000});

        Map<String, Object> results = command.results(polls, 50_000, "predictions");

        assertThat(results)
                .containsEntry("sustained_events_per_s", 196_000L)
                .containsEntry("method", "first to last poll")
                .containsEntry("complete", true);
    }

    @Test
    void givesNoRateWhenTooFewCommitsFollowTheWarmUp() {
        // Two checkpoints' commits, 4 s apart: within one commit's burst there is no rate.
        List<long[]> polls =
                List.of(
                        new long[] {12_000, 24_000},
                        new long[] {16_000, 60_000},
                        new long[] {16_300, 90_000});
        command.warmup = 30_000;

        Map<String, Object> results = command.results(polls, 90_000, "predictions");

        assertThat(results)
                .containsEntry("sustained_events_per_s", null)
                .containsEntry("method", "none")
                .containsEntry("complete", true);
    }
}
