package io.rtml.job;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads topics as a downstream consumer sees them: committed records only (read_committed), every
 * partition assigned (no consumer group), from the beginning or from the end, until caught up with
 * what was committed when it opened, until a condition holds, or for as long as it is polled. Every
 * command that reads the job's topics reads through this.
 *
 * <p>Open it with {@link io.rtml.job.config.KafkaClients#committedConsumer}'s settings (a command
 * may add fetch sizes). Like the consumer it wraps, it is used by one thread at a time; {@link
 * #wakeup()} may be called from any.
 */
public final class CommittedTopicReader implements AutoCloseable {
    /** Where reading starts. */
    public enum Start {
        /** The oldest committed record. */
        BEGINNING,
        /** After the last committed record: only what is committed from now on. */
        END
    }

    /** A topic that does not exist: the job has not created it, or it is another cluster. */
    public static final class MissingTopicException extends IllegalArgumentException {
        private final String topic;
        private final String bootstrapServers;

        MissingTopicException(String topic, String bootstrapServers) {
            super("topic '" + topic + "' does not exist at " + bootstrapServers);
            this.topic = topic;
            this.bootstrapServers = bootstrapServers;
        }

        public String topic() {
            return topic;
        }

        public String bootstrapServers() {
            return bootstrapServers;
        }
    }

    /** What is done with each record's value. */
    public interface ValueHandler {
        void accept(byte[] value) throws Exception;
    }

    /** How long opening waits for the brokers, unless told otherwise. */
    private static final Duration BROKER_TIMEOUT = Duration.ofSeconds(30);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final List<TopicPartition> partitions;
    private final Map<TopicPartition, Long> ends;

    private CommittedTopicReader(
            KafkaConsumer<byte[], byte[]> consumer,
            List<TopicPartition> partitions,
            Map<TopicPartition, Long> ends) {
        this.consumer = consumer;
        this.partitions = partitions;
        this.ends = ends;
    }

    /**
     * Opens a reader of {@code topics} positioned at {@code start}.
     *
     * @param settings a read_committed consumer's ({@code KafkaClients.committedConsumer})
     * @param timeout how long to wait for the brokers' answers
     * @throws MissingTopicException when a topic does not exist
     * @throws org.apache.kafka.common.errors.TimeoutException when the brokers do not answer
     */
    public static CommittedTopicReader open(
            Properties settings, Start start, Duration timeout, List<String> topics) {
        if (!"read_committed".equals(settings.get(ConsumerConfig.ISOLATION_LEVEL_CONFIG))) {
            throw new IllegalArgumentException(
                    "a committed-topic reader needs "
                            + ConsumerConfig.ISOLATION_LEVEL_CONFIG
                            + "=read_committed (KafkaClients.committedConsumer)");
        }
        KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(
                        settings, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        try {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : topics) {
                List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
                if (infos == null || infos.isEmpty()) {
                    throw new MissingTopicException(
                            topic,
                            settings.getProperty(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG));
                }
                infos.forEach(info -> partitions.add(new TopicPartition(topic, info.partition())));
            }
            consumer.assign(partitions);
            if (start == Start.BEGINNING) {
                consumer.seekToBeginning(partitions);
            } else {
                consumer.seekToEnd(partitions);
            }
            // read_committed: the end offsets are the last stable offsets.
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, timeout);
            partitions.forEach(partition -> consumer.position(partition, timeout));
            return new CommittedTopicReader(consumer, partitions, ends);
        } catch (RuntimeException e) {
            consumer.close(Duration.ZERO);
            throw e;
        }
    }

    /** A reader of {@code topics} from their oldest committed records. */
    public static CommittedTopicReader fromBeginning(Properties settings, String... topics) {
        return open(settings, Start.BEGINNING, BROKER_TIMEOUT, List.of(topics));
    }

    /** A reader of what is committed to {@code topics} from now on. */
    public static CommittedTopicReader fromEnd(Properties settings, String... topics) {
        return open(settings, Start.END, BROKER_TIMEOUT, List.of(topics));
    }

    /** The records committed since the last poll, waiting up to {@code timeout} for some. */
    public ConsumerRecords<byte[], byte[]> poll(Duration timeout) {
        return consumer.poll(timeout);
    }

    /** Whether every record committed when the reader opened has been read. */
    public boolean caughtUp() {
        for (TopicPartition partition : partitions) {
            if (consumer.position(partition) < ends.get(partition)) {
                return false;
            }
        }
        return true;
    }

    /** Reads every record committed when the reader opened, and returns. */
    public void readCommitted(ValueHandler handler) throws Exception {
        while (!caughtUp()) {
            for (ConsumerRecord<byte[], byte[]> record : poll(Duration.ofMillis(200))) {
                handler.accept(record.value());
            }
        }
    }

    /**
     * Reads until {@code done} holds, or until nothing new has arrived for {@code idle}: the job
     * may still be committing what is waited for.
     */
    public void readUntil(BooleanSupplier done, Duration idle, ValueHandler handler)
            throws Exception {
        long lastProgress = System.nanoTime();
        while (!done.getAsBoolean() && System.nanoTime() - lastProgress < idle.toNanos()) {
            for (ConsumerRecord<byte[], byte[]> record : poll(Duration.ofMillis(500))) {
                handler.accept(record.value());
                lastProgress = System.nanoTime();
            }
        }
    }

    /** Makes a poll in progress, or the next one, throw {@code WakeupException}: to stop. */
    public void wakeup() {
        consumer.wakeup();
    }

    @Override
    public void close() {
        consumer.close();
    }
}
