package io.rtml.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtml.job.config.RtmlConfig;
import io.rtml.job.testing.Repository;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
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
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;

class JobEnvironmentTest {
    private static final ConfigOption<Integer> SLOTS =
            ConfigOptions.key("taskmanager.numberOfTaskSlots").intType().noDefaultValue();
    private static final ConfigOption<String> UNRELATED =
            ConfigOptions.key("metrics.reporter.prom.factory.class").stringType().noDefaultValue();

    private static RtmlConfig config(String... keyValues) {
        Map<String, String> overrides = new LinkedHashMap<>();
        overrides.put("model.repository", Repository.modelArtifacts().toString());
        for (int i = 0; i < keyValues.length; i += 2) {
            overrides.put(keyValues[i], keyValues[i + 1]);
        }
        return RtmlConfig.load(null, overrides);
    }

    private static RtmlConfig tuned() {
        return config(
                "job.name", "fraud-scoring",
                "job.parallelism", "3",
                "job.max-parallelism", "256",
                "job.buffer-timeout", "20 ms",
                "checkpoints.interval", "7 s",
                "checkpoints.timeout", "90 s",
                "checkpoints.tolerable-failures", "5",
                "checkpoints.directory", "s3://bucket/checkpoints");
    }

    @Test
    void setsExactlyOnceIncrementalCheckpointsOnRocksDb() {
        Configuration flink = JobEnvironment.apply(tuned(), new Configuration());

        assertThat(flink.get(StateBackendOptions.STATE_BACKEND)).isEqualTo("rocksdb");
        assertThat(flink.get(CheckpointingOptions.INCREMENTAL_CHECKPOINTS)).isTrue();
        assertThat(flink.get(CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE))
                .isEqualTo(CheckpointingMode.EXACTLY_ONCE);
        assertThat(flink.get(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION))
                .isEqualTo(ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
    }

    @Test
    void keepsTimersOnTheHeapAndGivesRocksDbBloomFiltersAndItsSizeEstimates() {
        Configuration flink = JobEnvironment.apply(tuned(), new Configuration());

        assertThat(flink.get(RocksDBOptions.TIMER_SERVICE_FACTORY))
                .isEqualTo(PriorityQueueStateType.HEAP);
        assertThat(flink.get(RocksDBConfigurableOptions.USE_BLOOM_FILTER)).isTrue();
        assertThat(flink.get(RocksDBNativeMetricOptions.ESTIMATE_NUM_KEYS)).isTrue();
        assertThat(flink.get(RocksDBNativeMetricOptions.ESTIMATE_LIVE_DATA_SIZE)).isTrue();
    }

    @Test
    void takesCheckpointIntervalTimeoutFailuresAndDirectoryFromTheConfig() {
        Configuration flink = JobEnvironment.apply(tuned(), new Configuration());

        assertThat(flink.get(CheckpointingOptions.CHECKPOINTING_INTERVAL))
                .isEqualTo(Duration.ofSeconds(7));
        assertThat(flink.get(CheckpointingOptions.CHECKPOINTING_TIMEOUT))
                .isEqualTo(Duration.ofSeconds(90));
        assertThat(flink.get(CheckpointingOptions.TOLERABLE_FAILURE_NUMBER)).isEqualTo(5);
        assertThat(flink.get(CheckpointingOptions.CHECKPOINTS_DIRECTORY))
                .isEqualTo("s3://bucket/checkpoints");
    }

    @Test
    void restartsWithExponentialDelay() {
        Configuration flink = JobEnvironment.apply(tuned(), new Configuration());

        assertThat(flink.get(RestartStrategyOptions.RESTART_STRATEGY))
                .isEqualTo("exponential-delay");
    }

    @Test
    void requiresExplicitUidsForbidsKryoReusesObjectsAndFixesMaxParallelism() {
        Configuration flink = JobEnvironment.apply(tuned(), new Configuration());

        assertThat(flink.get(PipelineOptions.NAME)).isEqualTo("fraud-scoring");
        assertThat(flink.get(PipelineOptions.AUTO_GENERATE_UIDS)).isFalse();
        assertThat(flink.get(PipelineOptions.GENERIC_TYPES)).isFalse();
        assertThat(flink.get(PipelineOptions.OBJECT_REUSE)).isTrue();
        assertThat(flink.get(PipelineOptions.MAX_PARALLELISM)).isEqualTo(256);
        assertThat(flink.get(ExecutionOptions.BUFFER_TIMEOUT)).isEqualTo(Duration.ofMillis(20));
    }

    @Test
    void setsTheDefaultParallelismWhenTheJobAsksForOne() {
        Configuration flink = JobEnvironment.apply(tuned(), new Configuration());

        assertThat(flink.get(CoreOptions.DEFAULT_PARALLELISM)).isEqualTo(3);
    }

    @Test
    void leavesTheClustersParallelismWhenTheJobSaysMinusOne() {
        Configuration cluster = new Configuration();
        cluster.set(CoreOptions.DEFAULT_PARALLELISM, 6);

        Configuration flink = JobEnvironment.apply(config(), cluster);

        assertThat(flink.get(CoreOptions.DEFAULT_PARALLELISM)).isEqualTo(6);
    }

    @Test
    void setsNoParallelismWhenNeitherTheJobNorTheClusterDoes() {
        Configuration flink = JobEnvironment.apply(config(), new Configuration());

        assertThat(flink.contains(CoreOptions.DEFAULT_PARALLELISM)).isFalse();
    }

    @Test
    void leavesTheClustersCheckpointDirectoryWhenTheJobSetsNone() {
        Configuration cluster = new Configuration();
        cluster.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, "hdfs:///flink/checkpoints");

        Configuration flink = JobEnvironment.apply(config(), cluster);

        assertThat(flink.get(CheckpointingOptions.CHECKPOINTS_DIRECTORY))
                .isEqualTo("hdfs:///flink/checkpoints");
    }

