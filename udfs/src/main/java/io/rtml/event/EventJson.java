package io.rtml.event;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;

/** Writes events in contract v1, as a producer should: what the generator and tests send. */
public final class EventJson {
    private static final JsonFactory JSON = new JsonFactory();

    private EventJson() {}

    public static byte[] write(TransactionEvent event) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            json.writeNumberField(EventFields.VERSION, EventFields.SCHEMA_VERSION);
            json.writeStringField(EventFields.EVENT_ID, event.eventId);
            json.writeStringField(EventFields.CARD_ID, event.cardId);
            json.writeStringField(EventFields.MERCHANT_ID, event.merchantId);
            if (event.merchantCategory != null) {
                json.writeStringField(EventFields.MERCHANT_CATEGORY, event.merchantCategory);
            }
            json.writeNumberField(EventFields.AMOUNT, event.amount);
            json.writeStringField(EventFields.CURRENCY, event.currency);
            json.writeStringField(EventFields.COUNTRY, event.country);
            json.writeStringField(EventFields.CHANNEL, event.channel.wireName());
            json.writeStringField(
                    EventFields.EVENT_TIME, Instant.ofEpochMilli(event.eventTimeMs).toString());
            if (event.deviceId != null) {
                json.writeStringField(EventFields.DEVICE_ID, event.deviceId);
            }
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
