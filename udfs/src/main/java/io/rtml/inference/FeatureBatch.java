package io.rtml.inference;

/** Rows of feature values, row-major in one array: the model's input for one predict call. */
public record FeatureBatch(float[] values, int rows, int columns) {
    public FeatureBatch {
        if (values.length != rows * columns) {
            throw new IllegalArgumentException(
                    values.length + " values do not make " + rows + " rows of " + columns);
        }
    }
}
