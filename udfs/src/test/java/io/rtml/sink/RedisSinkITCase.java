package io.rtml.sink;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rtml.inference.Prediction;
import io.rtml.testing.ShippedSpec;
import io.rtml.testing.TestServices;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/** The whole Redis sink in a small Flink job (parallelism 2) against a real redis-server. */
class RedisSinkITCase {
    private static final int PARALLELISM = TestServices.SLOTS;
    private static final String PREFIX = "it:";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> COLUMNS = ShippedSpec.load().columns();

    @RegisterExtension
    static final TestServices SERVICES = TestServices.builder().redis().flink().build();

    @Test
    void leavesEachCardWithItsNewestPredictionWhateverTheOrderOfWrites() throws Exception {
        List<Prediction> predictions = new ArrayList<>();
        Map<String, Prediction> newest = new HashMap<>();
        for (int card = 0; card < 6; card++) {
            for (int i = 0; i < 40; i++) {
                Prediction prediction = prediction("card-" + card, i);
                predictions.add(prediction);
                newest.merge(
                        prediction.cardId,
                        prediction,
                        (a, b) -> a.eventTimeMs >= b.eventTimeMs ? a : b);
            }
        }
        Collections.shuffle(predictions, new Random(17));

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(PARALLELISM);
        env.fromData(predictions, TypeInformation.of(Prediction.class))
                .uid("predictions")
                .name("predictions")
                .sinkTo(
                        new RedisSink(
                                new RedisSettings(
                                        SERVICES.redis().uri(),
                                        PREFIX,
                                        Duration.ofHours(1),
                                        8,
                                        Duration.ofMillis(5),
                                        64)))
                .uid("redis")
                .name("redis");
        env.execute("redis-sink-test");

        try (Jedis jedis = SERVICES.redis().client()) {
            assertThat(jedis.keys(PREFIX + "*")).hasSize(newest.size());
            for (Prediction expected : newest.values()) {
                String key = RedisSink.key(PREFIX, expected.cardId);
                Map<String, String> hash = jedis.hgetAll(key);
                assertThat(hash)
                        .containsOnlyKeys("event_time_ms", "event_id", "prediction", "features");
                assertThat(hash.get("event_time_ms"))
                        .isEqualTo(Long.toString(expected.eventTimeMs));
                assertThat(hash.get("event_id")).isEqualTo(expected.eventId);
                Prediction stored =
                        PredictionJson.read(
                                hash.get("prediction").getBytes(StandardCharsets.UTF_8));
                float[] features = expected.features;
                expected.features = null;
                assertThat(stored).isEqualTo(expected);
                JsonNode storedFeatures = JSON.readTree(hash.get("features"));
                assertThat(storedFeatures.isArray()).isTrue();
                assertThat(storedFeatures).hasSize(features.length);
                for (int i = 0; i < features.length; i++) {
                    assertThat(storedFeatures.get(i).floatValue()).isEqualTo(features[i]);
                }
                assertThat(jedis.pttl(key)).isBetween(1L, Duration.ofHours(1).toMillis());
            }
        }
    }

    private static Prediction prediction(String cardId, int i) {
        Prediction prediction = new Prediction();
        prediction.eventId = cardId + "-e-" + i;
        prediction.cardId = cardId;
        prediction.eventTimeMs = 1_767_225_600_000L + i * 60_000L;
        prediction.ingestTimeMs = prediction.eventTimeMs + 5;
        prediction.scoredTimeMs = prediction.eventTimeMs + 20;
        prediction.score = i / 40f;
        prediction.decision = prediction.score >= 0.5 ? Prediction.FLAG : Prediction.PASS;
        prediction.modelName = "fraud";
        prediction.modelVersion = "2";
        prediction.featureSet = ShippedSpec.ID;
        prediction.features = new float[COLUMNS.size()];
        for (int f = 0; f < prediction.features.length; f++) {
            prediction.features[f] = i + f / 16f;
        }
        return prediction;
    }
}
