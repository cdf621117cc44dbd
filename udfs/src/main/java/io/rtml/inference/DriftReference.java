package io.rtml.inference;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * Each input's distribution in the model's training data, as {@code scripts/train.py} records it in
 * {@code metadata.json} under {@code drift_reference}: per feature, ascending bin edges and the
 * share of training rows in each of the edges + 1 bins. A value falls in bin {@code i} when exactly
 * {@code i} edges are below it.
 */
public final class DriftReference {
    private final double[][] edges;
    private final double[][] proportions;

    private DriftReference(double[][] edges, double[][] proportions) {
        this.edges = edges;
        this.proportions = proportions;
    }

    /**
     * The reference for {@code inputs} in order, or null when the metadata has none or it does not
     * cover every input (such a model's inputs do not match its own metadata; {@link
     * ModelArtifact#checkInputs} says how).
     */
    static DriftReference parse(JsonNode metadata, List<String> inputs, String where) {
        JsonNode features = metadata.path("drift_reference").path("features");
        if (features.isMissingNode()
                || inputs.stream().anyMatch(input -> features.path(input).isMissingNode())) {
            return null;
        }
        double[][] edges = new double[inputs.size()][];
        double[][] proportions = new double[inputs.size()][];
        for (int i = 0; i < inputs.size(); i++) {
            JsonNode feature = features.path(inputs.get(i));
            edges[i] = numbers(feature.path("edges"));
            proportions[i] = numbers(feature.path("proportions"));
            if (edges[i] == null
                    || proportions[i] == null
                    || proportions[i].length != edges[i].length + 1) {
                throw new ModelContractException(
                        where
                                + ": drift_reference of "
                                + inputs.get(i)
                                + " must have edges and one more proportion than edges");
            }
            for (int e = 1; e < edges[i].length; e++) {
                if (!(edges[i][e] > edges[i][e - 1])) {
                    throw new ModelContractException(
                            where + ": drift_reference edges of " + inputs.get(i) + " must ascend");
                }
            }
        }
        return new DriftReference(edges, proportions);
    }

    private static double[] numbers(JsonNode array) {
        if (!array.isArray()) {
            return null;
        }
        double[] values = new double[array.size()];
        for (int i = 0; i < values.length; i++) {
            if (!array.get(i).isNumber()) {
                return null;
            }
            values[i] = array.get(i).asDouble();
        }
        return values;
    }

    public int features() {
        return edges.length;
    }

    public int bins(int feature) {
        return proportions[feature].length;
    }

    /** The bin of {@code value} for {@code feature}: how many edges lie below it. */
    public int bin(int feature, float value) {
        double[] e = edges[feature];
        int low = 0;
        int high = e.length;
        while (low < high) {
            int mid = (low + high) >>> 1;
            if (e[mid] < value) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        return low;
    }

    public double proportion(int feature, int bin) {
        return proportions[feature][bin];
    }
}
