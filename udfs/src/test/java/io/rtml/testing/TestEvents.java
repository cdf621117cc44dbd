package io.rtml.testing;

import io.rtml.event.Channel;
import io.rtml.event.TransactionEvent;
import java.time.Instant;

/** Builds valid {@link TransactionEvent}s for tests: set what matters, the rest has defaults. */
public final class TestEvents {
    /** A Thursday, 00:00 UTC: features that depend on the hour start from zero here. */
    public static final long MIDNIGHT_MS = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();

    private TestEvents() {}

    public static Builder event(String eventId) {
        return new Builder(eventId);
    }

    /**
     * A fluent builder; defaults: card {@code card-1} at merchant {@code m-1} (no category), 25.00
     * EUR at a POS in DE, no device.
     */
    public static final class Builder {
        private final TransactionEvent event = new TransactionEvent();
        private boolean ingestSet;

        private Builder(String eventId) {
            event.eventId = eventId;
            event.cardId = "card-1";
            event.merchantId = "m-1";
            event.amount = 25.0;
            event.currency = "EUR";
            event.country = "DE";
            event.channel = Channel.POS;
            event.eventTimeMs = MIDNIGHT_MS;
        }

        public Builder card(String cardId) {
            event.cardId = cardId;
            return this;
        }

        public Builder merchant(String merchantId) {
            event.merchantId = merchantId;
            return this;
        }

        public Builder at(long eventTimeMs) {
            event.eventTimeMs = eventTimeMs;
            return this;
        }

        public Builder at(String isoInstant) {
            return at(Instant.parse(isoInstant).toEpochMilli());
        }

        public Builder category(String merchantCategory) {
            event.merchantCategory = merchantCategory;
            return this;
        }

        public Builder amount(double amount) {
            event.amount = amount;
            return this;
        }

        public Builder channel(Channel channel) {
            event.channel = channel;
            return this;
        }

        public Builder country(String country) {
            event.country = country;
            return this;
        }

        public Builder device(String deviceId) {
            event.deviceId = deviceId;
            return this;
        }

        public Builder ingestedAt(long ingestTimeMs) {
            event.ingestTimeMs = ingestTimeMs;
            ingestSet = true;
            return this;
        }

        /** The event; unless set, it reached Kafka 7 ms after it happened. */
        public TransactionEvent build() {
            if (!ingestSet) {
                event.ingestTimeMs = event.eventTimeMs + 7;
            }
            TransactionEvent copy = new TransactionEvent();
            copy.eventId = event.eventId;
            copy.cardId = event.cardId;
            copy.merchantId = event.merchantId;
            copy.merchantCategory = event.merchantCategory;
            copy.amount = event.amount;
            copy.currency = event.currency;
            copy.country = event.country;
            copy.channel = event.channel;
            copy.eventTimeMs = event.eventTimeMs;
            copy.deviceId = event.deviceId;
            copy.ingestTimeMs = event.ingestTimeMs;
            return copy;
        }
    }
}
