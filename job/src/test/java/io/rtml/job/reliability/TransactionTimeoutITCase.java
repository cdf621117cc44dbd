package io.rtml.job.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtml.event.TransactionEvent;
import io.rtml.inference.Prediction;
import io.rtml.job.Connectors;
import io.rtml.job.cli.FlinkCluster;
import io.rtml.job.testing.Delivery;
import io.rtml.job.testing.Figures;
import io.rtml.job.testing.JobRun;
import io.rtml.sink.AbortTolerantKafkaSink;
import io.rtml.sink.RedisSink;
import io.rtml.testing.KafkaBroker;
import io.rtml.testing.TestServices;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.client.program.ClusterClient;
import org.apache.flink.connector.kafka.sink.KafkaCommittable;
import org.apache.flink.connector.kafka.sink.KafkaWriterState;
import org.apache.flink.connector.kafka.sink.TwoPhaseCommittingStatefulSink;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.streaming.api.connector.sink2.CommittableMessage;
import org.apache.flink.streaming.api.connector.sink2.SupportsPostCommitTopology;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.test.junit5.InjectClusterClient;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.TransactionState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * The job down longer than {@code kafka.transaction-timeout} (10 s here; the broker looks for
 * timed-out transactions every 500 ms): the broker aborts the predictions' transactions that are
 * still open, and the job comes back from its last checkpoint only after that.
 *
 * <p>How it is made, deterministically: the predictions sink is the job's own, wrapped ({@link
 * CrashingSink}). Once armed, the first attempt "crashes" at a chosen point: a task failure after
 * which its predictions writers are not closed (a closed writer aborts its transaction itself, as a
 * cancelled job does; a process that dies does not), so their transactions stay open on the broker.
 * The next attempt's writers and committers (Flink restarts the job from its last checkpoint) wait,
 * before they start, until the broker lists no open transaction of the predictions' transactional
 * ids any more: the job is down until the broker has aborted them all, however long the broker
 * takes, and no sleep decides it.
 *
 * <ul>
 *   <li>An ordinary moment: the crash falls while the writer fills a transaction and every
 *       transaction of a completed checkpoint is committed. The replay writes the aborted records
 *       again: nothing lost, nothing repeated.
 *   <li>The rare moment: the crash falls after a checkpoint completed and before its committers
 *       committed its transactions (the committers fail instead of committing). The restored
 *       committers commit those transactions only after the broker aborted them: Flink's committer
 *       finds the producer fenced, logs it and goes on, so exactly the predictions of those
 *       transactions are missing from the topic (their events are behind the checkpoint's offsets
 *       and are not read again), while Redis was written before the checkpoint and holds them.
 * </ul>
 */
class TransactionTimeoutITCase {
    private static final Duration WAIT = Duration.ofMinutes(3);
    private static final String TRANSACTION_TIMEOUT = "10 s";
    private static final int PART = 1_000;
    private static final String COMMITTER_LOG =
            "org.apache.flink.connector.kafka.sink.internal.KafkaCommitter";
    private static final String FENCED = "because its producer is already fenced";
    private static final Map<String, Crash> CRASHES = new ConcurrentHashMap<>();

    /** The broker looks for timed-out transactions every 500 ms. */
    @RegisterExtension
    static final TestServices SERVICES =
            TestServices.builder()
                    .kafka(
                            Map.of(
                                    "transaction.abort.timed.out.transaction.cleanup.interval.ms",
                                    "500"),
                            Map.of())
                    .redis()
                    .flink()
                    .build();

    @TempDir Path checkpoints;

    @Test
    void aJobDownLongerThanTheTimeoutReplaysItsOpenTransactionAndLosesNothing(
            @InjectClusterClient ClusterClient<?> cluster) throws Exception {
        List<TransactionEvent> events = JobRun.generate(15, 3 * PART);
        Run run = run(cluster, events, false);

        assertThat(run.crash.openAtCrash)
                .as("transactions open when the job went down")
                .isNotEmpty();
        assertThat(run.crash.abortedByBroker)
                .containsExactlyInAnyOrderElementsOf(run.crash.openAtCrash);
        assertThat(run.restarts).as("job restarts").isEqualTo(1);
        assertThat(run.log).doesNotContain(FENCED);
        Delivery.Outcome outcome = Delivery.assertExactlyOnce(run.committed, events);
        int cards =
                Delivery.assertRedisHoldsNewest(
                        SERVICES.redis(), run.job.keyPrefix, events, run.committed);
        Figures.record(
                "job down longer than `kafka.transaction-timeout` ("
                        + TRANSACTION_TIMEOUT
                        + "), crashed while writing a transaction",
                1,
                outcome,
                "job restarts "
                        + run.restarts
                        + "; "
                        + run.crash.openAtCrash.size()
                        + " open predictions transactions aborted by the broker before the job"
                        + " came back, their records written again by the replay; Redis newest"
                        + " for all "
                        + cards
                        + " cards");
    }

