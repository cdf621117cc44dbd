package io.rtml.event;

/** The JSON field names of event contract v1, shared by the parser, the writers and the docs. */
public final class EventFields {
    public static final int SCHEMA_VERSION = 1;

    public static final String VERSION = "schema_version";
    public static final String EVENT_ID = "event_id";
    public static final String CARD_ID = "card_id";
    public static final String MERCHANT_ID = "merchant_id";
    public static final String MERCHANT_CATEGORY = "merchant_category";
    public static final String AMOUNT = "amount";
    public static final String CURRENCY = "currency";
    public static final String COUNTRY = "country";
    public static final String CHANNEL = "channel";
    public static final String EVENT_TIME = "event_time";
    public static final String DEVICE_ID = "device_id";

    private EventFields() {}
}
