package io.rtml.event;

import java.util.Objects;

/**
 * A card transaction, as producers send it (event contract v1, documented in docs/contracts.md).
 *
 * <p>A Flink POJO: public fields and a no-argument constructor keep serialization cheap.
 */
public class TransactionEvent {
    /** Producer-assigned unique id of the transaction. */
    public String eventId;

    /** The card: the entity the job keys its state by. */
    public String cardId;

    public String merchantId;

    /**
     * The merchant's ISO 18245 category code (MCC), four digits, or {@code null} when the producer
     * did not send one.
     */
    public String merchantCategory;

    /** Amount in the transaction's currency; finite and not negative. */
    public double amount;

    /** ISO 4217 code, three upper-case letters. */
    public String currency;

    /** ISO 3166-1 alpha-2 code of where the transaction took place, two upper-case letters. */
    public String country;

    public Channel channel;

    /** When the transaction happened, in epoch milliseconds (the event's own time). */
    public long eventTimeMs;

    /** The device used, or {@code null} when the producer did not send one. */
    public String deviceId;

    /** When the event reached Kafka (the record's timestamp), in epoch milliseconds. */
    public long ingestTimeMs;

    public TransactionEvent() {}

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof TransactionEvent)) {
            return false;
        }
        TransactionEvent that = (TransactionEvent) o;
        return Double.compare(amount, that.amount) == 0
                && eventTimeMs == that.eventTimeMs
                && ingestTimeMs == that.ingestTimeMs
                && Objects.equals(eventId, that.eventId)
                && Objects.equals(cardId, that.cardId)
                && Objects.equals(merchantId, that.merchantId)
                && Objects.equals(merchantCategory, that.merchantCategory)
                && Objects.equals(currency, that.currency)
                && Objects.equals(country, that.country)
                && channel == that.channel
                && Objects.equals(deviceId, that.deviceId);
    }

    @Override
    public int hashCode() {
        return Objects.hash(eventId, cardId, eventTimeMs);
    }

    @Override
    public String toString() {
        return "TransactionEvent{"
                + "eventId="
                + eventId
                + ", cardId="
                + cardId
                + ", merchantId="
                + merchantId
                + ", merchantCategory="
                + merchantCategory
                + ", amount="
                + amount
                + ", currency="
                + currency
                + ", country="
                + country
                + ", channel="
                + channel
                + ", eventTimeMs="
                + eventTimeMs
                + ", deviceId="
                + deviceId
                + '}';
    }
}
