package io.rtml.event;

/** Thrown by {@link EventParser} when a record is not a valid event; says which field and why. */
public class InvalidEventException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String field;

    public InvalidEventException(String field, String problem) {
        super(field == null ? problem : field + ": " + problem, null, false, false);
        this.field = field;
    }

    /** The offending field's name, or {@code null} when the record as a whole is unusable. */
    public String field() {
        return field;
    }
}
