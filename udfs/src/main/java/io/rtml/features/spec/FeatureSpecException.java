package io.rtml.features.spec;

import java.util.List;

/** A feature spec that cannot be used; the message names each problem and where it is. */
public class FeatureSpecException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public FeatureSpecException(String source, List<String> problems) {
        super(
                problems.size() == 1
                        ? "feature spec " + source + ": " + problems.get(0)
                        : "feature spec " + source + ":\n  - " + String.join("\n  - ", problems));
    }
}
