package io.rtml.job.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtml.testing.KafkaBroker;
import io.rtml.testing.RedisServer;
import io.rtml.testing.TestServices;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/**
 * The benchmark's exactly-once pass-through against a real broker and redis-server: every event
 * once in the committed output with its timestamp, the offsets committed in the transactions, and
 * each card's entry in Redis.
 */
class PassthroughITCase {
    @RegisterExtension
    static final TestServices SERVICES = TestServices.builder().kafka().redis().build();

    @Test
    void copiesEveryEventOnceCommittingItsOffsetsAndWritesRedis() throws Exception {
        KafkaBroker kafka = SERVICES.kafka();
        RedisServer redis = SERVICES.redis();
        kafka.createTopics(4, "events", "copy");
        List<Map.Entry<byte[], byte[]>> events = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            events.add(
                    Map.entry(
                            ("c-" + (i % 50)).getBytes(StandardCharsets.UTF_8),
                            ("{\"event_id\":\"e-" + i + "\"}").getBytes(StandardCharsets.UTF_8)));
        }
        kafka.produce("events", events);

        List<ConsumerRecord<byte[], byte[]>> copied;
        try (Passthrough passthrough =
                        new Passthrough(
                                new Passthrough.Settings(
                                        kafka.clientProperties(),
                                        "events",
                                        "copy",
                                        "passthrough-test",
                                        "passthrough-test",
                                        2,
                                        Duration.ofMillis(100),
                                        3,
                                        redis.uri(),
                                        "rtml:"));
                KafkaBroker.CommittedReader reader = kafka.reader("copy")) {
            passthrough.start();
            copied = reader.awaitAtLeast(3_000, Duration.ofSeconds(60));
            copied = reader.readFor(Duration.ofSeconds(1));
            assertThat(passthrough.failure()).isNull();
        }

        assertThat(copied).hasSize(3_000);
        Map<String, Long> copies =
                copied.stream()
                        .collect(
                                Collectors.groupingBy(
                                        r -> new String(r.value(), StandardCharsets.UTF_8),
                                        Collectors.counting()));
        assertThat(copies).hasSize(1_000).allSatisfy((event, n) -> assertThat(n).isEqualTo(3));
        assertThat(copied).allMatch(record -> record.timestamp() > 0);
        try (Admin admin = Admin.create(kafka.clientProperties())) {
            Map<TopicPartition, OffsetAndMetadata> offsets =
                    admin.listConsumerGroupOffsets("passthrough-test")
                            .partitionsToOffsetAndMetadata()
                            .get();
            assertThat(offsets.values().stream().mapToLong(OffsetAndMetadata::offset).sum())
                    .isEqualTo(1_000);
        }
        try (Jedis jedis = redis.client()) {
            Set<String> keys = jedis.keys("rtml:card:*");
            assertThat(keys).hasSize(50);
            assertThat(jedis.hget("rtml:card:c-7", "prediction"))
                    .matches("\\{\"event_id\":\"events-\\d-\\d+\",\"ingest_time_ms\":\\d+}");
        }
    }
}
