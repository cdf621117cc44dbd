package io.rtml.inference;

import io.rtml.features.PartialFeatures;
import io.rtml.features.spec.FeatureSpec;
import io.rtml.metrics.MetricNames;
import java.nio.file.Path;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides which model scores each event, upstream of the features, in checkpointed broadcast state:
 * a replay after a failure decides the same, and the version travels with the event to the
 * inference stage and into its prediction.
 *
 * <p>The model-control topic says which version is to be active. A new version is checked before it
 * takes traffic: its name and version plain names (nothing outside the repository), its metadata
 * read and naming that very model and version, the model file's sha256 the one the metadata
 * records, its inputs matched against the feature spec, the model loaded and run once. One that
 * fails is refused (logged with the reason and counted) and the current one keeps serving; rolling
 * back is publishing the old version again. Keyed by card, so each card switches at exactly one
 * point of its event sequence.
 */
public class ModelRouter
        extends KeyedBroadcastProcessFunction<
                String, PartialFeatures, ModelControl, PartialFeatures> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ModelRouter.class);

    /** The broadcast state: one entry, the active choice. Part of the savepoint format. */
    public static final MapStateDescriptor<String, ModelChoice> ACTIVE_MODEL =
            new MapStateDescriptor<>(
                    "active-model", Types.STRING, TypeInformation.of(ModelChoice.class));

    private static final String ACTIVE = "active";

    private final ModelChoice initial;
    private final String repository;
    private final FeatureSpec spec;
    private final InferenceDevice device;

    private transient Counter switches;
    private transient Counter refusals;
    private transient volatile ModelChoice active;

    /**
     * @param initial the choice until the control topic says otherwise (checked at start)
     * @param repository where model artifacts are, {@code <repository>/<name>/<version>/}
     */
    public ModelRouter(
            ModelChoice initial, String repository, FeatureSpec spec, InferenceDevice device) {
        this.initial = initial;
        this.repository = repository;
        this.spec = spec;
        this.device = device;
    }

    @Override
    public void open(OpenContext openContext) {
        active = initial;
        MetricGroup group = getRuntimeContext().getMetricGroup().addGroup(MetricNames.GROUP);
        switches = group.counter(MetricNames.MODEL_SWITCHES);
        refusals = group.counter(MetricNames.MODEL_REFUSALS);
        group.gauge(MetricNames.ACTIVE_MODEL_VERSION, () -> numeric(active.version));
        group.gauge(
                MetricNames.SHADOW_MODEL_VERSION,
                () -> active.shadowVersion == null ? Double.NaN : numeric(active.shadowVersion));
    }

    @Override
    public void processElement(
            PartialFeatures partial, ReadOnlyContext ctx, Collector<PartialFeatures> out)
            throws Exception {
        ModelChoice choice = ctx.getBroadcastState(ACTIVE_MODEL).get(ACTIVE);
        if (choice == null) {
            choice = initial;
        }
        active = choice;
        partial.modelName = choice.name;
        partial.modelVersion = choice.version;
        partial.shadowVersion = choice.shadowVersion;
        out.collect(partial);
    }

    @Override
    public void processBroadcastElement(
            ModelControl control, Context ctx, Collector<PartialFeatures> out) throws Exception {
        BroadcastState<String, ModelChoice> state = ctx.getBroadcastState(ACTIVE_MODEL);
        ModelChoice current = state.get(ACTIVE) == null ? initial : state.get(ACTIVE);
        if (control.error != null) {
            refuse(control, current, control.error);
            return;
        }
        ModelChoice next = new ModelChoice(control.model, control.version, control.shadowVersion);
        if (next.equals(current)) {
            return;
        }
        try {
            check(next.name, next.version);
            if (next.shadowVersion != null) {
                check(next.name, next.shadowVersion);
            }
        } catch (ModelContractException e) {
            refuse(control, current, e.getMessage());
            return;
        }
        state.put(ACTIVE, next);
        active = next;
        switches.inc();
        LOG.info(
                "Model {} is now active (was {}), from model-control offset {}",
                next,
                current,
                control.offset);
    }

    /** Loads the version, checks its inputs and runs it once; throws what is wrong. */
    private void check(String name, String version) {
        ModelArtifact artifact = ModelArtifact.load(Path.of(repository), name, version);
        artifact.checkInputs(spec.id(), spec.columns());
        TorchScriptModel.load(artifact, device).close();
    }

    private void refuse(ModelControl control, ModelChoice current, String reason) {
        refusals.inc();
        LOG.warn(
                "Refused model-control record at offset {} (model {} version {}): {}; {} keeps"
                        + " serving",
                control.offset,
                ModelArtifact.quote(control.model),
                ModelArtifact.quote(control.version),
                reason,
                current);
    }

    private static double numeric(String version) {
        try {
            return Double.parseDouble(version);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }
}
