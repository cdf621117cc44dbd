package io.rtml.job.cli;

import java.io.DataInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeutils.base.array.BytePrimitiveArraySerializer;
import org.apache.flink.connector.kafka.source.split.KafkaPartitionSplit;
import org.apache.flink.connector.kafka.source.split.KafkaPartitionSplitSerializer;
import org.apache.flink.core.fs.CloseableRegistry;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.flink.core.io.SimpleVersionedSerialization;
import org.apache.flink.runtime.checkpoint.Checkpoints;
import org.apache.flink.runtime.checkpoint.OperatorState;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.checkpoint.metadata.CheckpointMetadata;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.state.DefaultOperatorStateBackend;
import org.apache.flink.runtime.state.DefaultOperatorStateBackendBuilder;
import org.apache.flink.runtime.state.OperatorStateHandle;
import org.apache.flink.streaming.api.graph.StreamGraphHasherV2;
import org.apache.kafka.common.TopicPartition;

/**
 * Retained checkpoints as Flink writes them: {@code <checkpoints dir>/<job id>/chk-<n>/}, complete
 * once {@value #METADATA} is there. Each run of the job writes a job-id folder of its own, so a
 * directory of checkpoints holds those of every run, and the newest is not the one with the highest
 * number.
 */
final class RetainedCheckpoints {
    static final String METADATA = "_metadata";

    /** The Kafka source's split state (SourceOperator's list state of serialized splits). */
    private static final ListStateDescriptor<byte[]> SOURCE_SPLITS =
            new ListStateDescriptor<>("SourceReaderState", BytePrimitiveArraySerializer.INSTANCE);

    private static final Pattern CHECKPOINT = Pattern.compile("chk-(\\d+)");

    private RetainedCheckpoints() {}

    /** A completed checkpoint: where it is, when its metadata was written, its number. */
    record Completed(Path path, long writtenMs, long number) {}

    /**
     * Where to restore from, as a qualified URI ({@code file:/...}).
     *
     * @param newest whether it is the newest checkpoint found in a directory of checkpoints, rather
     *     than the checkpoint or savepoint given itself
     */
    record RestorePoint(Path path, boolean newest) {}

    /**
     * {@code location} itself when it is a checkpoint or savepoint (it holds {@value #METADATA}, or
     * is that file); otherwise the newest completed checkpoint in it, as a job's checkpoint folder
     * ({@code chk-<n>/}) or a checkpoints directory ({@code <job id>/chk-<n>/}): the one whose
     * metadata was written last, then the highest number. Checkpoints still being written (no
     * metadata yet) are not candidates.
     */
    static RestorePoint resolve(String location) throws IOException {
        Path given = new Path(location);
        FileSystem fs = given.getFileSystem();
        Path path = given.makeQualified(fs);
        if (!fs.exists(path)) {
            throw new IllegalArgumentException(location + " does not exist");
        }
        if (path.getName().equals(METADATA) && isFile(fs, path)) {
            return new RestorePoint(path.getParent(), false);
        }
        if (isFile(fs, new Path(path, METADATA))) {
            return new RestorePoint(path, false);
        }
        Path newest =
                newestCompleted(path)
                        .orElseThrow(
                                () ->
                                        new IllegalArgumentException(
                                                location
                                                        + " is no checkpoint or savepoint and holds no"
                                                        + " completed checkpoint (chk-<n>/"
                                                        + METADATA
                                                        + " or <job id>/chk-<n>/"
                                                        + METADATA
                                                        + ")"))
                        .path();
        return new RestorePoint(newest, true);
    }

    /** The newest completed checkpoint in {@code directory} or in its job-id folders. */
    static Optional<Completed> newestCompleted(Path directory) throws IOException {
        FileSystem fs = directory.getFileSystem();
        List<Completed> completed = new ArrayList<>();
        for (FileStatus child : list(fs, directory)) {
            if (!child.isDir()) {
                continue;
            }
            addIfCompleted(fs, child.getPath(), completed);
            if (!CHECKPOINT.matcher(child.getPath().getName()).matches()) {
                for (FileStatus grandchild : list(fs, child.getPath())) {
                    if (grandchild.isDir()) {
                        addIfCompleted(fs, grandchild.getPath(), completed);
                    }
                }
            }
        }
        return completed.stream()
                .max(
                        Comparator.comparingLong(Completed::writtenMs)
                                .thenComparingLong(Completed::number));
    }

    /**
     * The next offset of each partition the events source had in the checkpoint at {@code
     * checkpoint}: the position the job resumes reading from. A partition whose split had not read
     * anything yet carries a marker (negative; the job's source resumes such a split from the
     * consumer group's committed offset) and is left out.
     *
     * @param sourceUid the uid of the source operator (io.rtml.job.Uids.SOURCE)
     */
    static Map<TopicPartition, Long> sourceOffsets(Path checkpoint, String sourceUid)
            throws Exception {
        CheckpointMetadata metadata;
        Path file = new Path(checkpoint, METADATA);
        ClassLoader classLoader = RetainedCheckpoints.class.getClassLoader();
        try (FSDataInputStream in = file.getFileSystem().open(file)) {
            metadata =
                    Checkpoints.loadCheckpointMetadata(
                            new DataInputStream(in), classLoader, checkpoint.toString());
        }
        OperatorID source =
                new OperatorID(StreamGraphHasherV2.generateUserSpecifiedHash(sourceUid));
        List<OperatorStateHandle> handles = new ArrayList<>();
        for (OperatorState operator : metadata.getOperatorStates()) {
            if (operator.getOperatorID().equals(source)) {
                for (OperatorSubtaskState subtask : operator.getStates()) {
                    handles.addAll(subtask.getManagedOperatorState());
                }
            }
        }
        Map<TopicPartition, Long> offsets = new HashMap<>();
        if (handles.isEmpty()) {
            return offsets;
        }
        // Flink's own restore reads the state, whatever its layout or compression.
        try (CloseableRegistry registry = new CloseableRegistry();
                DefaultOperatorStateBackend state =
                        new DefaultOperatorStateBackendBuilder(
                                        classLoader,
                                        new ExecutionConfig(),
                                        false,
                                        handles,
                                        registry)
                                .build()) {
            KafkaPartitionSplitSerializer serializer = new KafkaPartitionSplitSerializer();
            for (byte[] bytes : state.getListState(SOURCE_SPLITS).get()) {
                KafkaPartitionSplit split =
                        SimpleVersionedSerialization.readVersionAndDeSerialize(serializer, bytes);
                if (split.getStartingOffset() >= 0) {
                    offsets.put(split.getTopicPartition(), split.getStartingOffset());
                }
            }
        }
        return offsets;
    }

    private static void addIfCompleted(FileSystem fs, Path candidate, List<Completed> completed)
            throws IOException {
        Matcher name = CHECKPOINT.matcher(candidate.getName());
        if (!name.matches()) {
            return;
        }
        try {
            FileStatus metadata = fs.getFileStatus(new Path(candidate, METADATA));
            completed.add(
                    new Completed(
                            candidate,
                            metadata.getModificationTime(),
                            Long.parseLong(name.group(1))));
        } catch (FileNotFoundException stillBeingWritten) {
            // no metadata: not (yet) a completed checkpoint
        }
    }

    private static boolean isFile(FileSystem fs, Path path) throws IOException {
        return fs.exists(path) && !fs.getFileStatus(path).isDir();
    }

    private static List<FileStatus> list(FileSystem fs, Path directory) throws IOException {
        FileStatus[] children = fs.listStatus(directory);
        return children == null ? List.of() : List.of(children);
    }
}