    @Test
    void aCrashBetweenACheckpointAndItsCommitLosesThatTransactionFromTheTopicButNotFromRedis(
            @InjectClusterClient ClusterClient<?> cluster) throws Exception {
        List<TransactionEvent> events = JobRun.generate(16, 3 * PART);
        Run run = run(cluster, events, true);
        Crash crash = run.crash;

        // The committers of both subtasks held back their transaction of the checkpoint.
        assertThat(crash.held).as("transactions of the completed checkpoint").hasSize(2);
        assertThat(crash.openAtCrash).containsAll(crash.held);
        assertThat(crash.abortedByBroker).containsExactlyInAnyOrderElementsOf(crash.openAtCrash);
        Set<String> lost = new HashSet<>();
        crash.held.forEach(id -> lost.addAll(crash.eventIds.get(id)));
        assertThat(lost).as("events in the held transactions").isNotEmpty();

        System.out.println("KafkaCommitter's log:\n" + run.log);
        // Flink's committer found each producer fenced, logged it and went on: no restart loop.
        assertThat(run.restarts).as("job restarts").isEqualTo(1);
        assertThat(run.log.split("Unable to commit transaction", -1))
                .as("the committer's errors")
                .hasSize(crash.held.size() + 1);
        assertThat(run.log.split("ProducerFencedException: There is a newer producer", -1))
                .hasSize(crash.held.size() + 1);
        for (String id : crash.held) {
            assertThat(run.log)
                    .as("the committer's log")
                    .containsPattern(
                            "ERROR "
                                    + COMMITTER_LOG
                                    + " - Unable to commit transaction \\(.*transactionalId="
                                    + Pattern.quote("'" + id + "'")
                                    + ".*\\) "
                                    + FENCED
                                    + "\\. .* or recovery took longer than"
                                    + " 'transaction.timeout.ms' \\(10000ms\\)\\. In both cases"
                                    + " this most likely signals data loss");
        }

        // Exactly the held transactions' predictions are missing; nothing is repeated.
        Delivery.Outcome outcome = Delivery.compare(run.committed, events);
        Set<String> committedIds =
                run.committed.stream().map(p -> p.eventId).collect(Collectors.toSet());
        Set<String> missing =
                events.stream()
                        .map(e -> e.eventId)
                        .filter(id -> !committedIds.contains(id))
                        .collect(Collectors.toCollection(TreeSet::new));
        assertThat(missing).containsExactlyInAnyOrderElementsOf(lost);
        List<TransactionEvent> delivered =
                events.stream().filter(e -> !lost.contains(e.eventId)).toList();
        Delivery.assertExactlyOnce(run.committed, delivered);

        // Redis holds every card's newest prediction, those of the lost predictions included.
        Set<String> cardsWithLostNewest =
                Delivery.newestPerCard(events).values().stream()
                        .filter(e -> lost.contains(e.eventId))
                        .map(e -> e.cardId)
                        .collect(Collectors.toSet());
        int cards;
        try (Jedis jedis = SERVICES.redis().client()) {
            cards =
                    Delivery.assertRedisHoldsNewest(
                            jedis,
                            run.job.keyPrefix,
                            events,
                            run.committed,
                            card -> !cardsWithLostNewest.contains(card));
            for (TransactionEvent newest : Delivery.newestPerCard(events).values()) {
                if (cardsWithLostNewest.contains(newest.cardId)) {
                    assertThat(
                                    jedis.hget(
                                            RedisSink.key(run.job.keyPrefix, newest.cardId),
                                            RedisSink.FIELD_EVENT_ID))
                            .isEqualTo(newest.eventId);
                }
            }
        }
        Figures.record(
                "job down longer than `kafka.transaction-timeout` ("
                        + TRANSACTION_TIMEOUT
                        + "), crashed after a checkpoint completed and before its commit",
                1,
                outcome,
                "job restarts "
                        + run.restarts
                        + "; the "
                        + crash.held.size()
                        + " transactions of that checkpoint (one per subtask) were aborted by the"
                        + " broker; on recovery Flink's committer logged each producer as fenced"
                        + " (ERROR, \"most likely signals data loss\") and went on: exactly their "
                        + lost.size()
                        + " predictions are missing from the topic, none repeated; Redis newest"
                        + " for all "
                        + (cards + cardsWithLostNewest.size())
                        + " cards, "
                        + cardsWithLostNewest.size()
                        + " of them from a lost prediction");
    }

