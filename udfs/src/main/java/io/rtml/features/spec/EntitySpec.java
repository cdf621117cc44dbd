package io.rtml.features.spec;

import java.io.Serializable;
import java.time.Duration;

/**
 * An entity the job keeps windowed state for, keyed by one event field.
 *
 * @param name how features refer to it, e.g. {@code card}
 * @param key the event field that identifies it
 * @param bucket the width of its time buckets; every window of the entity is a multiple of it
 * @param ordered whether its events arrive in order, in one Kafka partition (the topic is keyed by
 *     it): windows then include the events that arrived before, up to the event's own time
 * @param settle for an entity that is not ordered (its events come from many partitions): windows
 *     end this long before the event's time, at a bucket boundary, so that they only hold events
 *     that have all arrived; zero for an ordered entity
 */
public record EntitySpec(
        String name, EventField key, Duration bucket, boolean ordered, Duration settle)
        implements Serializable {

    public long bucketMs() {
        return bucket.toMillis();
    }

    public long settleMs() {
        return settle.toMillis();
    }
}
