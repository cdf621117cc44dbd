package io.rtml.features.spec;

import java.io.Serializable;

/**
 * What is applied to a numeric value before it becomes a feature.
 *
 * @param kind none, log1p (sign-preserving: {@code sign(x) * ln(1 + |x|)}) or clip
 * @param min with clip, the lower bound
 * @param max with clip, the upper bound
 */
public record Transform(Kind kind, double min, double max) implements Serializable {
    public enum Kind {
        NONE,
        LOG1P,
        CLIP
    }

    public static final Transform NONE = new Transform(Kind.NONE, 0, 0);
    public static final Transform LOG1P = new Transform(Kind.LOG1P, 0, 0);

    public static Transform clip(double min, double max) {
        return new Transform(Kind.CLIP, min, max);
    }

    public double apply(double value) {
        return switch (kind) {
            case NONE -> value;
            case LOG1P -> Math.copySign(Math.log1p(Math.abs(value)), value);
            case CLIP -> Math.max(min, Math.min(max, value));
        };
    }
}
