package io.rtml.job.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rtml.inference.Prediction;
import io.rtml.sink.PredictionJson;
import io.rtml.testing.RedisServer;
import io.rtml.testing.TestServices;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/**
 * {@code rtml watch --redis-uri} against a real redis-server: the writes of the cards it follows
 * are sampled once each, at least as late as their ingest, and Redis's notification setting is put
 * back when it stops.
 */
class RedisWriteLatencyITCase {
    private static final String PREFIX = "rtml:";

    @RegisterExtension static final TestServices SERVICES = TestServices.builder().redis().build();

    @Test
    void samplesEachWriteOfTheFollowedCardsOnceAndRestoresTheNotificationSetting()
            throws Exception {
        try (Jedis jedis = SERVICES.redis().client()) {
            jedis.configSet("notify-keyspace-events", "Ex");
            Map<String, String> before = jedis.configGet("notify-keyspace-events");
            long ingest = System.currentTimeMillis() - 1_000;
            SlidingWindow window = new SlidingWindow(Duration.ofHours(1), 0);
            try (RedisWriteLatency latency =
                    new RedisWriteLatency(SERVICES.redis().uri(), PREFIX)) {
                // Kh, as Redis writes it back.
                assertThat(jedis.configGet("notify-keyspace-events"))
                        .containsEntry("notify-keyspace-events", "hK");
                // Followed: ids ending in 0; one written twice with the same prediction, as a
                // retried write is. Not followed: the others.
                write(jedis, "c-10", "e-1", ingest);
                write(jedis, "c-10", "e-1", ingest);
                write(jedis, "c-20", "e-2", ingest);
                write(jedis, "c-11", "e-3", ingest);
                drain(latency, window, 2);
                // e-1 once, whether its two notices came in one batch or two; and e-2.
                assertThat(window.count(0)).isEqualTo(2);
                write(jedis, "c-10", "e-4", ingest);
                drain(latency, window, 3);
            }
            assertThat(window.count(0)).isEqualTo(3);
            // Written after the ingest time the predictions carry: each at least 1 s later.
            assertThat(window.percentile(0, 0.0).getAsLong()).isGreaterThanOrEqualTo(1_000);
            assertThat(jedis.configGet("notify-keyspace-events")).isEqualTo(before);
        }
    }

    @Test
    void refusesAUriThatIsNotOneOrARedisThatIsNotThereNamingTheOption() {
        assertThatThrownBy(() -> new RedisWriteLatency("redis://127.0.0.1:6380/x", PREFIX))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--redis-uri: the path must be a database number, got /x");
        assertThatThrownBy(() -> new RedisWriteLatency("redis://[bad", PREFIX))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("--redis-uri is not a URI: ");
        assertThatThrownBy(
                        () ->
                                new RedisWriteLatency(
                                        "redis://127.0.0.1:" + RedisServer.freePort(), PREFIX))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("--redis-uri: cannot reach Redis at redis://127.0.0.1:");
    }

    /** Drains until the window holds {@code count}, then once more after a pause. */
    private static void drain(RedisWriteLatency latency, SlidingWindow window, long count)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (window.count(0) < count && System.nanoTime() < deadline) {
            Thread.sleep(50);
            latency.drainTo(window);
        }
        Thread.sleep(300);
        latency.drainTo(window);
    }

    private static void write(Jedis jedis, String card, String eventId, long ingest) {
        Prediction prediction = new Prediction();
        prediction.eventId = eventId;
        prediction.cardId = card;
        prediction.eventTimeMs = ingest;
        prediction.ingestTimeMs = ingest;
        prediction.scoredTimeMs = ingest;
        prediction.score = 0.5f;
        prediction.decision = Prediction.PASS;
        prediction.modelName = "fraud";
        prediction.modelVersion = "4";
        prediction.featureSet = "fraud-v3";
        jedis.hset(
                (PREFIX + "card:" + card).getBytes(StandardCharsets.UTF_8),
                "prediction".getBytes(StandardCharsets.UTF_8),
                PredictionJson.write(prediction));
    }
}
