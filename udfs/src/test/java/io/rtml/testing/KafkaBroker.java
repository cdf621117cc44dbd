package io.rtml.testing;

import io.rtml.event.EventJson;
import io.rtml.event.TransactionEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import kafka.testkit.KafkaClusterTestKit;
import kafka.testkit.TestKitNodes;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** A real single-node KRaft Kafka broker inside the test JVM, started and stopped by the test. */
public final class KafkaBroker implements AutoCloseable {
    private final KafkaClusterTestKit cluster;
    private final Map<String, String> clientSettings;
    private KafkaProducer<byte[], byte[]> producer;

    private KafkaBroker(KafkaClusterTestKit cluster, Map<String, String> clientSettings) {
        this.cluster = cluster;
        this.clientSettings = Map.copyOf(clientSettings);
    }

    /**
     * The test's producer, made on first use: an idempotent producer connects at once, and one that
     * fails to authenticate (a secured broker whose users the test creates after start) is dead.
     */
    private synchronized KafkaProducer<byte[], byte[]> producer() {
        if (producer == null) {
            Properties properties = clientProperties();
            properties.put(ProducerConfig.ACKS_CONFIG, "all");
            properties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
            properties.put(ProducerConfig.LINGER_MS_CONFIG, "5");
            producer =
                    new KafkaProducer<>(
                            properties, new ByteArraySerializer(), new ByteArraySerializer());
        }
        return producer;
    }

    public static KafkaBroker start() throws Exception {
        return start(Map.of(), Map.of());
    }

    /**
     * A broker with more broker settings (which win over the defaults here and the test kit's own
     * listener settings: e.g. a fixed {@code listeners} port that survives {@link #restart}, or a
     * SASL_SSL listener), whose test clients use {@code clientSettings} (e.g. their credentials).
     */
    public static KafkaBroker start(
            Map<String, String> brokerSettings, Map<String, String> clientSettings)
            throws Exception {
        KafkaClusterTestKit.Builder builder =
                new KafkaClusterTestKit.Builder(
                                new TestKitNodes.Builder()
                                        .setCombined(true)
                                        .setNumBrokerNodes(1)
                                        .setNumControllerNodes(1)
                                        .build())
                        .setConfigProp("offsets.topic.replication.factor", "1")
                        .setConfigProp("offsets.topic.num.partitions", "4")
                        .setConfigProp("transaction.state.log.replication.factor", "1")
                        .setConfigProp("transaction.state.log.min.isr", "1")
                        .setConfigProp("transaction.state.log.num.partitions", "4")
                        .setConfigProp("group.initial.rebalance.delay.ms", "0")
                        .setConfigProp("auto.create.topics.enable", "false");
        brokerSettings.forEach(builder::setConfigProp);
        KafkaClusterTestKit cluster = builder.build();
        cluster.format();
        cluster.startup();
        cluster.waitForReadyBrokers();
        return new KafkaBroker(cluster, clientSettings);
    }

    /**
     * Shuts the broker down (cleanly, as a rolling restart does), keeps it down for {@code
     * downtime}, and starts it again on its data. The controller stays up. Clients reconnect only
     * if the broker listens on a fixed port (see {@link #start(Map, Map)}).
     */
    public void restart(Duration downtime) throws Exception {
        for (var broker : cluster.brokers().values()) {
            broker.shutdown();
        }
        Thread.sleep(downtime.toMillis());
        for (var broker : cluster.brokers().values()) {
            broker.startup();
        }
        cluster.waitForReadyBrokers();
    }

    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    public Properties clientProperties() {
        Properties properties = new Properties();
        properties.put("bootstrap.servers", bootstrapServers());
        properties.putAll(clientSettings);
        return properties;
    }

    public void createTopics(int partitions, String... topics) throws Exception {
        try (Admin admin = Admin.create(clientProperties())) {
            List<NewTopic> newTopics = new ArrayList<>();
            for (String topic : topics) {
                newTopics.add(new NewTopic(topic, partitions, (short) 1));
            }
            admin.createTopics(newTopics).all().get(30, TimeUnit.SECONDS);
        }
        awaitLeaders(topics);
    }

    /**
     * Waits until the broker leads every partition of the topics: producing to a partition whose
     * leader is not ready yet can make an idempotent producer resend from sequence 0.
     */
    private void awaitLeaders(String... topics) {
        Properties properties = clientProperties();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(
                        properties, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : topics) {
                consumer.partitionsFor(topic, Duration.ofSeconds(30))
                        .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            }
            // Offsets are answered by each partition's leader only.
            consumer.endOffsets(partitions, Duration.ofSeconds(30));
        }
    }

    /** Sends records and waits until the broker has them all. */
    /** Events as producers write them: keyed by card, the JSON of the event contract. */
    public static List<Map.Entry<byte[], byte[]>> keyedByCard(List<TransactionEvent> events) {
        List<Map.Entry<byte[], byte[]>> records = new ArrayList<>();
        for (TransactionEvent event : events) {
            records.add(
                    Map.entry(
                            event.cardId.getBytes(StandardCharsets.UTF_8), EventJson.write(event)));
        }
        return records;
    }

    public void produce(String topic, List<Map.Entry<byte[], byte[]>> records) throws Exception {
        KafkaProducer<byte[], byte[]> producer = producer();
        List<java.util.concurrent.Future<?>> sent = new ArrayList<>(records.size());
        for (Map.Entry<byte[], byte[]> record : records) {
            sent.add(
                    producer.send(new ProducerRecord<>(topic, record.getKey(), record.getValue())));
        }
        producer.flush();
        for (java.util.concurrent.Future<?> send : sent) {
            send.get(); // a record the broker refused fails the test here, not as a "lost" event
        }
    }

    /** A read_committed reader of a whole topic, from its beginning. */
    public CommittedReader reader(String topic) {
        Properties properties = clientProperties();
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(
                        properties, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = new ArrayList<>();
        consumer.partitionsFor(topic, Duration.ofSeconds(30))
                .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        return new CommittedReader(consumer);
    }

    @Override
    public void close() throws Exception {
        synchronized (this) {
            if (producer != null) {
                producer.close(Duration.ofSeconds(5));
            }
        }
        cluster.close();
    }

    /** Accumulates a topic's committed records. */
    public static final class CommittedReader implements AutoCloseable {
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();

        private CommittedReader(KafkaConsumer<byte[], byte[]> consumer) {
            this.consumer = consumer;
        }

        /** Reads until at least {@code count} records arrived, or fails after {@code timeout}. */
        public List<ConsumerRecord<byte[], byte[]>> awaitAtLeast(int count, Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (records.size() < count) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(
                            "only "
                                    + records.size()
                                    + " of "
                                    + count
                                    + " records within "
                                    + timeout);
                }
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            return List.copyOf(records);
        }

        /** Keeps reading for {@code period}, then returns everything read so far. */
        public List<ConsumerRecord<byte[], byte[]>> readFor(Duration period) {
            long deadline = System.nanoTime() + period.toNanos();
            while (System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            return List.copyOf(records);
        }

        @Override
        public void close() {
            consumer.close();
        }
    }
}