    /** What one run gave: its committed predictions, restarts, the committer's log. */
    private record Run(
            JobRun job, Crash crash, List<Prediction> committed, long restarts, String log) {}

    /**
     * Runs the job on {@code events} in three parts: the first before the crash is armed, the
     * second during which it crashes, the third once the job is back.
     */
    private Run run(ClusterClient<?> cluster, List<TransactionEvent> events, boolean beforeCommit)
            throws Exception {
        String label = beforeCommit ? "txn-timeout-commit" : "txn-timeout-write";
        JobRun job = new JobRun(SERVICES, checkpoints, label);
        job.options.put("kafka.transaction-timeout", TRANSACTION_TIMEOUT);
        Crash crash =
                new Crash(
                        SERVICES.kafka().clientProperties(),
                        job.name + "-predictions-",
                        beforeCommit);
        CRASHES.put(job.name, crash);
        JobClient client =
                job.start(
                        pipeline ->
                                pipeline.predictions(
                                        new CrashingSink(
                                                Connectors.predictions(job.config()), job.name)));
        String jobId = client.getJobID().toHexString();
        try (LogCapture log = LogCapture.start(COMMITTER_LOG);
                FlinkCluster rest = new FlinkCluster(URI.create(cluster.getWebInterfaceURL()));
                KafkaBroker.CommittedReader reader = SERVICES.kafka().reader(job.predictions)) {
            job.produce(events.subList(0, PART));
            reader.awaitAtLeast(PART, WAIT);
            crash.armed = true;
            job.produce(events.subList(PART, 2 * PART));
            assertThat(crash.crashed.await(WAIT.toSeconds(), TimeUnit.SECONDS))
                    .as("crashed")
                    .isTrue();
            job.produce(events.subList(2 * PART, 3 * PART));
            int lost = 0;
            for (String id : crash.held) {
                lost += crash.eventIds.get(id).size();
            }
            reader.awaitAtLeast(events.size() - lost, WAIT);
            List<Prediction> committed = JobRun.predictions(reader.readFor(Duration.ofSeconds(3)));
            long restarts = rest.restarts(jobId);
            assertThat(rest.jobState(jobId)).isEqualTo("RUNNING");
            return new Run(job, crash, committed, restarts, log.text());
        } finally {
            client.cancel().get();
            crash.closeLeaked();
            CRASHES.remove(job.name);
        }
    }

    /** One run's crash of the predictions sink, and what it left on the broker. */
    static final class Crash {
        private static final Set<TransactionState> OPEN =
                Set.of(
                        TransactionState.ONGOING,
                        TransactionState.PREPARE_ABORT,
                        TransactionState.PREPARE_COMMIT,
                        TransactionState.PREPARE_EPOCH_FENCE);
        final Properties kafka;
        final String transactionalIdPrefix;
        final boolean beforeCommit;
        volatile boolean armed;
        final CountDownLatch crashed = new CountDownLatch(1);
        private final AtomicBoolean first = new AtomicBoolean();

        /** Transactions of completed or running checkpoints not committed yet. */
        final Set<String> prepared = ConcurrentHashMap.newKeySet();

        /** The event ids written in each transaction, by transactional id. */
        final Map<String, List<String>> eventIds = new ConcurrentHashMap<>();

        /** The transactions whose commit the crash kept from happening. */
        final Set<String> held = ConcurrentHashMap.newKeySet();

