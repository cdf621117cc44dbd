package io.rtml.job.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtml.job.testing.Repository;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.FallbackKey;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.configuration.HighAvailabilityOptions;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.MetricOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.configuration.WebOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.metrics.prometheus.PrometheusReporterFactory;
import org.junit.jupiter.api.Test;

/**
 * flink-conf/cluster/config.yaml and flink-conf/local/config.yaml: read by Flink as a cluster reads
 * them, every key one Flink knows (and not a deprecated name of it), every option listed in
 * flink-conf/README.md, and each of the cluster's with its comment.
 */
class FlinkConfigTest {
    private static final Path FLINK_CONF = Repository.root().resolve("flink-conf");
    private static final Pattern OPTION_LINE = Pattern.compile("^([A-Za-z0-9_.-]+):\\s*(.*)$");

    /** Where Flink's options are declared (those the two files use). */
    private static final List<Class<?>> OPTION_CLASSES =
            List.of(
                    CheckpointingOptions.class,
                    CoreOptions.class,
                    HighAvailabilityOptions.class,
                    JobManagerOptions.class,
                    MetricOptions.class,
                    PipelineOptions.class,
                    RestOptions.class,
                    RestartStrategyOptions.class,
                    StateBackendOptions.class,
                    TaskManagerOptions.class,
                    WebOptions.class);

    /** Options of a reporter, below metrics.reporter.NAME.; port is the Prometheus reporter's. */
    private static final Set<String> REPORTER_OPTIONS = Set.of("factory.class", "port");

    @Test
    void clusterConfigHasExactlyOnceRocksDbHaUidsAndTheDjlPattern() {
        Configuration conf = load("cluster");
        assertThat(conf.get(StateBackendOptions.STATE_BACKEND)).isEqualTo("rocksdb");
        assertThat(conf.get(CheckpointingOptions.INCREMENTAL_CHECKPOINTS)).isTrue();
        assertThat(conf.get(CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE))
                .isEqualTo(CheckpointingMode.EXACTLY_ONCE);
        assertThat(conf.get(CheckpointingOptions.CHECKPOINTING_INTERVAL))
                .isEqualTo(Duration.ofSeconds(5));
        assertThat(conf.get(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION))
                .isEqualTo(ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        assertThat(conf.get(CheckpointingOptions.CHECKPOINTS_DIRECTORY)).startsWith("s3://");
        assertThat(conf.get(CheckpointingOptions.SAVEPOINT_DIRECTORY)).startsWith("s3://");
        assertThat(conf.get(HighAvailabilityOptions.HA_MODE)).isEqualTo("kubernetes");
        assertThat(conf.get(HighAvailabilityOptions.HA_STORAGE_PATH)).startsWith("s3://");
        assertThat(conf.get(RestartStrategyOptions.RESTART_STRATEGY))
                .isEqualTo("exponential-delay");
        assertThat(conf.get(PipelineOptions.AUTO_GENERATE_UIDS)).isFalse();
        assertThat(conf.get(CoreOptions.ALWAYS_PARENT_FIRST_LOADER_PATTERNS_ADDITIONAL))
                .containsExactly("ai.djl.");
        assertThat(conf.get(CoreOptions.FLINK_JVM_OPTIONS)).contains("-Dai.djl.offline=true");
        assertThat(conf.getString("metrics.reporter.prom.factory.class", null))
                .isEqualTo(PrometheusReporterFactory.class.getName());
    }

    @Test
    void localConfigBindsLoopbackOnlyAndKeepsTheDjlPattern() {
        Configuration conf = load("local");
        assertThat(conf.get(JobManagerOptions.BIND_HOST)).isEqualTo("127.0.0.1");
        assertThat(conf.get(TaskManagerOptions.BIND_HOST)).isEqualTo("127.0.0.1");
        assertThat(conf.get(RestOptions.BIND_ADDRESS)).isEqualTo("127.0.0.1");
        assertThat(conf.get(CoreOptions.ALWAYS_PARENT_FIRST_LOADER_PATTERNS_ADDITIONAL))
                .containsExactly("ai.djl.");
    }

    @Test
    void neitherConfigLetsTheWebUiRunUploadedJars() {
        for (String profile : List.of("cluster", "local")) {
            assertThat(load(profile).get(WebOptions.SUBMIT_ENABLE))
                    .as(profile + "/config.yaml: web.submit.enable")
                    .isFalse();
        }
    }

    @Test
    void everyKeyIsAFlinkOption() throws Exception {
        Set<String> known = knownKeys();
        for (String profile : List.of("cluster", "local")) {
            for (String key : keys(profile)) {
                assertThat(isKnown(key, known))
                        .as("%s/config.yaml: %s is not a Flink option", profile, key)
                        .isTrue();
            }
        }
    }

    @Test
    void everyClusterOptionHasACommentAboveIt() throws Exception {
        List<String> lines = Files.readAllLines(FLINK_CONF.resolve("cluster/config.yaml"));
        String previous = "";
        for (String line : lines) {
            if (OPTION_LINE.matcher(line).matches()) {
                assertThat(previous).as("the line above '%s'", line).startsWith("#");
            }
            if (!line.isBlank()) {
                previous = line;
            }
        }
    }

    @Test
    void readmeDocumentsEveryOptionOfBothFiles() throws Exception {
        String readme = Files.readString(FLINK_CONF.resolve("README.md"));
        for (String profile : List.of("cluster", "local")) {
            String section = readme.substring(readme.indexOf("`" + profile + "/config.yaml`"));
            for (String key : keys(profile)) {
                assertThat(section)
                        .as("flink-conf/README.md documents %s of %s/config.yaml", key, profile)
                        .contains("| `" + key + "` |");
            }
        }
    }

    private static Configuration load(String profile) {
        return GlobalConfiguration.loadConfiguration(FLINK_CONF.resolve(profile).toString());
    }

    private static List<String> keys(String profile) throws Exception {
        List<String> keys = new ArrayList<>();
        for (String line : Files.readAllLines(FLINK_CONF.resolve(profile + "/config.yaml"))) {
            Matcher option = OPTION_LINE.matcher(line);
            if (option.matches()) {
                keys.add(option.group(1));
            }
        }
        assertThat(keys).as(profile + "/config.yaml options").isNotEmpty();
        return keys;
    }

    private static boolean isKnown(String key, Set<String> known) {
        if (known.contains(key)) {
            return true;
        }
        Matcher reporter = Pattern.compile("^metrics\\.reporter\\.[^.]+\\.(.+)$").matcher(key);
        return reporter.matches() && REPORTER_OPTIONS.contains(reporter.group(1));
    }

    private static Set<String> knownKeys() throws IllegalAccessException {
        Set<String> keys = new HashSet<>();
        for (Class<?> options : OPTION_CLASSES) {
            for (Field field : options.getFields()) {
                if (Modifier.isStatic(field.getModifiers())
                        && ConfigOption.class.isAssignableFrom(field.getType())) {
                    ConfigOption<?> option = (ConfigOption<?>) field.get(null);
                    keys.add(option.key());
                    for (FallbackKey fallback : option.fallbackKeys()) {
                        if (!fallback.isDeprecated()) {
                            keys.add(fallback.getKey());
                        }
                    }
                }
            }
        }
        return keys;
    }
}
