package io.rtml.job.cli;

import io.rtml.job.config.RtmlOptions;
import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;
import picocli.CommandLine.Option;

/** Options every command that talks to Kafka shares; defaults are the job's. */
final class KafkaOptions {
    @Option(
            names = "--bootstrap-servers",
            paramLabel = "HOST:PORT",
            description = "Kafka brokers (default: ${DEFAULT-VALUE}).")
    String bootstrapServers = RtmlOptions.KAFKA_BOOTSTRAP_SERVERS.defaultValue();

    @Option(
            names = "--events-topic",
            paramLabel = "TOPIC",
            description = "Events topic (default: ${DEFAULT-VALUE}).")
    String eventsTopic = RtmlOptions.EVENTS_TOPIC.defaultValue();

    @Option(
            names = "--predictions-topic",
            paramLabel = "TOPIC",
            description = "Predictions topic (default: ${DEFAULT-VALUE}).")
    String predictionsTopic = RtmlOptions.PREDICTIONS_TOPIC.defaultValue();

    @Option(
            names = "--dead-letter-topic",
            paramLabel = "TOPIC",
            description = "Dead-letter topic (default: ${DEFAULT-VALUE}).")
    String deadLetterTopic = RtmlOptions.DEAD_LETTER_TOPIC.defaultValue();

    Properties clientProperties() {
        Properties properties = new Properties();
        properties.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return properties;
    }
}
