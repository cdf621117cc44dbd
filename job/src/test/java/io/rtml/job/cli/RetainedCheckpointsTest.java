package io.rtml.job.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Finding the checkpoint to resume from: each run of the job writes a job-id folder of its own
 * under the checkpoints directory, so the newest completed checkpoint is the one whose metadata was
 * written last, whatever its number; one still being written has no metadata yet.
 */
class RetainedCheckpointsTest {
    private static final Instant T = Instant.parse("2026-12-05T12:00:00Z");

    @TempDir Path checkpoints;

    @Test
    void takesTheCheckpointWrittenLastAcrossTheRunsJobFolders() throws Exception {
        completed("0a1b/chk-7", 10);
        Files.createDirectories(checkpoints.resolve("0a1b/chk-8")); // still being written
        Path newest = completed("9f8e/chk-3", 20); // a later run, restored from an older one
        completed("5c5c/chk-12", 5);
        Files.createDirectories(checkpoints.resolve("9f8e/shared"));
        Files.createDirectories(checkpoints.resolve("9f8e/taskowned"));

        assertThat(resolve(checkpoints.toString())).isEqualTo(newest);
        assertThat(resolve(checkpoints.toUri().toString())).isEqualTo(newest);
    }

    @Test
    void takesTheNewestCompletedCheckpointOfOneJobsFolder() throws Exception {
        Path completed = completed("0a1b/chk-7", 10);
        Files.createDirectories(checkpoints.resolve("0a1b/chk-8"));

        assertThat(resolve(checkpoints.resolve("0a1b").toString())).isEqualTo(completed);
    }

    @Test
    void takesTheHigherNumberWhenTwoWereWrittenAtTheSameTime() throws Exception {
        completed("0a1b/chk-7", 10);
        Path higher = completed("0a1b/chk-9", 10);

        assertThat(resolve(checkpoints.toString())).isEqualTo(higher);
    }

    @Test
    void takesACheckpointOrSavepointItIsGivenAsItIs() throws Exception {
        Path older = completed("0a1b/chk-7", 10);
        completed("9f8e/chk-3", 20);
        Path savepoint = completed("savepoint-3f2a1c-6f0e3d4b9a21", 30);

        assertThat(resolve(older.toString())).isEqualTo(older);
        assertThat(resolve(older.resolve("_metadata").toString())).isEqualTo(older);
        assertThat(resolve(savepoint.toUri().toString())).isEqualTo(savepoint);
    }

    @Test
    void saysWhetherItTookTheNewestInADirectoryOrWhatItWasGiven() throws Exception {
        Path checkpoint = completed("0a1b/chk-7", 10);

        assertThat(RetainedCheckpoints.resolve(checkpoints.toString()).newest()).isTrue();
        assertThat(RetainedCheckpoints.resolve(checkpoint.toString()).newest()).isFalse();
        assertThat(RetainedCheckpoints.resolve(checkpoint.toString()).path().toString())
                .isEqualTo("file:" + checkpoint);
    }

    @Test
    void saysWhenThereIsNothingToResumeFrom() throws Exception {
        Files.createDirectories(checkpoints.resolve("0a1b/chk-8"));

        assertThatThrownBy(() -> resolve(checkpoints.toString()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        checkpoints
                                + " is no checkpoint or savepoint and holds no completed"
                                + " checkpoint (chk-<n>/_metadata or <job id>/chk-<n>/_metadata)");
        assertThatThrownBy(() -> resolve(checkpoints.resolve("nothing").toString()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(checkpoints.resolve("nothing") + " does not exist");
    }

    private Path resolve(String location) throws Exception {
        return Path.of(RetainedCheckpoints.resolve(location).path().toUri().getPath());
    }

    /** A completed checkpoint at {@code relative}, its metadata written {@code minute}s after T. */
    private Path completed(String relative, int minute) throws Exception {
        Path directory = Files.createDirectories(checkpoints.resolve(relative));
        Path metadata = Files.write(directory.resolve("_metadata"), new byte[] {1});
        Files.setLastModifiedTime(metadata, FileTime.from(T.plusSeconds(60L * minute)));
        return directory;
    }
}
