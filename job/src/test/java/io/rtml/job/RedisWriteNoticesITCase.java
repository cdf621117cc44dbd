package io.rtml.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rtml.inference.Prediction;
import io.rtml.sink.PredictionJson;
import io.rtml.testing.RedisServer;
import io.rtml.testing.TestServices;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/**
 * What {@code rtml watch --redis-uri} and {@code rtml bench-rate --redis-uri} follow, against a
 * real redis-server: the writes of the cards followed are read back once each, at least as late as
 * their ingest, and Redis's notification setting is put back when it stops.
 */
class RedisWriteNoticesITCase {
    private static final String PREFIX = "rtml:";

    @RegisterExtension static final TestServices SERVICES = TestServices.builder().redis().build();

    @Test
    void samplesEachWriteOfTheFollowedCardsOnceAndRestoresTheNotificationSetting()
            throws Exception {
        try (Jedis jedis = SERVICES.redis().client()) {
            jedis.configSet("notify-keyspace-events", "Ex");
            Map<String, String> before = jedis.configGet("notify-keyspace-events");
            long ingest = System.currentTimeMillis() - 1_000;
            List<RedisWriteNotices.Write> writes = new ArrayList<>();
            try (RedisWriteNotices notices =
                    new RedisWriteNotices(SERVICES.redis().uri(), PREFIX, 1)) {
                // Kh, as Redis writes it back.
                assertThat(jedis.configGet("notify-keyspace-events"))
                        .containsEntry("notify-keyspace-events", "hK");
                // Followed: ids ending in 0; one written twice with the same prediction, as a
                // retried write is. Not followed: the others.
                write(jedis, "c-10", "e-1", ingest);
                write(jedis, "c-10", "e-1", ingest);
                write(jedis, "c-20", "e-2", ingest);
                write(jedis, "c-11", "e-3", ingest);
                drain(notices, writes, 2);
                // e-1 once, whether its two notices came in one batch or two; and e-2.
                assertThat(writes)
                        .extracting(RedisWriteNotices.Write::eventId)
                        .containsExactly("e-1", "e-2");
                write(jedis, "c-10", "e-4", ingest);
                drain(notices, writes, 3);
                assertThat(notices.notified()).isEqualTo(4);
                assertThat(notices.skipped()).isEqualTo(1);
            }
            assertThat(writes)
                    .extracting(RedisWriteNotices.Write::eventId)
                    .containsExactly("e-1", "e-2", "e-4");
            // Written after the ingest time the predictions carry: each at least 1 s later.
            assertThat(writes)
                    .allSatisfy(
                            w -> {
                                assertThat(w.ingestTimeMs()).isEqualTo(ingest);
                                assertThat(w.latencyMs()).isGreaterThanOrEqualTo(1_000);
                            });
            assertThat(jedis.configGet("notify-keyspace-events")).isEqualTo(before);
        }
    }

    @Test
    void refusesAUriThatIsNotOneOrARedisThatIsNotThereNamingTheOption() {
        assertThatThrownBy(() -> new RedisWriteNotices("redis://127.0.0.1:6380/x", PREFIX, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--redis-uri: the path must be a database number, got /x");
        assertThatThrownBy(() -> new RedisWriteNotices("redis://[bad", PREFIX, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("--redis-uri is not a URI: ");
        assertThatThrownBy(
                        () ->
                                new RedisWriteNotices(
                                        "redis://127.0.0.1:" + RedisServer.freePort(), PREFIX, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("--redis-uri: cannot reach Redis at redis://127.0.0.1:");
    }

    /** Drains until {@code count} writes are read back, then once more after a pause. */
    private static void drain(
            RedisWriteNotices notices, List<RedisWriteNotices.Write> writes, int count)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (writes.size() < count && System.nanoTime() < deadline) {
            writes.addAll(notices.drain(50));
        }
        Thread.sleep(300);
        writes.addAll(notices.drain(0));
    }

    @Test
    void followsTheTenthsOfTheCardsItIsAskedFor() throws Exception {
        try (RedisWriteNotices all = new RedisWriteNotices(SERVICES.redis().uri(), PREFIX, 10);
                RedisWriteNotices three =
                        new RedisWriteNotices(SERVICES.redis().uri(), PREFIX, 3)) {
            assertThat(all.pattern()).isEqualTo("__keyspace@0__:" + PREFIX + "card:*");
            assertThat(three.pattern()).isEqualTo("__keyspace@0__:" + PREFIX + "card:*[0-2]");
        }
        assertThatThrownBy(() -> new RedisWriteNotices(SERVICES.redis().uri(), PREFIX, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the sample must be 1 to 10 tenths, got 0");
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
