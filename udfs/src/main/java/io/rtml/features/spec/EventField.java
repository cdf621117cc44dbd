package io.rtml.features.spec;

import io.rtml.event.TransactionEvent;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/** The event fields a feature spec can name: numeric ones, and categorical ones (text values). */
public enum EventField {
    AMOUNT("amount", e -> e.amount, null),
    CARD_ID("card_id", null, e -> e.cardId),
    MERCHANT_ID("merchant_id", null, e -> e.merchantId),
    MERCHANT_CATEGORY("merchant_category", null, e -> e.merchantCategory),
    CURRENCY("currency", null, e -> e.currency),
    COUNTRY("country", null, e -> e.country),
    CHANNEL("channel", null, e -> e.channel.wireName()),
    DEVICE_ID("device_id", null, e -> e.deviceId);

    private final String wireName;
    private final ToDoubleFunction<TransactionEvent> number;
    private final Function<TransactionEvent, String> text;

    EventField(
            String wireName,
            ToDoubleFunction<TransactionEvent> number,
            Function<TransactionEvent, String> text) {
        this.wireName = wireName;
        this.number = number;
        this.text = text;
    }

    /** The field's name in the event contract. */
    public String wireName() {
        return wireName;
    }

    public boolean isNumeric() {
        return number != null;
    }

    public double number(TransactionEvent event) {
        return number.applyAsDouble(event);
    }

    /** The categorical value, or {@code null} when the (optional) field is absent. */
    public String text(TransactionEvent event) {
        return text.apply(event);
    }

    /** The field with this contract name, or {@code null}. */
    public static EventField byName(String name) {
        for (EventField field : values()) {
            if (field.wireName.equals(name)) {
                return field;
            }
        }
        return null;
    }

    public static List<String> names() {
        return Arrays.stream(values()).map(f -> f.wireName).toList();
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
