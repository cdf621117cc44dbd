package io.rtml.job;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.jobmaster.JobResult;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.runtime.minicluster.RpcServiceSharing;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded Flink cluster of {@code rtml run --local}: one JVM with the web UI and the metrics
 * its Flink configuration sets up, running the scoring job and, beside it, the live evaluation's
 * job, as a session cluster would. It has as many slots as the jobs need together.
 */
final class LocalCluster {
    private static final Logger LOG = LoggerFactory.getLogger(LocalCluster.class);

    private LocalCluster() {}

    /** Runs the jobs until one of them ends; fails when one failed. */
    static void run(Configuration flink, List<StreamGraph> jobs) throws Exception {
        int slots = 0;
        for (StreamGraph job : jobs) {
            slots +=
                    job.getStreamNodes().stream()
                            .mapToInt(StreamNode::getParallelism)
                            .max()
                            .orElse(1);
        }
        Configuration configuration = new Configuration(flink);
        if (!configuration.contains(RestOptions.PORT)) {
            configuration.set(RestOptions.PORT, RestOptions.PORT.defaultValue());
        }
        MiniClusterConfiguration cluster =
                new MiniClusterConfiguration.Builder()
                        .setConfiguration(configuration)
                        .setNumTaskManagers(1)
                        .setNumSlotsPerTaskManager(
                                Math.max(
                                        slots,
                                        configuration.get(TaskManagerOptions.NUM_TASK_SLOTS)))
                        .setRpcServiceSharing(RpcServiceSharing.SHARED)
                        .build();
        try (MiniCluster miniCluster = new MiniCluster(cluster)) {
            miniCluster.start();
            List<CompletableFuture<JobResult>> results = new ArrayList<>();
            for (StreamGraph job : jobs) {
                JobID id = miniCluster.submitJob(job).get().getJobID();
                LOG.info("Submitted {} as job {}", job.getJobName(), id);
                results.add(miniCluster.requestJobResult(id));
            }
            CompletableFuture.anyOf(results.toArray(CompletableFuture[]::new)).get();
            for (CompletableFuture<JobResult> result : results) {
                if (result.isDone()) {
                    result.get().toJobExecutionResult(LocalCluster.class.getClassLoader());
                }
            }
        }
    }
}
