package io.rtml.job.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code rtml topics}: creates the job's topics where they are missing. */
@Command(
        name = "topics",
        mixinStandardHelpOptions = true,
        description = "Creates the events, predictions and dead-letter topics if missing.")
final class TopicsCommand implements Callable<Integer> {
    @Mixin KafkaOptions kafka;

    @Option(
            names = "--partitions",
            description = "Partitions of each new topic (default: ${DEFAULT-VALUE}).")
    int partitions = 4;

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
            if (featureLogTopic != null) {
                topics.add(featureLogTopic);
            }
            for (String topic : topics) {
                if (!existing.contains(topic)) {
                    missing.add(new NewTopic(topic, partitions, replicationFactor));
                }
            }
            admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
            for (NewTopic topic : missing) {
                System.err.printf(
                        "topics: created %s (%d partitions)%n",
                        topic.name(), topic.numPartitions());
            }
        }
        return 0;
    }
}
