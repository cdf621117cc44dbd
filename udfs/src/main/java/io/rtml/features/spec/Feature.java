package io.rtml.features.spec;

import java.io.Serializable;
import java.util.List;

/** One entry of a feature spec: it writes one or more named columns of the feature vector. */
public sealed interface Feature extends Serializable permits EventFeature, AggregateFeature {
    String name();

    List<String> columns();
}
