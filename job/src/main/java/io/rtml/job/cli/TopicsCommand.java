package io.rtml.job.cli;

import io.rtml.job.config.RtmlOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code rtml topics}: creates the job's topics where they are missing. */
@Command(
        name = "topics",
        mixinStandardHelpOptions = true,
        description = "Creates the job's topics where missing.")
final class TopicsCommand implements Callable<Integer> {
    @Mixin KafkaOptions kafka;

    @Option(
            names = "--partitions",
            description = "Partitions of each new topic (default: ${DEFAULT-VALUE}).")
    int partitions = 4;

    @Option(
            names = "--model-control-topic",
            paramLabel = "TOPIC",
            description =
                    "Model-control topic, one partition, compacted (default:"
                            + " ${DEFAULT-VALUE}).")
    String controlTopic = RtmlOptions.MODEL_CONTROL_TOPIC.defaultValue();

    @Option(
            names = "--shadow-topic",
            paramLabel = "TOPIC",
            description = "Shadow predictions topic (default: ${DEFAULT-VALUE}).")
    String shadowTopic = RtmlOptions.SHADOW_PREDICTIONS_TOPIC.defaultValue();

    @Option(
            names = "--labels-topic",
            paramLabel = "TOPIC",
            description = "Labels topic, for kafka.topics.labels (default: ${DEFAULT-VALUE}).")
    String labelsTopic = "labels";

    @Option(
            names = "--evaluation-topic",
            paramLabel = "TOPIC",
            description = "Online evaluation topic (default: ${DEFAULT-VALUE}).")
    String evaluationTopic = RtmlOptions.EVALUATION_TOPIC.defaultValue();

    @Option(
            names = "--feature-log-topic",
            paramLabel = "TOPIC",
            description = "Also creates this topic, for the feature log (features.log-topic).")
    String featureLogTopic;

    @Option(
            names = "--replication-factor",
            description = "Replicas of each new topic (default: ${DEFAULT-VALUE}).")
    short replicationFactor = 1;

    @Override
    public Integer call() throws Exception {
        try (Admin admin = Admin.create(kafka.clientProperties())) {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> missing = new ArrayList<>();
            List<String> topics =
                    new ArrayList<>(
                            List.of(
                                    kafka.eventsTopic,
                                    kafka.predictionsTopic,
                                    kafka.deadLetterTopic));
            topics.add(shadowTopic);
            topics.add(labelsTopic);
            topics.add(evaluationTopic);
            if (featureLogTopic != null) {
                topics.add(featureLogTopic);
            }
            for (String topic : topics) {
                if (!topic.isEmpty() && !existing.contains(topic)) {
                    missing.add(new NewTopic(topic, partitions, replicationFactor));
                }
            }
            // One partition: the control records' order is the order of the switches. Compacted:
            // records are keyed by model, so the latest choice of each model is kept for good.
            if (!existing.contains(controlTopic)) {
                missing.add(
                        new NewTopic(controlTopic, 1, replicationFactor)
                                .configs(
                                        Map.of(
                                                TopicConfig.CLEANUP_POLICY_CONFIG,
                                                TopicConfig.CLEANUP_POLICY_COMPACT)));
            }
            admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
            for (NewTopic topic : missing) {
                System.err.printf(
                        "topics: created %s (%d partitions%s)%n",
                        topic.name(),
                        topic.numPartitions(),
                        topic.configs() == null ? "" : ", compacted");
            }
        }
        return 0;
    }
}
