package io.rtml.job.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads an output topic as a downstream consumer does (read_committed) from its end, on a thread of
 * its own, and records for each record when it became visible, less when its event reached Kafka:
 * the prediction's {@code ingest_time_ms}, or the record's timestamp for the pass-through's output
 * (which keeps the event's). For predictions it also records {@code scored_time_ms} less ingest.
 */
public final class CommittedWatcher implements AutoCloseable {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread thread;
    private final CountDownLatch positioned = new CountDownLatch(1);
    private final LatencySamples committed = new LatencySamples();
    private final LatencySamples scored = new LatencySamples();
    private volatile boolean running = true;
    private volatile RuntimeException failure;

    public CommittedWatcher(Properties clientProperties, String topic) {
        Properties properties = new Properties();
        properties.putAll(clientProperties);
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        properties.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "10000");
        properties.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, "4194304");
        properties.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "10");
        properties.put(ConsumerConfig.CLIENT_ID_CONFIG, "rtml-bench-committed");
        consumer =
                new KafkaConsumer<>(
                        properties, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = new ArrayList<>();
        consumer.partitionsFor(topic, Duration.ofSeconds(30))
                .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
        if (partitions.isEmpty()) {
            consumer.close();
            throw new IllegalArgumentException("topic " + topic + " does not exist");
        }
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        thread = new Thread(() -> run(partitions), "rtml-bench-committed");
        thread.setDaemon(true);
    }

    /** Starts reading; returns once the reader's position is the topic's end. */
    public void start() throws InterruptedException {
        thread.start();
        positioned.await(30, TimeUnit.SECONDS);
    }

    private void run(List<TopicPartition> partitions) {
        try {
            partitions.forEach(consumer::position);
            positioned.countDown();
            while (running) {
                for (ConsumerRecord<byte[], byte[]> record :
                        consumer.poll(Duration.ofMillis(100))) {
                    long now = System.currentTimeMillis();
                    long ingest = JsonScan.longField(record.value(), "ingest_time_ms");
                    if (ingest == Long.MIN_VALUE) {
                        ingest = record.timestamp();
                    } else {
                        long scoredAt = JsonScan.longField(record.value(), "scored_time_ms");
                        if (scoredAt != Long.MIN_VALUE) {
                            scored.add(ingest, scoredAt - ingest);
                        }
                    }
                    committed.add(ingest, now - ingest);
                }
            }
        } catch (WakeupException stopped) {
            // close()
        } catch (RuntimeException e) {
            failure = e;
        } finally {
            positioned.countDown();
            consumer.close();
        }
    }

    /** Visible to read_committed consumers, less ingest. */
    public LatencySamples committed() {
        checkAlive();
        return committed;
    }

    /** Scored by the model, less ingest (predictions only). */
    public LatencySamples scored() {
        return scored;
    }

    private void checkAlive() {
        if (failure != null) {
            throw new IllegalStateException("reading the output topic failed", failure);
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        consumer.wakeup();
        thread.join(10_000);
    }
}
