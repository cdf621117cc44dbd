package io.rtml.job.bench;

import io.rtml.sink.RedisSink;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;

/**
 * The exactly-once ceiling: a plain Kafka consume-and-produce pass-through of the events topic to
 * an output topic, in transactions that carry the consumer's offsets (read_committed, the way Kafka
 * Streams does exactly-once), with no parsing and no state. Each of {@code threads} workers reads
 * its share of the partitions and commits every {@code commitInterval}. With {@code passes} above 1
 * it reads the input again from its beginning that many times in all, once it has reached the end
 * offsets it found at start: a backlog it drains in well under a second is then long enough to
 * measure.
 *
 * <p>Each output record keeps its event's timestamp, so a downstream reader measures latency from
 * ingest. With a Redis URI each worker also writes every event to Redis, one pipelined round trip
 * per poll, as {@code <prefix>card:<key>} field {@code prediction} = {@code {"event_id": topic-
 * partition-offset, "ingest_time_ms": timestamp}}: the floor for the job's event-to-Redis latency.
 */
public final class Passthrough implements AutoCloseable {
    /** What the pass-through reads, writes and how. */
    public record Settings(
            Properties clientProperties,
            String inputTopic,
            String outputTopic,
            String groupId,
            String transactionalIdPrefix,
            int threads,
            Duration commitInterval,
            int passes,
            String redisUri,
            String keyPrefix) {}

    private final Settings settings;
    private final List<Worker> workers = new ArrayList<>();
    private final AtomicLong passed = new AtomicLong();
    private final AtomicLong commits = new AtomicLong();
    private volatile Throwable failure;

    public Passthrough(Settings settings) {
        this.settings = settings;
    }

    /** Starts the workers; returns at once. */
    public void start() {
        for (int i = 0; i < settings.threads(); i++) {
            Worker worker = new Worker(i);
            workers.add(worker);
            worker.thread.start();
        }
    }

    /** Records passed through (sent; committed with the next transaction). */
    public long passed() {
        return passed.get();
    }

    public long commits() {
        return commits.get();
    }

    /** The first error of any worker, or null: a failed pass-through has stopped. */
    public Throwable failure() {
        return failure;
    }

    public boolean running() {
        return workers.stream().anyMatch(worker -> worker.thread.isAlive());
    }

    @Override
    public void close() throws InterruptedException {
        for (Worker worker : workers) {
            worker.running = false;
            worker.consumer.wakeup();
        }
        for (Worker worker : workers) {
            worker.thread.join(30_000);
        }
    }

    private final class Worker {
        final int index;
        final Thread thread;
        final KafkaConsumer<byte[], byte[]> consumer;
        volatile boolean running = true;

        Worker(int index) {
            this.index = index;
            Properties properties = new Properties();
            properties.putAll(settings.clientProperties());
            properties.put(ConsumerConfig.GROUP_ID_CONFIG, settings.groupId());
            properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
            properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            properties.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000");
            properties.put(ConsumerConfig.CLIENT_ID_CONFIG, "rtml-passthrough-" + index);
            this.consumer =
                    new KafkaConsumer<>(
                            properties, new ByteArrayDeserializer(), new ByteArrayDeserializer());
            this.thread = new Thread(this::run, "rtml-passthrough-" + index);
        }

        private KafkaProducer<byte[], byte[]> producer() {
            Properties properties = new Properties();
            properties.putAll(settings.clientProperties());
            properties.put(
                    ProducerConfig.TRANSACTIONAL_ID_CONFIG,
                    settings.transactionalIdPrefix() + "-" + index);
            properties.put(ProducerConfig.LINGER_MS_CONFIG, "5");
            properties.put(ProducerConfig.BATCH_SIZE_CONFIG, "131072");
            properties.put(ProducerConfig.CLIENT_ID_CONFIG, "rtml-passthrough-" + index);
            return new KafkaProducer<>(
                    properties, new ByteArraySerializer(), new ByteArraySerializer());
        }

        private void run() {
            try (KafkaProducer<byte[], byte[]> producer = producer();
                    Jedis redis =
                            settings.redisUri() == null
                                    ? null
                                    : new Jedis(URI.create(settings.redisUri()), 5_000)) {
                List<TopicPartition> mine = new ArrayList<>();
                consumer.partitionsFor(settings.inputTopic(), Duration.ofSeconds(30))
                        .forEach(
                                p -> {
                                    if (p.partition() % settings.threads() == index) {
                                        mine.add(
                                                new TopicPartition(
                                                        settings.inputTopic(), p.partition()));
                                    }
                                });
                consumer.assign(mine);
                Map<TopicPartition, Long> ends = consumer.endOffsets(mine);
                int pass = 1;
                producer.initTransactions();
                Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
                boolean open = false;
                long openedAt = 0;
                long interval = settings.commitInterval().toNanos();
                while (running) {
                    ConsumerRecords<byte[], byte[]> records;
                    try {
                        records = consumer.poll(Duration.ofMillis(20));
                    } catch (WakeupException stopping) {
                        break;
                    }
                    if (!records.isEmpty()) {
                        if (!open) {
                            producer.beginTransaction();
                            open = true;
                            openedAt = System.nanoTime();
                        }
                        Pipeline pipeline = redis == null ? null : redis.pipelined();
                        for (ConsumerRecord<byte[], byte[]> record : records) {
                            producer.send(
                                    new ProducerRecord<>(
                                            settings.outputTopic(),
                                            null,
                                            record.timestamp(),
                                            record.key(),
                                            record.value()));
                            offsets.put(
                                    new TopicPartition(record.topic(), record.partition()),
                                    new OffsetAndMetadata(record.offset() + 1));
                            if (pipeline != null && record.key() != null) {
                                pipeline.hset(
                                        RedisSink.key(
                                                settings.keyPrefix(),
                                                new String(record.key(), StandardCharsets.UTF_8)),
                                        "prediction",
                                        "{\"event_id\":\""
                                                + record.topic()
                                                + "-"
                                                + record.partition()
                                                + "-"
                                                + record.offset()
                                                + "\",\"ingest_time_ms\":"
                                                + record.timestamp()
                                                + "}");
                            }
                        }
                        if (pipeline != null) {
                            pipeline.sync();
                        }
                        passed.addAndGet(records.count());
                        if (pass < settings.passes() && atEnd(mine, ends)) {
                            consumer.seekToBeginning(mine);
                            pass++;
                        }
                    }
                    if (open && System.nanoTime() - openedAt >= interval) {
                        producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
                        producer.commitTransaction();
                        commits.incrementAndGet();
                        offsets.clear();
                        open = false;
                    }
                }
            } catch (Throwable e) {
                if (failure == null) {
                    failure = e;
                }
            } finally {
                consumer.close();
            }
        }

        private boolean atEnd(List<TopicPartition> partitions, Map<TopicPartition, Long> ends) {
            for (TopicPartition partition : partitions) {
                if (consumer.position(partition) < ends.get(partition)) {
                    return false;
                }
            }
            return true;
        }
    }
}
