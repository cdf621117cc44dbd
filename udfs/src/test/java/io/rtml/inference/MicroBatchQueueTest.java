package io.rtml.inference;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The micro-batching queue. Nothing here asserts how long anything took; the long delays only make
 * sure a test would hang (and hit its {@link Timeout}) if a batch waited for a delay it should not.
 */
@Timeout(30)
class MicroBatchQueueTest {
    private static final Duration NEVER = Duration.ofHours(1);
    private static final Duration NO_WAIT = Duration.ZERO;
    private static final Duration SHORT = Duration.ofMillis(20);

    @Test
    void cutsABatchAtMaxSizeWithoutWaitingForTheDelay() throws Exception {
        MicroBatchQueue<Integer> queue = new MicroBatchQueue<>(16, 4, NEVER);
        putAll(queue, 8);

        assertThat(queue.nextBatch(NEVER)).containsExactly(0, 1, 2, 3);
        assertThat(queue.nextBatch(NEVER)).containsExactly(4, 5, 6, 7);
        assertThat(queue.size()).isZero();
    }

    @Test
    void cutsBatchesOfFourFourAndTwoFromTen() throws Exception {
        MicroBatchQueue<Integer> queue = new MicroBatchQueue<>(16, 4, SHORT);
        putAll(queue, 10);

        assertThat(queue.nextBatch(NEVER)).hasSize(4);
        assertThat(queue.nextBatch(NEVER)).hasSize(4);
        assertThat(queue.nextBatch(NEVER)).containsExactly(8, 9);
        assertThat(queue.nextBatch(NO_WAIT)).isEmpty();
    }

    @Test
    void cutsABatchAtTheDelayWithWhatHasArrived() throws Exception {
        MicroBatchQueue<Integer> queue = new MicroBatchQueue<>(16, 100, SHORT);
        putAll(queue, 3);

        assertThat(queue.nextBatch(NEVER)).containsExactly(0, 1, 2);
    }

    @Test
    void cutsABatchWhoseFirstItemAlreadyWaitedTheDelayWithoutWaitingMore() throws Exception {
        MicroBatchQueue<Integer> queue = new MicroBatchQueue<>(16, 100, Duration.ZERO);
        putAll(queue, 5);

        assertThat(queue.nextBatch(NEVER)).containsExactly(0, 1, 2, 3, 4);
    }

    @Test
    void gathersItemsThatArriveWhileTheBatchWaits() throws Exception {
        MicroBatchQueue<Integer> queue = new MicroBatchQueue<>(16, 3, NEVER);
        queue.put(0);
        Thread producer =
                new Thread(
                        () -> {
                            try {
                                queue.put(1);
                                queue.put(2);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        });

        producer.start();
        List<Integer> batch = queue.nextBatch(NEVER); // full at 3: must not wait for the delay
        producer.join();

        assertThat(batch).containsExactly(0, 1, 2);
    }

    @Test
    void returnsAnEmptyBatchWhenNothingArrives() throws Exception {
        MicroBatchQueue<Integer> queue = new MicroBatchQueue<>(16, 4, NEVER);

        assertThat(queue.nextBatch(NO_WAIT)).isEmpty();
        assertThat(queue.nextBatch(SHORT)).isEmpty();
    }

    @Test
    void handsItemsOutFirstInFirstOut() throws Exception {
        MicroBatchQueue<Integer> queue = new MicroBatchQueue<>(100, 7, NO_WAIT);
        putAll(queue, 50);

        List<Integer> taken = new ArrayList<>();
        List<Integer> batch;
        while (!(batch = queue.nextBatch(NO_WAIT)).isEmpty()) {
            assertThat(batch).hasSizeLessThanOrEqualTo(7);
            taken.addAll(batch);
        }

        assertThat(taken).containsExactlyElementsOf(IntStream.range(0, 50).boxed().toList());
    }

    @Test
    void refusesAnOfferWhenFull() throws Exception {
        MicroBatchQueue<Integer> queue = new MicroBatchQueue<>(3, 2, NEVER);

        assertThat(queue.offer(0)).isTrue();
        assertThat(queue.offer(1)).isTrue();
        assertThat(queue.offer(2)).isTrue();
        assertThat(queue.offer(3)).isFalse();
        assertThat(queue.size()).isEqualTo(3);

        assertThat(queue.nextBatch(NEVER)).containsExactly(0, 1);
        assertThat(queue.offer(3)).isTrue();
        assertThat(queue.nextBatch(NO_WAIT)).hasSize(2);
    }

    @Test
    void blocksAPutWhileFullUntilABatchIsTaken() throws Exception {
        MicroBatchQueue<Integer> queue = new MicroBatchQueue<>(2, 2, NEVER);
        putAll(queue, 2);
        Thread producer =
                new Thread(
                        () -> {
                            try {
                                queue.put(2);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        });

        producer.start();
        while (producer.getState() != Thread.State.WAITING) {
            Thread.onSpinWait(); // the producer parks on the full queue
        }
        assertThat(queue.size()).isEqualTo(2);
        assertThat(producer.isAlive()).isTrue();

        assertThat(queue.nextBatch(NEVER)).containsExactly(0, 1);
        producer.join();
        assertThat(queue.size()).isEqualTo(1);
    }

    @Test
    void givesConcurrentConsumersDisjointItems() throws Exception {
        int items = 10_000;
        int consumers = 4;
        MicroBatchQueue<Integer> queue = new MicroBatchQueue<>(64, 16, Duration.ofMillis(1));
        AtomicInteger taken = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(consumers + 1);
        try {
            List<Future<List<Integer>>> results = new ArrayList<>();
            for (int c = 0; c < consumers; c++) {
                Callable<List<Integer>> consumer =
                        () -> {
                            List<Integer> mine = new ArrayList<>();
                            while (taken.get() < items) {
                                List<Integer> batch = queue.nextBatch(Duration.ofMillis(5));
                                assertThat(batch).hasSizeLessThanOrEqualTo(16);
                                mine.addAll(batch);
                                taken.addAndGet(batch.size());
                            }
                            return mine;
                        };
                results.add(pool.submit(consumer));
            }
            Future<?> producer = pool.submit(() -> putAll(queue, items));

            producer.get();
            List<Integer> all = new ArrayList<>();
            List<List<Integer>> perConsumer = new ArrayList<>();
            for (Future<List<Integer>> result : results) {
                perConsumer.add(result.get());
                all.addAll(perConsumer.get(perConsumer.size() - 1));
            }

            assertThat(all).hasSize(items).doesNotHaveDuplicates();
            Collections.sort(all);
            assertThat(all).containsExactlyElementsOf(IntStream.range(0, items).boxed().toList());
            for (List<Integer> mine : perConsumer) {
                // Each consumer sees its own items in the order they were put.
                assertThat(mine).isSorted();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static Void putAll(MicroBatchQueue<Integer> queue, int count)
            throws InterruptedException {
        for (int i = 0; i < count; i++) {
            queue.put(i);
        }
        return null;
    }
}
