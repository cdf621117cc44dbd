package io.rtml.job;

import static io.rtml.job.config.RtmlOptions.*;

import io.rtml.job.config.RtmlConfig;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend.PriorityQueueStateType;
import org.apache.flink.state.rocksdb.RocksDBConfigurableOptions;
import org.apache.flink.state.rocksdb.RocksDBNativeMetricOptions;
import org.apache.flink.state.rocksdb.RocksDBOptions;

/**
 * The Flink settings the job's guarantees rest on, layered over whatever the cluster configures:
 * exactly-once checkpoints on RocksDB with incremental snapshots, a restart strategy, explicit uids
 * on every operator, and no silent fallback to Kryo.
 */
public final class JobEnvironment {
    private JobEnvironment() {}

    /** Adds the job's settings to {@code flink} (the cluster's or a local configuration). */
    public static Configuration apply(RtmlConfig config, Configuration flink) {
        flink.set(PipelineOptions.NAME, config.get(JOB_NAME));
        flink.set(PipelineOptions.AUTO_GENERATE_UIDS, false);
        flink.set(PipelineOptions.GENERIC_TYPES, false);
        // Chained operators pass records on without a copy: no operator of the job keeps a record
        // it was given or changes one it has passed on (docs/decisions.md, "Object reuse").
        flink.set(PipelineOptions.OBJECT_REUSE, true);
        flink.set(PipelineOptions.MAX_PARALLELISM, config.get(MAX_PARALLELISM));
        flink.set(ExecutionOptions.BUFFER_TIMEOUT, config.get(BUFFER_TIMEOUT));
        flink.set(PipelineOptions.AUTO_WATERMARK_INTERVAL, config.get(WATERMARK_INTERVAL));
        if (config.get(PARALLELISM) > 0) {
            flink.set(CoreOptions.DEFAULT_PARALLELISM, config.get(PARALLELISM));
        }

        flink.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
        flink.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
        // Timers on the heap: the feature stages set one only for an event that waits for the
        // watermark, and RocksDB-backed timers cost a RocksDB write and read each.
        flink.set(RocksDBOptions.TIMER_SERVICE_FACTORY, PriorityQueueStateType.HEAP);
        // A new entity is a get that finds nothing: the filter answers it without reading blocks.
        flink.set(RocksDBConfigurableOptions.USE_BLOOM_FILTER, true);
        // How many entities the state holds, and how large it is (docs/benchmarks.md, "Scale").
        flink.set(RocksDBNativeMetricOptions.ESTIMATE_NUM_KEYS, true);
        flink.set(RocksDBNativeMetricOptions.ESTIMATE_LIVE_DATA_SIZE, true);
        flink.set(
                CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE,
                CheckpointingMode.EXACTLY_ONCE);
        flink.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, config.get(CHECKPOINT_INTERVAL));
        flink.set(CheckpointingOptions.CHECKPOINTING_TIMEOUT, config.get(CHECKPOINT_TIMEOUT));
        flink.set(
                CheckpointingOptions.TOLERABLE_FAILURE_NUMBER,
                config.get(CHECKPOINT_TOLERABLE_FAILURES));
        // A cancelled job can be resumed from its last checkpoint.
        flink.set(
                CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        config.getOptional(CHECKPOINT_DIRECTORY)
                .ifPresent(dir -> flink.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, dir));

        flink.set(RestartStrategyOptions.RESTART_STRATEGY, "exponential-delay");
        return flink;
    }
}
