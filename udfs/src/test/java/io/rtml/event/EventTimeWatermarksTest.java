package io.rtml.event;

import static io.rtml.testing.TestEvents.event;
import static org.assertj.core.api.Assertions.assertThat;

import io.rtml.dlq.DeadLetter;
import io.rtml.testing.TestEvents;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.eventtime.TimestampAssigner;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkGeneratorSupplier;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkOutputMultiplexer;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.util.clock.ManualClock;
import org.apache.flink.util.clock.RelativeClock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The source's watermarks, two partitions combined as the Kafka source combines its splits: one
 * carries valid events, the other only dead letters, which must neither move the watermark nor keep
 * their partition from going idle.
 */
class EventTimeWatermarksTest {
    private static final Duration OUT_OF_ORDERNESS = Duration.ofSeconds(5);
    private static final Duration IDLENESS = Duration.ofSeconds(30);
    private static final long T0 = TestEvents.MIDNIGHT_MS;

    private final EventTimeWatermarks strategy =
            new EventTimeWatermarks(OUT_OF_ORDERNESS, IDLENESS);
    private final ManualClock clock = new ManualClock();
    private final List<Long> combined = new ArrayList<>();
    private WatermarkOutputMultiplexer multiplexer;
    private Partition events;
    private Partition deadLetters;

    @BeforeEach
    void twoPartitions() {
        multiplexer =
                new WatermarkOutputMultiplexer(
                        new WatermarkOutput() {
                            @Override
                            public void emitWatermark(Watermark watermark) {
                                combined.add(watermark.getTimestamp());
                            }

                            @Override
                            public void markIdle() {}

                            @Override
                            public void markActive() {}
                        });
        events = new Partition("0");
        deadLetters = new Partition("1");
    }

    @Test
    void aPartitionOfDeadLettersGoesIdleAndStopsHoldingTheWatermarkBack() {
        events.read(valid(T0));
        for (int second = 0; second <= 31; second++) {
            deadLetters.read(deadLetter());
            emitAfter(Duration.ofSeconds(1));
        }

        assertThat(combined).containsExactly(T0 - OUT_OF_ORDERNESS.toMillis() - 1);
    }

    @Test
    void aSilentPartitionOfValidEventsStillGoesIdle() {
        events.read(valid(T0));
        deadLetters.read(valid(T0 - 10_000));
        emitAfter(Duration.ofMillis(50));
        for (int second = 0; second <= 31; second++) {
            events.read(valid(T0 + 1_000));
            emitAfter(Duration.ofSeconds(1));
        }

        assertThat(combined)
                .containsExactly(
                        T0 - 10_000 - OUT_OF_ORDERNESS.toMillis() - 1,
                        T0 + 1_000 - OUT_OF_ORDERNESS.toMillis() - 1);
    }

    @Test
    void stampsValidEventsWithTheirTimeAndDeadLettersWithTheSmallest() {
        TimestampAssigner<DecodedRecord> assigner = strategy.createTimestampAssigner(null);

        assertThat(assigner.extractTimestamp(valid(T0), 42L)).isEqualTo(T0);
        assertThat(assigner.extractTimestamp(deadLetter(), 42L)).isEqualTo(Long.MIN_VALUE);
    }

    /** Lets time pass, then emits each partition's periodic watermark, as the source does. */
    private void emitAfter(Duration pause) {
        clock.advanceTime(pause.toMillis(), TimeUnit.MILLISECONDS);
        events.emit();
        deadLetters.emit();
        multiplexer.onPeriodicEmit();
    }

    private static DecodedRecord valid(long eventTimeMs) {
        return DecodedRecord.valid(event("e-" + eventTimeMs).at(eventTimeMs).build());
    }

    private static DecodedRecord deadLetter() {
        return DecodedRecord.invalid(
                DeadLetter.of("parse", null, "not a JSON object", "events", 1, 0, 0, null, null));
    }

    /** One split: its own generator, feeding the multiplexer as the Kafka source's reader does. */
    private final class Partition {
        private final String id;
        private final WatermarkGenerator<DecodedRecord> generator;

        Partition(String id) {
            this.id = id;
            multiplexer.registerNewOutput(
                    id, new WatermarkOutputMultiplexer.NoOpWatermarkUpdateListener());
            generator =
                    strategy.createWatermarkGenerator(
                            new WatermarkGeneratorSupplier.Context() {
                                @Override
                                public MetricGroup getMetricGroup() {
                                    return new UnregisteredMetricsGroup();
                                }

                                @Override
                                public RelativeClock getInputActivityClock() {
                                    return clock;
                                }
                            });
        }

        void read(DecodedRecord record) {
            generator.onEvent(record, record.timestampMs(), multiplexer.getImmediateOutput(id));
        }

        void emit() {
            generator.onPeriodicEmit(multiplexer.getDeferredOutput(id));
        }
    }
}
