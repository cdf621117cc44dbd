package io.rtml.inference;

import java.io.Serializable;
import java.util.Objects;

/**
 * Which model scores the events: the champion's name and version, and optionally a challenger
 * version scored alongside (shadow). Kept in broadcast state by {@link ModelRouter}.
 */
public class ModelChoice implements Serializable {
    private static final long serialVersionUID = 1L;

    public String name;
    public String version;

    /** The challenger version, or {@code null} for none. */
    public String shadowVersion;

    public ModelChoice() {}

    public ModelChoice(String name, String version, String shadowVersion) {
        this.name = name;
        this.version = version;
        this.shadowVersion = shadowVersion;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ModelChoice that
                && Objects.equals(name, that.name)
                && Objects.equals(version, that.version)
                && Objects.equals(shadowVersion, that.shadowVersion);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, version, shadowVersion);
    }

    @Override
    public String toString() {
        return name
                + "/"
                + version
                + (shadowVersion == null ? "" : " (shadow " + shadowVersion + ")");
    }
}
