package io.rtml.job.config;

import static io.rtml.job.config.RtmlOptions.KAFKA_BOOTSTRAP_SERVERS;
import static io.rtml.job.config.RtmlOptions.KAFKA_TRANSACTION_TIMEOUT;

import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * The one place Kafka client settings are built, from the job's configuration: the brokers ({@code
 * kafka.bootstrap-servers}) and how to reach them ({@code kafka.security.*}, {@link
 * ConnectionSecurity}), then what each role adds. Every source, sink, admin client and command of
 * rtml takes its settings from here, so a secured cluster works for all of them or for none.
 *
 * <p>The settings hold resolved secrets: hand them to a client, never to a log.
 */
public final class KafkaClients {
    private KafkaClients() {}

    /** Brokers and security: what every client starts from, and all an admin client needs. */
    public static Properties connection(RtmlConfig config) {
        Properties properties = config.security().kafkaProperties();
        properties.setProperty(
                CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, config.get(KAFKA_BOOTSTRAP_SERVERS));
        return properties;
    }

    /**
     * A consumer that sees what downstream consumers see: committed records only ({@code
     * read_committed}; its end offsets are the last stable offsets), from the beginning where it
     * has no offset, committing none itself. A Flink source keeps these and sets its own offsets.
     */
    public static Properties committedConsumer(RtmlConfig config, String clientId) {
        Properties properties = connection(config);
        properties.setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        properties.setProperty(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        properties.setProperty(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        properties.setProperty(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        return properties;
    }

    /** A producer whose sends are acknowledged by every in-sync replica, each exactly once. */
    public static Properties producer(RtmlConfig config, String clientId) {
        Properties properties = connection(config);
        properties.setProperty(ProducerConfig.ACKS_CONFIG, "all");
        properties.setProperty(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        properties.setProperty(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        return properties;
    }

    /**
     * The job's transactional producers, committed on checkpoints: {@code
     * kafka.transaction-timeout} and full batches (a read_committed consumer sees records only at
     * the commit, so fuller batches cost the broker fewer requests and nobody any latency). The
     * sink sets the transactional ids.
     */
    public static Properties transactionalProducer(RtmlConfig config) {
        Properties properties = connection(config);
        properties.setProperty(
                ProducerConfig.TRANSACTION_TIMEOUT_CONFIG,
                Long.toString(config.get(KAFKA_TRANSACTION_TIMEOUT).toMillis()));
        properties.setProperty(ProducerConfig.LINGER_MS_CONFIG, "20");
        properties.setProperty(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024));
        return properties;
    }
}
