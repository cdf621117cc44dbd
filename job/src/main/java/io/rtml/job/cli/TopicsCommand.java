package io.rtml.job.cli;

import io.rtml.job.config.ConfigOptions;
import io.rtml.job.config.KafkaClients;
import io.rtml.job.config.KafkaOptions;
import io.rtml.job.config.RtmlConfig;
import io.rtml.job.config.RtmlOptions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
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
    @Mixin ConfigOptions options;
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
                            + " kafka.topics.model-control).")
    String controlTopic;

    @Option(
            names = "--shadow-topic",
            paramLabel = "TOPIC",
            description = "Shadow predictions topic (default: kafka.topics.shadow-predictions).")
    String shadowTopic;

    @Option(
            names = "--labels-topic",
            paramLabel = "TOPIC",
            description = "Labels topic (default: kafka.topics.labels, else labels).")
    String labelsTopic;

    @Option(
            names = "--evaluation-topic",
            paramLabel = "TOPIC",
            description = "Online evaluation topic (default: kafka.topics.evaluation).")
    String evaluationTopic;

    @Option(
            names = "--feature-log-topic",
            paramLabel = "TOPIC",
            description =
                    "Also creates this topic, for the feature log (default: features.log-topic,"
                            + " when set).")
    String featureLogTopic;

    @Option(
            names = "--replication-factor",
            description = "Replicas of each new topic (default: ${DEFAULT-VALUE}).")
    short replicationFactor = 1;

    @Override
    public Integer call() throws Exception {
        RtmlConfig config = options.withoutModel(kafka);
        String configuredLabels = config.get(RtmlOptions.LABELS_TOPIC);
        String control = or(controlTopic, config.get(RtmlOptions.MODEL_CONTROL_TOPIC));
        List<String> topics =
                new ArrayList<>(
                        List.of(
                                config.get(RtmlOptions.EVENTS_TOPIC),
                                config.get(RtmlOptions.PREDICTIONS_TOPIC),
                                config.get(RtmlOptions.DEAD_LETTER_TOPIC),
                                or(shadowTopic, config.get(RtmlOptions.SHADOW_PREDICTIONS_TOPIC)),
                                or(
                                        labelsTopic,
                                        configuredLabels.isEmpty() ? "labels" : configuredLabels),
                                or(evaluationTopic, config.get(RtmlOptions.EVALUATION_TOPIC)),
                                or(featureLogTopic, config.get(RtmlOptions.FEATURE_LOG_TOPIC))));
        try (Admin admin = Admin.create(KafkaClients.connection(config))) {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> missing = new ArrayList<>();
            for (String topic : topics) {
                if (!topic.isEmpty() && !existing.contains(topic)) {
                    missing.add(new NewTopic(topic, partitions, replicationFactor));
                }
            }
            // One partition: the control records' order is the order of the switches. Compacted:
            // records are keyed by model, so the latest choice of each model is kept for good.
            if (!existing.contains(control)) {
                missing.add(
                        new NewTopic(control, 1, replicationFactor)
                                .configs(
                                        Map.of(
                                                TopicConfig.CLEANUP_POLICY_CONFIG,
                                                TopicConfig.CLEANUP_POLICY_COMPACT)));
            }
            admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
            awaitLeaders(admin, missing.stream().map(NewTopic::name).toList());
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

    /**
     * Waits until every partition of the new topics has a leader that answers, so that the topics
     * can be written as soon as this returns: an idempotent producer that writes to a partition
     * whose leader is not settled yet can be made to resend from sequence 0 and fail ({@code
     * OutOfOrderSequenceException}).
     */
    private static void awaitLeaders(Admin admin, List<String> topics) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!topics.isEmpty()) {
            try {
                Map<TopicPartition, OffsetSpec> partitions = new HashMap<>();
                for (TopicDescription topic :
                        admin.describeTopics(topics)
                                .allTopicNames()
                                .get(30, TimeUnit.SECONDS)
                                .values()) {
                    for (TopicPartitionInfo partition : topic.partitions()) {
                        if (partition.leader() == null) {
                            throw new IllegalStateException(
                                    topic.name() + "-" + partition.partition() + " has no leader");
                        }
                        partitions.put(
                                new TopicPartition(topic.name(), partition.partition()),
                                OffsetSpec.latest());
                    }
                }
                admin.listOffsets(partitions).all().get(30, TimeUnit.SECONDS);
                return;
            } catch (ExecutionException | IllegalStateException notYet) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "the topics were created, but not every partition has a leader"
                                    + " within 30 s: "
                                    + notYet.getMessage(),
                            notYet);
                }
                Thread.sleep(100);
            }
        }
    }

    private static String or(String flag, String configured) {
        return flag != null ? flag : configured;
    }
}
