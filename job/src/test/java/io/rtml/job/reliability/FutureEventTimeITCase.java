package io.rtml.job.reliability;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rtml.event.DecodedRecord;
import io.rtml.event.EventJson;
import io.rtml.event.EventParser;
import io.rtml.event.TransactionEvent;
import io.rtml.inference.Prediction;
import io.rtml.job.Connectors;
import io.rtml.job.Pipeline;
import io.rtml.job.cli.FlinkCluster;
import io.rtml.job.config.RtmlConfig;
import io.rtml.job.config.RtmlOptions;
import io.rtml.job.testing.Delivery;
import io.rtml.job.testing.Figures;
import io.rtml.job.testing.JobRun;
import io.rtml.testing.KafkaBroker;
import io.rtml.testing.TestServices;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.client.program.ClusterClient;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.test.junit5.InjectClusterClient;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bounded event time (watermarks.max-future): events dated ahead of their arrival go to the
 * dead-letter topic with the reason, and everything else is scored exactly as if they had not been
 * sent: no watermark jumped to their time, no card's Redis entry froze at it. A partition that
 * carries only dead letters does not hold the watermark back.
 */
class FutureEventTimeITCase {
    private static final Duration WAIT = Duration.ofMinutes(4);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long SEED = 1_515L;
    private static final int VALID = 1_500;

    @RegisterExtension
    static final TestServices SERVICES = TestServices.builder().kafka().redis().flink().build();

    @TempDir Path checkpoints;

    @Test
    void deadLettersEventsFromTheFutureAndScoresEveryOtherAsIfTheyWereNotThere(
            @InjectClusterClient ClusterClient<?> cluster) throws Exception {
        List<TransactionEvent> valid = JobRun.generate(SEED, VALID);
        long now = System.currentTimeMillis();
        // Copies of early events of three cards, dated an hour, a day and 73 years ahead.
        List<Long> futureTimes =
                List.of(
                        now + 3_600_000L,
                        now + 86_400_000L,
                        Instant.parse("2099-12-31T23:59:59Z").toEpochMilli());
        Random random = new Random(SEED);
        List<TransactionEvent> records = new ArrayList<>(valid);
        Map<String, Long> futureById = new HashMap<>();
        for (int i = 0; i < futureTimes.size(); i++) {
            int at = random.nextInt(VALID / 3);
            TransactionEvent future =
                    EventParser.parse(EventJson.write(valid.get(at)), valid.get(at).ingestTimeMs);
            future.eventId = "future-" + i;
            future.eventTimeMs = futureTimes.get(i);
            records.add(records.indexOf(valid.get(at)) + 1, future);
            futureById.put(future.eventId, future.eventTimeMs);
        }

        List<Prediction> reference = score(valid, "present-only").predictions;
        Scored scored = score(records, "with-future", cluster);

        assertThat(scored.restarts).as("restarts").isZero();
        Delivery.Outcome outcome = Delivery.assertExactlyOnce(scored.predictions, valid);
        Map<String, Float> referenceScores = new HashMap<>();
        reference.forEach(p -> referenceScores.put(p.eventId, p.score));
        for (Prediction prediction : scored.predictions) {
            assertThat((double) prediction.score)
                    .as(prediction.eventId)
                    .isCloseTo(referenceScores.get(prediction.eventId), within(1e-5));
        }
        int cards =
                Delivery.assertRedisHoldsNewest(
                        SERVICES.redis(), scored.run.keyPrefix, valid, scored.predictions);

        assertThat(scored.deadLetters).hasSize(futureTimes.size());
        for (ConsumerRecord<byte[], byte[]> record : scored.deadLetters) {
            JsonNode letter = JSON.readTree(record.value());
            String eventId =
                    JSON.readTree(Base64.getDecoder().decode(letter.get("value_base64").asText()))
                            .get("event_id")
                            .asText();
            long arrival = letter.get("source").get("timestamp").asLong();
            assertThat(letter.get("field").asText()).isEqualTo("event_time");
            assertThat(letter.get("reason").asText())
                    .isEqualTo(
                            "event_time: "
                                    + Instant.ofEpochMilli(futureById.get(eventId))
                                    + " is more than 5 min (watermarks.max-future) ahead of the"
                                    + " record's arrival at "
                                    + Instant.ofEpochMilli(arrival));
        }

        Figures.record(
                "events from the future (an hour, a day and 73 years ahead of their arrival)",
                futureTimes.size(),
                outcome,
                futureTimes.size()
                        + " dead letters naming event_time and watermarks.max-future; scores as"
                        + " without them; job restarts "
                        + scored.restarts
                        + "; Redis newest for all "
                        + cards
                        + " cards");
    }

