package io.rtml.job;

/**
 * The uid and display name of every operator. Uids tie state in savepoints to operators: change one
 * only when that operator's state is meant to be dropped.
 */
public final class Uids {
    public static final String SOURCE = "events-source-v1";
    public static final String SOURCE_NAME = "Kafka events";

    public static final String PARSE = "parse-v1";
    public static final String PARSE_NAME = "Parse events";

    public static final String EVENT_FEATURES = "event-features-v1";
    public static final String EVENT_FEATURES_NAME = "Event features";

    public static final String MODEL_CONTROL_SOURCE = "model-control-source-v1";
    public static final String MODEL_CONTROL_SOURCE_NAME = "Kafka model control";

    public static final String MODEL_ROUTER = "model-router-v1";
    public static final String MODEL_ROUTER_NAME = "Model choice";

    public static final String SHADOW_FILTER = "shadow-predictions-filter-v1";
    public static final String SHADOW_FILTER_NAME = "Shadow predictions";

    public static final String SHADOW_SINK = "shadow-predictions-sink-v1";
    public static final String SHADOW_SINK_NAME = "Kafka shadow predictions";

    /** The live evaluation's own job reads the committed predictions and the labels. */
    public static final String EVALUATION_SOURCE = "evaluation-source-v1";

    public static final String EVALUATION_SOURCE_NAME = "Kafka predictions and labels";

    public static final String LABEL_JOIN = "label-join-v1";
    public static final String LABEL_JOIN_NAME = "Predictions with labels";

    public static final String EVALUATION = "evaluation-v1";
    public static final String EVALUATION_NAME = "Live evaluation";

    public static final String EVALUATION_SINK = "evaluation-sink-v1";
    public static final String EVALUATION_SINK_NAME = "Kafka evaluation";

    /** The finished vectors, cut into batches for the inference stage. */
    public static final String VECTORS = "feature-vectors-v1";

    public static final String VECTORS_NAME = "Feature vectors";

    /** Each finished vector on its own, for the feature log. */
    public static final String FEATURE_LOG_VECTORS = "feature-log-vectors-v1";

    public static final String FEATURE_LOG_VECTORS_NAME = "Feature log vectors";

    public static final String FEATURE_LOG_SINK = "feature-log-sink-v1";
    public static final String FEATURE_LOG_SINK_NAME = "Kafka feature log";

    public static final String INFERENCE = "inference-v1";
    public static final String INFERENCE_NAME = "Batched inference";

    public static final String PREDICTIONS_SINK = "predictions-sink-v1";
    public static final String PREDICTIONS_SINK_NAME = "Kafka predictions";

    public static final String REDIS_SINK = "redis-sink-v1";
    public static final String REDIS_SINK_NAME = "Redis latest prediction";

    public static final String DEAD_LETTER_SINK = "dead-letter-sink-v1";
    public static final String DEAD_LETTER_SINK_NAME = "Kafka dead letters";

    /** The feature stage of one entity of the spec: its state is that entity's windows. */
    public static String entityFeatures(String entity) {
        return "features-" + entity + "-v1";
    }

    public static String entityFeaturesName(String entity) {
        return "Features by " + entity;
    }

    private Uids() {}
}