        private final CountDownLatch committersHeld = new CountDownLatch(JobRun.PARALLELISM);
        private final List<AutoCloseable> leaked = new ArrayList<>();

        /** Transactions open when the next attempt first waited, all of which it waited out. */
        volatile Set<String> openAtCrash;

        /** Of those, the ones the broker then listed as aborted. */
        volatile Set<String> abortedByBroker;

        Crash(Properties kafka, String transactionalIdPrefix, boolean beforeCommit) {
            this.kafka = kafka;
            this.transactionalIdPrefix = transactionalIdPrefix;
            this.beforeCommit = beforeCommit;
        }

        /** Whether the caller is the first to crash, the one that throws. */
        private boolean first() {
            return first.compareAndSet(false, true);
        }

        boolean hasCrashed() {
            return crashed.getCount() == 0;
        }

        /** Waits until the broker lists no open transaction of the predictions' ids. */
        synchronized void awaitBrokerAborted() throws IOException {
            if (!hasCrashed() || openAtCrash != null) {
                return;
            }
            long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
            Set<String> atFirstLook = null;
            try (Admin admin = Admin.create(kafka)) {
                while (true) {
                    Set<String> open =
                            admin.listTransactions().all().get().stream()
                                    .filter(
                                            t ->
                                                    t.transactionalId()
                                                            .startsWith(transactionalIdPrefix))
                                    .filter(t -> OPEN.contains(t.state()))
                                    .map(TransactionListing::transactionalId)
                                    .collect(Collectors.toSet());
                    if (atFirstLook == null) {
                        atFirstLook = open;
                    }
                    if (open.isEmpty()) {
                        // Before the job's writers reuse any of those ids.
                        abortedByBroker =
                                admin
                                        .describeTransactions(atFirstLook)
                                        .all()
                                        .get()
                                        .entrySet()
                                        .stream()
                                        .filter(
                                                e ->
                                                        e.getValue().state()
                                                                == TransactionState.COMPLETE_ABORT)
                                        .map(Map.Entry::getKey)
                                        .collect(Collectors.toUnmodifiableSet());
                        break;
                    }
                    if (System.nanoTime() > deadline) {
                        throw new IOException("the broker did not abort " + open);
                    }
                    Thread.sleep(200);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            } catch (ExecutionException e) {
                throw new IOException(e);
            }
            openAtCrash = Set.copyOf(atFirstLook);
        }

        synchronized void leak(AutoCloseable writer) {
            leaked.add(writer);
        }

        /** Closes the writers the crash left open (their producers are fenced by now). */
        synchronized void closeLeaked() {
            for (AutoCloseable writer : leaked) {
                try {
                    writer.close();
                } catch (Exception e) {
                    // A fenced producer fails its abort: nothing left to clean up.
                }
            }
            leaked.clear();
        }
    }

