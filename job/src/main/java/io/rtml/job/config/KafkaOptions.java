package io.rtml.job.config;

import java.util.Map;
import picocli.CommandLine.Option;

/**
 * Shorthands for the Kafka options commands set most: each flag stands for its {@code -D}; unset,
 * the value is the config file's or the job's default. Security is {@code kafka.security.*} in the
 * file or as {@code -D}.
 */
public final class KafkaOptions implements ConfigOptions.Shorthands {
    @Option(
            names = "--bootstrap-servers",
            paramLabel = "HOST:PORT",
            description = "Kafka brokers: kafka.bootstrap-servers.")
    String bootstrapServers;

    @Option(
            names = "--events-topic",
            paramLabel = "TOPIC",
            description = "Events topic: kafka.topics.events.")
    String eventsTopic;

    @Option(
            names = "--predictions-topic",
            paramLabel = "TOPIC",
            description = "Predictions topic: kafka.topics.predictions.")
    String predictionsTopic;

    @Option(
            names = "--dead-letter-topic",
            paramLabel = "TOPIC",
            description = "Dead-letter topic: kafka.topics.dead-letters.")
    String deadLetterTopic;

    @Override
    public void addTo(ConfigOptions options, Map<String, String> values) {
        options.shorthand(
                values,
                "--bootstrap-servers",
                RtmlOptions.KAFKA_BOOTSTRAP_SERVERS,
                bootstrapServers);
        options.shorthand(values, "--events-topic", RtmlOptions.EVENTS_TOPIC, eventsTopic);
        options.shorthand(
                values, "--predictions-topic", RtmlOptions.PREDICTIONS_TOPIC, predictionsTopic);
        options.shorthand(
                values, "--dead-letter-topic", RtmlOptions.DEAD_LETTER_TOPIC, deadLetterTopic);
    }
}
