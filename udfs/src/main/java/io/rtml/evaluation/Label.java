package io.rtml.evaluation;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The ground truth of an event, arriving later as chargebacks do: a record of the labels topic,
 * {@code {"event_id": "...", "label": 1}} (docs/models.md, "Labels and online evaluation").
 */
public class Label {
    public static final String EVENT_ID = "event_id";
    public static final String LABEL = "label";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonFactory STREAMING = new JsonFactory();

    public String eventId;

    /** 1 for fraud, 0 for legitimate. */
    public int label;

    public Label() {}

    public Label(String eventId, int label) {
        this.eventId = eventId;
        this.label = label;
    }

    public static byte[] write(String eventId, boolean fraud, String pattern) {
        return JSON.createObjectNode()
                .put(EVENT_ID, eventId)
                .put(LABEL, fraud ? 1 : 0)
                .put("pattern", pattern)
                .toString()
                .getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The label in a record, or {@code null} when the record is not one (it is skipped): read with
     * a streaming parser, as the live evaluation reads every label.
     */
    public static Label parse(byte[] value) {
        String eventId = null;
        int label = -1;
        boolean labelSeen = false;
        try (JsonParser json = STREAMING.createParser(value)) {
            if (json.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (json.nextToken() == JsonToken.FIELD_NAME) {
                String field = json.currentName();
                JsonToken token = json.nextToken();
                if (EVENT_ID.equals(field)) {
                    eventId = token == JsonToken.VALUE_STRING ? json.getText() : null;
                } else if (LABEL.equals(field)) {
                    labelSeen = token == JsonToken.VALUE_NUMBER_INT;
                    label = labelSeen ? json.getIntValue() : -1;
                } else {
                    json.skipChildren();
                }
            }
        } catch (IOException e) {
            return null;
        }
        return eventId == null || !labelSeen || (label != 0 && label != 1)
                ? null
                : new Label(eventId, label);
    }
}
