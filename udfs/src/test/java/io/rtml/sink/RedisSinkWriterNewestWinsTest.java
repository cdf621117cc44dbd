package io.rtml.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtml.testing.RedisServer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/** The newest-wins Lua script, run as the writer runs it, against a real redis-server. */
class RedisSinkWriterNewestWinsTest {
    private static final String KEY = "test:card:card-1";
    private static final long NO_TTL = 0;

    private static RedisServer redis;
    private Jedis jedis;

    @BeforeAll
    static void startRedis() throws Exception {
        redis = RedisServer.start();
    }

    @AfterAll
    static void stopRedis() throws Exception {
        if (redis != null) {
            redis.close();
        }
    }

    @BeforeEach
    void connect() {
        jedis = redis.client();
        jedis.flushAll();
    }

    @AfterEach
    void disconnect() {
        jedis.close();
    }

    @Test
    void writesAllFieldsToAnEmptyKey() {
        assertThat(write(1_000, "e-1", NO_TTL)).isEqualTo(1L);

        assertThat(jedis.hgetAll(KEY))
                .containsExactlyInAnyOrderEntriesOf(
                        Map.of(
                                "event_time_ms",
                                "1000",
                                "event_id",
                                "e-1",
                                "prediction",
                                prediction("e-1"),
                                "features",
                                features("e-1")));
    }

    @Test
    void replacesWithANewerEventTime() {
        write(1_000, "e-9", NO_TTL);

        assertThat(write(1_001, "e-1", NO_TTL)).isEqualTo(1L);

        assertThat(stored()).isEqualTo(Map.of("event_time_ms", "1001", "event_id", "e-1"));
        assertThat(jedis.hget(KEY, "prediction")).isEqualTo(prediction("e-1"));
        assertThat(jedis.hget(KEY, "features")).isEqualTo(features("e-1"));
    }

    @Test
    void refusesAnOlderEventTimeAndLeavesTheHashAsItWas() {
        write(1_000, "e-1", NO_TTL);
        Map<String, String> before = jedis.hgetAll(KEY);

        assertThat(write(999, "e-9", NO_TTL)).isEqualTo(0L);

        assertThat(jedis.hgetAll(KEY)).isEqualTo(before);
    }

    @Test
    void replacesAtTheSameTimeWithAGreaterEventId() {
        write(1_000, "e-1", NO_TTL);

        assertThat(write(1_000, "e-2", NO_TTL)).isEqualTo(1L);

        assertThat(stored()).isEqualTo(Map.of("event_time_ms", "1000", "event_id", "e-2"));
        assertThat(jedis.hget(KEY, "prediction")).isEqualTo(prediction("e-2"));
    }

    @Test
    void refusesAtTheSameTimeASmallerEventId() {
        write(1_000, "e-2", NO_TTL);
        Map<String, String> before = jedis.hgetAll(KEY);

        assertThat(write(1_000, "e-1", NO_TTL)).isEqualTo(0L);

        assertThat(jedis.hgetAll(KEY)).isEqualTo(before);
    }

    @Test
    void comparesEventIdsAsStringsNotNumbers() {
        write(1_000, "e-9", NO_TTL);

        assertThat(write(1_000, "e-10", NO_TTL)).isEqualTo(0L); // "e-10" < "e-9"
    }

    @Test
    void comparesEventTimesAsNumbersNotStrings() {
        write(999, "e-1", NO_TTL);

        assertThat(write(1_000, "e-1", NO_TTL)).isEqualTo(1L); // "1000" < "999" as strings
        assertThat(write(1_767_225_600_000L, "e-1", NO_TTL)).isEqualTo(1L);
        assertThat(write(1_767_225_599_999L, "e-1", NO_TTL)).isEqualTo(0L);
    }

    @Test
    void rewritesTheSameEventIdempotently() {
        write(1_000, "e-1", NO_TTL);
        Map<String, String> before = jedis.hgetAll(KEY);

        assertThat(write(1_000, "e-1", NO_TTL)).isEqualTo(1L);

        assertThat(jedis.hgetAll(KEY)).isEqualTo(before);
    }

    @Test
    void keepsTheNewestWhateverOrderWritesArriveIn() {
        long[] times = {5, 1, 9, 3, 9, 7, 2, 8, 6, 4};
        String[] ids = {"e-5", "e-1", "e-9a", "e-3", "e-9b", "e-7", "e-2", "e-8", "e-6", "e-4"};

        for (int i = 0; i < times.length; i++) {
            write(times[i], ids[i], NO_TTL);
        }

        assertThat(stored()).isEqualTo(Map.of("event_time_ms", "9", "event_id", "e-9b"));
    }

    @Test
    void setsTheTtlWhenPositive() {
        write(1_000, "e-1", 600_000);

        assertThat(jedis.pttl(KEY)).isBetween(1L, 600_000L);
    }

    @Test
    void setsNoTtlWhenZero() {
        write(1_000, "e-1", NO_TTL);

        assertThat(jedis.pttl(KEY)).isEqualTo(-1L);
    }

    @Test
    void leavesTheTtlOfTheNewerEntryWhenRefusingAStaleWrite() {
        write(1_000, "e-1", NO_TTL);

        write(999, "e-0", 600_000);

        assertThat(jedis.pttl(KEY)).isEqualTo(-1L);
    }

    private long write(long eventTimeMs, String eventId, long ttlMs) {
        Object result =
                jedis.eval(
                        RedisSinkWriter.NEWEST_WINS,
                        List.of(KEY),
                        List.of(
                                Long.toString(eventTimeMs),
                                eventId,
                                prediction(eventId),
                                features(eventId),
                                Long.toString(ttlMs)));
        return (Long) result;
    }

    private Map<String, String> stored() {
        List<String> values = jedis.hmget(KEY, "event_time_ms", "event_id");
        return Map.of("event_time_ms", values.get(0), "event_id", values.get(1));
    }

    private static String prediction(String eventId) {
        return "{\"event_id\":\"" + eventId + "\"}";
    }

    private static String features(String eventId) {
        return "[" + eventId.length() + ".0,0.0]";
    }
}
