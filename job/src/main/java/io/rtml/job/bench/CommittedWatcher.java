package io.rtml.job.bench;

import io.rtml.job.CommittedTopicReader;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.WakeupException;

/**
 * Reads an output topic as a downstream consumer does (read_committed) from its end, on a thread of
 * its own, and records for each record when it became visible, less when its event reached Kafka:
 * the prediction's {@code ingest_time_ms}, or the record's timestamp for the pass-through's output
 * (which keeps the event's). For predictions it also records {@code scored_time_ms} less ingest.
 */
public final class CommittedWatcher implements AutoCloseable {
    private final CommittedTopicReader reader;
    private final Thread thread;
    private final LatencySamples committed = new LatencySamples();
    private final LatencySamples scored = new LatencySamples();
    private volatile boolean running = true;
    private volatile RuntimeException failure;

    /**
     * @param committedConsumer a read_committed consumer's settings ({@code
     *     KafkaClients.committedConsumer})
     */
    public CommittedWatcher(Properties committedConsumer, String topic) {
        Properties settings = new Properties();
        settings.putAll(committedConsumer);
        settings.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "10000");
        settings.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, "4194304");
        settings.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "10");
        reader = CommittedTopicReader.fromEnd(settings, topic);
        thread = new Thread(this::run, "rtml-bench-committed");
        thread.setDaemon(true);
    }

    /** Starts reading, from the topic's end when the watcher was made. */
    public void start() {
        thread.start();
    }

    private void run() {
        try {
            while (running) {
                for (ConsumerRecord<byte[], byte[]> record : reader.poll(Duration.ofMillis(100))) {
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
            reader.close();
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
        reader.wakeup();
        thread.join(10_000);
    }
}
