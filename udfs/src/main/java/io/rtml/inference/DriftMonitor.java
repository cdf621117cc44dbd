package io.rtml.inference;

import java.util.Arrays;

/**
 * Feature drift: the population stability index of each input, over tumbling windows of {@code
 * windowRows} scored rows, against the training distribution of the model that scored them. {@code
 * PSI = sum over bins of (actual - expected) * ln(actual / expected)}, with shares floored at
 * {@link #FLOOR} so that an empty bin counts as rare, not as infinitely far. Below 0.1 is usually
 * read as stable, above 0.25 as a shift worth a look.
 *
 * <p>{@link #observe} is called from one thread; {@link #psi} from any (the metrics reporter).
 */
public final class DriftMonitor {
    static final double FLOOR = 1e-4;

    private final int windowRows;
    private final int features;
    private DriftReference reference;
    private long[][] counts;
    private int rows;
    private volatile double[] latest;

    public DriftMonitor(int features, int windowRows) {
        this.features = features;
        this.windowRows = windowRows;
        double[] none = new double[features];
        Arrays.fill(none, Double.NaN);
        this.latest = none;
    }

    /**
     * Counts a row scored by a model with {@code against} as its reference (null: no reference, the
     * row is not counted). A model with another reference starts a new window.
     */
    public void observe(DriftReference against, float[] row) {
        if (row.length == features) {
            observe(against, row, 0);
        }
    }

    /**
     * {@link #observe(DriftReference, float[])} for the row at {@code offset} of {@code values}.
     */
    public void observe(DriftReference against, float[] values, int offset) {
        if (against == null
                || against.features() != features
                || offset < 0
                || values.length < offset + features) {
            return;
        }
        if (against != reference) {
            reference = against;
            counts = new long[features][];
            for (int f = 0; f < features; f++) {
                counts[f] = new long[against.bins(f)];
            }
            rows = 0;
        }
        for (int f = 0; f < features; f++) {
            counts[f][reference.bin(f, values[offset + f])]++;
        }
        if (++rows == windowRows) {
            double[] psi = new double[features];
            for (int f = 0; f < features; f++) {
                psi[f] = psi(reference, f, counts[f], rows);
                Arrays.fill(counts[f], 0);
            }
            latest = psi;
            rows = 0;
        }
    }

    /** The PSI of {@code feature} over the last complete window; NaN before the first. */
    public double psi(int feature) {
        return latest[feature];
    }

    static double psi(DriftReference reference, int feature, long[] counts, long rows) {
        double sum = 0;
        for (int bin = 0; bin < counts.length; bin++) {
            double actual = Math.max((double) counts[bin] / rows, FLOOR);
            double expected = Math.max(reference.proportion(feature, bin), FLOOR);
            sum += (actual - expected) * Math.log(actual / expected);
        }
        return sum;
    }
}
