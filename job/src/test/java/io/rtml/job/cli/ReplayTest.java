package io.rtml.job.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** How many records a resume would read again: checkpoint offsets behind the group's. */
class ReplayTest {
    @Test
    void countsTheRecordsBetweenTheCheckpointAndTheCommittedOffsetsOfEachPartition() {
        Replay replay =
                Replay.of(
                        "events",
                        Map.of(
                                new TopicPartition("events", 2), 700L,
                                new TopicPartition("events", 0), 1_200L,
                                new TopicPartition("events", 1), 900L),
                        Map.of(
                                new TopicPartition("events", 0), 1_575L,
                                new TopicPartition("events", 1), 900L,
                                new TopicPartition("events", 2), 1_000L));

        assertThat(replay.records()).isEqualTo(375 + 300);
        assertThat(replay.behind())
                .containsExactly("events-0: 1200 < 1575", "events-2: 700 < 1000");
    }

    @Test
    void replaysNothingFromACheckpointAtOrAheadOfTheCommittedOffsets() {
        // Ahead: the job committed that checkpoint's offsets late, or not at all.
        Replay replay =
                Replay.of(
                        "events",
                        Map.of(
                                new TopicPartition("events", 0), 1_575L,
                                new TopicPartition("events", 1), 950L),
                        Map.of(
                                new TopicPartition("events", 0), 1_575L,
                                new TopicPartition("events", 1), 900L));

        assertThat(replay).isEqualTo(new Replay(0, List.of()));
    }

    @Test
    void ignoresOtherTopicsAndPartitionsTheGroupHasNotCommitted() {
        Replay replay =
                Replay.of(
                        "events",
                        Map.of(
                                new TopicPartition("model-control", 0), 1L,
                                new TopicPartition("events", 3), 10L),
                        Map.of(new TopicPartition("model-control", 0), 5L));

        assertThat(replay).isEqualTo(new Replay(0, List.of()));
    }
}