    /**
     * The job's source (Kafka, its deserializer and watermark strategy) on two partitions, read by
     * one subtask: partition 0 carries valid events a second apart and, early on, one dated a day
     * ahead; partition 1 carries only dead letters, all along. The watermark the next operator sees
     * follows partition 0's valid events (partition 1 went idle, dead letters notwithstanding), and
     * the future event neither reaches it nor moves it.
     */
    @Test
    void theWatermarkFollowsValidEventsPastAPartitionOfDeadLettersAndAFutureEvent()
            throws Exception {
        String topic = "watermark-probe";
        SERVICES.kafka().createTopics(2, topic);
        RtmlConfig config =
                RtmlConfig.loadWithoutModel(
                        null,
                        Map.of(
                                "kafka.bootstrap-servers",
                                SERVICES.kafka().bootstrapServers(),
                                "kafka.topics.events",
                                topic,
                                "kafka.group-id",
                                topic,
                                "watermarks.idleness",
                                "1 s"));
        long outOfOrderness = config.get(RtmlOptions.WATERMARK_OUT_OF_ORDERNESS).toMillis();
        long t0 = System.currentTimeMillis() - 3_600_000L;
        long future = System.currentTimeMillis() + 86_400_000L;
        List<TransactionEvent> events = JobRun.generate(SEED, 1_000);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        env.getConfig().setAutoWatermarkInterval(50);
        CloseableIterator<long[]> seen =
                env.fromSource(Connectors.events(config), Pipeline.watermarks(config), topic)
                        .process(new WatermarkProbe())
                        .collectAsync();
        JobClient job = env.executeAsync();
        ScheduledExecutorService traffic = Executors.newSingleThreadScheduledExecutor();
        long latest = Long.MIN_VALUE;
        try (KafkaProducer<byte[], byte[]> producer =
                        new KafkaProducer<>(
                                SERVICES.kafka().clientProperties(),
                                new ByteArraySerializer(),
                                new ByteArraySerializer());
                seen) {
            AtomicInteger tick = new AtomicInteger();
            traffic.scheduleAtFixedRate(
                    () -> {
                        int i = tick.getAndIncrement();
                        producer.send(
                                new ProducerRecord<>(
                                        topic, 1, null, "not an event".getBytes(UTF_8)));
                        TransactionEvent event = events.get(i);
                        event.eventTimeMs = i == 5 ? future : t0 + i * 1_000L;
                        producer.send(new ProducerRecord<>(topic, 0, null, EventJson.write(event)));
                    },
                    0,
                    100,
                    TimeUnit.MILLISECONDS);
            long newestValid = Long.MIN_VALUE;
            long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
            while (latest < t0 + 10_000 && System.nanoTime() < deadline) {
                long[] probe = seen.next(); // {event time, watermark when it arrived}
                assertThat(probe[0]).as("event time of a valid event").isNotEqualTo(future);
                assertThat(probe[1])
                        .as("watermark at the event of %s", Instant.ofEpochMilli(probe[0]))
                        .isLessThanOrEqualTo(
                                newestValid == Long.MIN_VALUE
                                        ? Long.MIN_VALUE
                                        : newestValid - outOfOrderness - 1);
                newestValid = Math.max(newestValid, probe[0]);
                latest = probe[1];
            }
        } finally {
            traffic.shutdownNow();
            job.cancel().get();
        }
        assertThat(latest).as("the watermark, a minute in").isGreaterThanOrEqualTo(t0 + 10_000);
    }

    /** For each valid event: its time and the watermark the operator had when it arrived. */
    private static final class WatermarkProbe extends ProcessFunction<DecodedRecord, long[]> {
        private static final long serialVersionUID = 1L;

        @Override
        public void processElement(DecodedRecord record, Context ctx, Collector<long[]> out) {
            if (record.event != null) {
                out.collect(
                        new long[] {
                            record.event.eventTimeMs, ctx.timerService().currentWatermark()
                        });
            }
        }
    }

    private record Scored(
            JobRun run,
            List<Prediction> predictions,
            List<ConsumerRecord<byte[], byte[]>> deadLetters,
            long restarts) {}

    private Scored score(List<TransactionEvent> events, String label) throws Exception {
        return score(events, label, null);
    }

    /** Runs the job on the events; its committed predictions, dead letters and restarts. */
    private Scored score(List<TransactionEvent> events, String label, ClusterClient<?> cluster)
            throws Exception {
        JobRun run = new JobRun(SERVICES, checkpoints.resolve(label), label);
        run.produce(events);
        JobClient job = run.start();
        int future = (int) events.stream().filter(e -> e.eventId.startsWith("future-")).count();
        try (KafkaBroker.CommittedReader predictions = SERVICES.kafka().reader(run.predictions);
                KafkaBroker.CommittedReader deadLetters =
                        SERVICES.kafka().reader(run.deadLetters)) {
            predictions.awaitAtLeast(events.size() - future, WAIT);
            deadLetters.awaitAtLeast(future, WAIT);
            List<Prediction> committed =
                    JobRun.predictions(predictions.readFor(Duration.ofSeconds(3)));
            List<ConsumerRecord<byte[], byte[]>> letters =
                    deadLetters.readFor(Duration.ofSeconds(1));
            long restarts = cluster == null ? 0 : restarts(cluster, job);
            return new Scored(run, committed, letters, restarts);
        } finally {
            job.cancel().get();
        }
    }

    private static long restarts(ClusterClient<?> cluster, JobClient job) throws Exception {
        try (FlinkCluster rest = new FlinkCluster(URI.create(cluster.getWebInterfaceURL()))) {
            return rest.restarts(job.getJobID().toHexString());
        }
    }
}
