package io.rtml.sink;

import java.io.Serializable;

/**
 * One newest-wins write of a card's latest prediction and online features to Redis.
 *
 * @param key the card's hash key
 * @param eventTimeMs the prediction's event time: an older write never replaces a newer one
 * @param eventId breaks ties between events with the same time
 * @param prediction the prediction record, as on the predictions topic (UTF-8 JSON)
 * @param features the feature values as a JSON array, in the feature set's order (UTF-8)
 * @param ingestTimeMs when the event reached Kafka, for the latency metrics
 */
public record RedisWrite(
        String key,
        long eventTimeMs,
        String eventId,
        byte[] prediction,
        byte[] features,
        long ingestTimeMs)
        implements Serializable {

    long sizeInBytes() {
        return key.length() + eventId.length() + prediction.length + features.length + 24;
    }

    /**
     * Whether this write replaces {@code other} of the same key: newer, or as new with a larger id.
     */
    boolean isNewerThan(RedisWrite other) {
        return eventTimeMs > other.eventTimeMs
                || (eventTimeMs == other.eventTimeMs && eventId.compareTo(other.eventId) >= 0);
    }
}