    @Test
    void overridesClusterSettingsTheGuaranteesRestOn() {
        Configuration cluster = new Configuration();
        cluster.set(StateBackendOptions.STATE_BACKEND, "hashmap");
        cluster.set(
                CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE,
                CheckpointingMode.AT_LEAST_ONCE);
        cluster.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, false);
        cluster.set(PipelineOptions.AUTO_GENERATE_UIDS, true);
        cluster.set(RestartStrategyOptions.RESTART_STRATEGY, "none");

        Configuration flink = JobEnvironment.apply(config(), cluster);

        assertThat(flink.get(StateBackendOptions.STATE_BACKEND)).isEqualTo("rocksdb");
        assertThat(flink.get(CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE))
                .isEqualTo(CheckpointingMode.EXACTLY_ONCE);
        assertThat(flink.get(CheckpointingOptions.INCREMENTAL_CHECKPOINTS)).isTrue();
        assertThat(flink.get(PipelineOptions.AUTO_GENERATE_UIDS)).isFalse();
        assertThat(flink.get(RestartStrategyOptions.RESTART_STRATEGY))
                .isEqualTo("exponential-delay");
    }

    @Test
    void leavesUnrelatedClusterSettingsIntactAndReturnsTheSameConfiguration() {
        Configuration cluster = new Configuration();
        cluster.set(SLOTS, 4);
        cluster.set(UNRELATED, "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
        cluster.setString("rest.port", "8082");

        Configuration flink = JobEnvironment.apply(tuned(), cluster);

        assertThat(flink).isSameAs(cluster);
        assertThat(flink.get(SLOTS)).isEqualTo(4);
        assertThat(flink.get(UNRELATED))
                .isEqualTo("org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
        assertThat(flink.toMap()).containsEntry("rest.port", "8082");
    }

    @Test
    void flinkReadsTheSettingsIntoTheExecutionEnvironment() {
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(
                        JobEnvironment.apply(tuned(), new Configuration()));

        assertThat(env.getParallelism()).isEqualTo(3);
        assertThat(env.getMaxParallelism()).isEqualTo(256);
        assertThat(env.getBufferTimeout()).isEqualTo(20L);
        assertThat(env.getConfig().hasAutoGeneratedUIDsEnabled()).isFalse();
        assertThat(env.getConfig().getSerializerConfig().hasGenericTypesDisabled()).isTrue();
        assertThat(env.getConfig().isObjectReuseEnabled()).isTrue();
        assertThat(env.getCheckpointConfig().getCheckpointInterval()).isEqualTo(7_000L);
        assertThat(env.getCheckpointConfig().getCheckpointTimeout()).isEqualTo(90_000L);
        assertThat(env.getCheckpointConfig().getTolerableCheckpointFailureNumber()).isEqualTo(5);
        assertThat(env.getCheckpointConfig().getCheckpointingConsistencyMode())
                .isEqualTo(CheckpointingMode.EXACTLY_ONCE);
        assertThat(env.getCheckpointConfig().getExternalizedCheckpointRetention())
                .isEqualTo(ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        assertThat(env.getCheckpointConfig().isCheckpointingEnabled()).isTrue();
    }
}
