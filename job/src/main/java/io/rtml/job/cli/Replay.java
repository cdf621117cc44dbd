package io.rtml.job.cli;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * What resuming from a checkpoint would read a second time: per partition of the events topic, the
 * records between the checkpoint's offset and the offset the consumer group has committed (the job
 * commits it when a checkpoint completes, with that checkpoint's predictions). Their predictions
 * are committed already; a replay commits them again.
 *
 * @param records how many records (offsets) would be read again
 * @param behind the partitions behind, e.g. {@code "events-0: 1200 < 1575"}
 */
record Replay(long records, List<String> behind) {

    static Replay of(
            String topic,
            Map<TopicPartition, Long> checkpoint,
            Map<TopicPartition, Long> committed) {
        long records = 0;
        List<String> behind = new ArrayList<>();
        List<TopicPartition> partitions =
                checkpoint.keySet().stream()
                        .filter(partition -> partition.topic().equals(topic))
                        .sorted(Comparator.comparingInt(TopicPartition::partition))
                        .toList();
        for (TopicPartition partition : partitions) {
            long from = checkpoint.get(partition);
            Long done = committed.get(partition);
            if (done != null && done > from) {
                records += done - from;
                behind.add(partition + ": " + from + " < " + done);
            }
        }
        return new Replay(records, List.copyOf(behind));
    }
}
