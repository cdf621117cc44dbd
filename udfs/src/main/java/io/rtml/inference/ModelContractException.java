package io.rtml.inference;

/** A model artifact that cannot serve: unreadable, incomplete, or not matching the features. */
public class ModelContractException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ModelContractException(String message) {
        super(message);
    }

    public ModelContractException(String message, Throwable cause) {
        super(message, cause);
    }
}
