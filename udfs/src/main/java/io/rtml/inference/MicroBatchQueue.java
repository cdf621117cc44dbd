package io.rtml.inference;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A bounded queue that hands out batches cut at a maximum size or when the batch's first item has
 * waited a maximum delay, whichever comes first. Producers block when it is full (backpressure);
 * any number of consumers may take batches.
 */
final class MicroBatchQueue<T> {
    private final ArrayBlockingQueue<Queued<T>> queue;
    private final int maxBatchSize;
    private final long maxDelayNanos;

    MicroBatchQueue(int capacity, int maxBatchSize, Duration maxDelay) {
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.maxBatchSize = maxBatchSize;
        this.maxDelayNanos = maxDelay.toNanos();
    }

    /** Adds an item, waiting while the queue is full. */
    void put(T item) throws InterruptedException {
        queue.put(new Queued<>(item, System.nanoTime()));
    }

    /** Adds an item if there is room; false when the queue is full. */
    boolean offer(T item) {
        return queue.offer(new Queued<>(item, System.nanoTime()));
    }

    int size() {
        return queue.size();
    }

    /**
     * The next batch: waits up to {@code firstItemTimeout} for an item (an empty list if none
     * comes), then gathers more until the batch is full or its first item has waited the maximum
     * delay.
     */
    List<T> nextBatch(Duration firstItemTimeout) throws InterruptedException {
        Queued<T> first = queue.poll(firstItemTimeout.toNanos(), TimeUnit.NANOSECONDS);
        if (first == null) {
            return List.of();
        }
        List<Queued<T>> gathered = new ArrayList<>(Math.min(maxBatchSize, 1024));
        gathered.add(first);
        long deadline = first.queuedNanos() + maxDelayNanos;
        while (gathered.size() < maxBatchSize) {
            queue.drainTo(gathered, maxBatchSize - gathered.size());
            long wait = deadline - System.nanoTime();
            if (gathered.size() >= maxBatchSize || wait <= 0) {
                break;
            }
            Queued<T> next = queue.poll(wait, TimeUnit.NANOSECONDS);
            if (next == null) {
                break;
            }
            gathered.add(next);
        }
        List<T> batch = new ArrayList<>(gathered.size());
        for (Queued<T> queued : gathered) {
            batch.add(queued.item());
        }
        return batch;
    }

    private record Queued<T>(T item, long queuedNanos) {}
}
