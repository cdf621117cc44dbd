package io.rtml.metrics;

/**
 * Every metric rtml registers, in one place. All live in the {@link #GROUP} group, so Prometheus
 * shows them as {@code flink_taskmanager_job_task_operator_rtml_<name>}.
 */
public final class MetricNames {
    public static final String GROUP = "rtml";

    /** Label naming the event field that made a record a dead letter ({@code record} if none). */
    public static final String FIELD_LABEL = "field";

    /** Label naming the entity a feature stage keeps state for. */
    public static final String ENTITY_LABEL = "entity";

    /** Label naming why a fallback score was used. */
    public static final String REASON_LABEL = "reason";

    /** Label of the score histogram's buckets: the lower bound, 0.0 to 0.9. */
    public static final String SCORE_BUCKET_LABEL = "score_bucket";

    /** Label of per-input metrics: the feature's column name. */
    public static final String FEATURE_LABEL = "feature";

    public static final String EVENTS_VALID = "events_valid";
    public static final String DEAD_LETTERS = "dead_letters";
    public static final String FEATURE_VECTORS = "feature_vectors";
    public static final String OUT_OF_ORDER_EVENTS = "out_of_order_events";
    public static final String LATE_EVENTS = "late_events";
    public static final String WAITED_OUT_EVENTS = "waited_out_events";
    public static final String STATE_BYTES = "state_bytes";
    public static final String INFERENCE_ROWS = "inference_rows";
    public static final String INFERENCE_BATCH_SIZE = "inference_batch_size";
    public static final String INFERENCE_BATCH_MICROS = "inference_batch_micros";
    public static final String INFERENCE_QUEUE_DEPTH = "inference_queue_depth";
    public static final String INFERENCE_QUEUE_MICROS = "inference_queue_micros";
    public static final String INFERENCE_ROWS_PER_SECOND = "inference_rows_per_second";
    public static final String FALLBACKS = "fallbacks";
    public static final String SCORED = "scored";
    public static final String FEATURE_PSI = "psi";
    public static final String LATENCY_EVENT_TO_REDIS_MS = "latency_event_to_redis_ms";
    public static final String LATENCY_INGEST_TO_REDIS_MS = "latency_ingest_to_redis_ms";
    public static final String LATENCY_EVENT_TO_KAFKA_MS = "latency_event_to_kafka_ms";
    public static final String LATENCY_INGEST_TO_KAFKA_MS = "latency_ingest_to_kafka_ms";
    public static final String LATENCY_INGEST_TO_FEATURES_MS = "latency_ingest_to_features_ms";
    public static final String MODEL_SWITCHES = "model_switches";
    public static final String MODEL_REFUSALS = "model_refusals";
    public static final String ACTIVE_MODEL_VERSION = "active_model_version";
    public static final String SHADOW_MODEL_VERSION = "shadow_model_version";
    public static final String SHADOW_AGREEMENTS = "shadow_agreements";
    public static final String SHADOW_DISAGREEMENTS = "shadow_disagreements";
    public static final String LABELS_JOINED = "labels_joined";
    public static final String LABELS_UNREADABLE = "labels_unreadable";
    public static final String PREDICTIONS_UNREADABLE = "predictions_unreadable";
    public static final String LIVE_PRECISION = "live_precision";
    public static final String LIVE_RECALL = "live_recall";
    public static final String LIVE_PR_AUC = "live_pr_auc";
    public static final String LIVE_LABELLED = "live_labelled";
    public static final String REDIS_WRITES = "redis_writes";
    public static final String REDIS_STALE_WRITES = "redis_stale_writes";
    public static final String REDIS_RETRIES = "redis_retries";

    private MetricNames() {}
}