    /** The job's predictions sink, crashing as its run's {@link Crash} says. */
    static final class CrashingSink
            implements TwoPhaseCommittingStatefulSink<
                            Prediction, KafkaWriterState, KafkaCommittable>,
                    SupportsPostCommitTopology<KafkaCommittable> {
        private static final long serialVersionUID = 1L;
        private final AbortTolerantKafkaSink<Prediction> sink;
        private final String run;

        CrashingSink(AbortTolerantKafkaSink<Prediction> sink, String run) {
            this.sink = sink;
            this.run = run;
        }

        @Override
        public PrecommittingStatefulSinkWriter<Prediction, KafkaWriterState, KafkaCommittable>
                createWriter(WriterInitContext context) throws IOException {
            return restoreWriter(context, List.of());
        }

        @Override
        public PrecommittingStatefulSinkWriter<Prediction, KafkaWriterState, KafkaCommittable>
                restoreWriter(WriterInitContext context, Collection<KafkaWriterState> state)
                        throws IOException {
            Crash crash = CRASHES.get(run);
            boolean firstAttempt = context.getTaskInfo().getAttemptNumber() == 0;
            if (!firstAttempt) {
                crash.awaitBrokerAborted();
            }
            return new Writer(crash, firstAttempt, sink.restoreWriter(context, state));
        }

        @Override
        public Committer<KafkaCommittable> createCommitter(CommitterInitContext context)
                throws IOException {
            Crash crash = CRASHES.get(run);
            boolean firstAttempt = context.getTaskInfo().getAttemptNumber() == 0;
            if (!firstAttempt) {
                crash.awaitBrokerAborted();
            }
            Committer<KafkaCommittable> committer = sink.createCommitter(context);
            return new Committer<>() {
                @Override
                public void commit(Collection<CommitRequest<KafkaCommittable>> requests)
                        throws IOException, InterruptedException {
                    if (firstAttempt && crash.armed && crash.beforeCommit && !requests.isEmpty()) {
                        requests.forEach(
                                r -> crash.held.add(r.getCommittable().getTransactionalId()));
                        crash.committersHeld.countDown();
                        // Both subtasks' committers hold their transaction of the checkpoint; the
                        // first to arrive fails the job, the other waits to be cancelled.
                        if (crash.first()) {
                            crash.committersHeld.await(10, TimeUnit.SECONDS);
                            crash.crashed.countDown();
                            throw new IOException("injected crash before committing " + requests);
                        }
                        new CountDownLatch(1).await(1, TimeUnit.MINUTES);
                        throw new IOException("not cancelled after the injected crash");
                    }
                    committer.commit(requests);
                    requests.forEach(
                            r -> crash.prepared.remove(r.getCommittable().getTransactionalId()));
                }

                @Override
                public void close() throws Exception {
                    committer.close();
                }
            };
        }

        @Override
        public SimpleVersionedSerializer<KafkaCommittable> getCommittableSerializer() {
            return sink.getCommittableSerializer();
        }

        @Override
        public SimpleVersionedSerializer<KafkaWriterState> getWriterStateSerializer() {
            return sink.getWriterStateSerializer();
        }

        @Override
        public void addPostCommitTopology(
                DataStream<CommittableMessage<KafkaCommittable>> committed) {
            sink.addPostCommitTopology(committed);
        }
    }

    /** Records each transaction's event ids; crashes in {@code write} or is not closed. */
    private static final class Writer
            implements TwoPhaseCommittingStatefulSink.PrecommittingStatefulSinkWriter<
                    Prediction, KafkaWriterState, KafkaCommittable> {
        private final Crash crash;
        private final boolean firstAttempt;
        private final TwoPhaseCommittingStatefulSink.PrecommittingStatefulSinkWriter<
                        Prediction, KafkaWriterState, KafkaCommittable>
                writer;
        private final List<String> written = new ArrayList<>();

        Writer(
                Crash crash,
                boolean firstAttempt,
                TwoPhaseCommittingStatefulSink.PrecommittingStatefulSinkWriter<
                                Prediction, KafkaWriterState, KafkaCommittable>
                        writer) {
            this.crash = crash;
            this.firstAttempt = firstAttempt;
            this.writer = writer;
        }

        @Override
        public void write(Prediction element, Context context)
                throws IOException, InterruptedException {
            // An ordinary moment: a transaction is being written and none waits for its commit.
            if (firstAttempt
                    && crash.armed
                    && !crash.beforeCommit
                    && !written.isEmpty()
                    && crash.prepared.isEmpty()
                    && crash.first()) {
                crash.crashed.countDown();
                throw new IOException("injected crash while writing a transaction");
            }
            written.add(element.eventId);
            writer.write(element, context);
        }

        @Override
        public void writeWatermark(Watermark watermark) throws IOException, InterruptedException {
            writer.writeWatermark(watermark);
        }

        @Override
        public void flush(boolean endOfInput) throws IOException, InterruptedException {
            writer.flush(endOfInput);
        }

        @Override
        public Collection<KafkaCommittable> prepareCommit()
                throws IOException, InterruptedException {
            Collection<KafkaCommittable> committables = writer.prepareCommit();
            for (KafkaCommittable committable : committables) {
                crash.eventIds.put(committable.getTransactionalId(), List.copyOf(written));
                if (firstAttempt) {
                    crash.prepared.add(committable.getTransactionalId());
                }
            }
            written.clear();
            return committables;
        }

        @Override
        public List<KafkaWriterState> snapshotState(long checkpointId) throws IOException {
            return writer.snapshotState(checkpointId);
        }

        @Override
        public void close() throws Exception {
            if (firstAttempt && crash.hasCrashed()) {
                crash.leak(writer); // a crashed process does not abort its transactions
            } else {
                writer.close();
            }
        }
    }
}
