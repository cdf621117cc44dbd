package io.rtml.event;

import io.rtml.dlq.DeadLetter;
import io.rtml.metrics.MetricNames;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The parse stage: valid events go on, dead letters go to the {@link #DEAD_LETTERS} side output,
 * counted by the field that made them invalid.
 */
public class RouteDecodedRecords extends ProcessFunction<DecodedRecord, TransactionEvent> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("dead-letters", TypeInformation.of(DeadLetter.class));

    private transient Counter valid;
    private transient MetricGroup deadLetterGroup;
    private transient Map<String, Counter> deadLettersByField;

    @Override
    public void open(OpenContext openContext) {
        MetricGroup group = getRuntimeContext().getMetricGroup().addGroup(MetricNames.GROUP);
        valid = group.counter(MetricNames.EVENTS_VALID);
        deadLetterGroup = group;
        deadLettersByField = new HashMap<>();
    }

    @Override
    public void processElement(DecodedRecord record, Context ctx, Collector<TransactionEvent> out) {
        if (record.event != null) {
            valid.inc();
            out.collect(record.event);
        } else {
            String field = record.deadLetter.field == null ? "record" : record.deadLetter.field;
            deadLettersByField
                    .computeIfAbsent(
                            field,
                            f ->
                                    deadLetterGroup
                                            .addGroup(MetricNames.FIELD_LABEL, f)
                                            .counter(MetricNames.DEAD_LETTERS))
                    .inc();
            ctx.output(DEAD_LETTERS, record.deadLetter);
        }
    }
}
