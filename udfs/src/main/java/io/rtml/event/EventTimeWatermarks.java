package io.rtml.event;

import java.time.Duration;
import org.apache.flink.api.common.eventtime.TimestampAssigner;
import org.apache.flink.api.common.eventtime.TimestampAssignerSupplier;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkGeneratorSupplier;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;

/**
 * Per-partition watermarks from the valid events' own times, with bounded out-of-orderness and
 * idleness. Dead letters are invisible to them: they neither move the watermark nor count as
 * activity, so a partition that carries only dead letters goes idle after {@code idleness} and
 * stops holding the other partitions' watermark back (counting them as activity would keep it at
 * its start, {@link Long#MIN_VALUE}, for as long as they kept coming).
 */
public final class EventTimeWatermarks implements WatermarkStrategy<DecodedRecord> {
    private static final long serialVersionUID = 1L;

    private final Duration outOfOrderness;
    private final Duration idleness;

    public EventTimeWatermarks(Duration outOfOrderness, Duration idleness) {
        this.outOfOrderness = outOfOrderness;
        this.idleness = idleness;
    }

    @Override
    public TimestampAssigner<DecodedRecord> createTimestampAssigner(
            TimestampAssignerSupplier.Context context) {
        return (record, kafkaTimestamp) -> record.timestampMs();
    }

    @Override
    public WatermarkGenerator<DecodedRecord> createWatermarkGenerator(
            WatermarkGeneratorSupplier.Context context) {
        WatermarkGenerator<DecodedRecord> events =
                WatermarkStrategy.<DecodedRecord>forBoundedOutOfOrderness(outOfOrderness)
                        .withIdleness(idleness)
                        .createWatermarkGenerator(context);
        return new WatermarkGenerator<>() {
            @Override
            public void onEvent(DecodedRecord record, long timestamp, WatermarkOutput output) {
                if (record.event != null) {
                    events.onEvent(record, timestamp, output);
                }
            }

            @Override
            public void onPeriodicEmit(WatermarkOutput output) {
                events.onPeriodicEmit(output);
            }
        };
    }
}
