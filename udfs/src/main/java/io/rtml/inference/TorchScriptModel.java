package io.rtml.inference;

import ai.djl.MalformedModelException;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslateException;
import ai.djl.translate.TranslatorContext;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TorchScript model loaded through DJL's PyTorch engine. It takes a batch of raw feature rows and
 * returns one score per row. Loading runs the model once on a zero row, so a model that cannot run
 * is refused before it takes traffic.
 *
 * <p>The model is shared; {@link Predictor}s are not thread-safe, so each inference thread makes
 * its own with {@link #newPredictor()}.
 */
public final class TorchScriptModel implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TorchScriptModel.class);

    /** DJL engine settings, read once per JVM when the engine starts: see docs/configuration.md. */
    static final String NUM_THREADS = "ai.djl.pytorch.num_threads";

    static final String NUM_INTEROP_THREADS = "ai.djl.pytorch.num_interop_threads";
    static final String GRAPH_OPTIMIZER = "ai.djl.pytorch.graph_optimizer";

    private final ModelArtifact artifact;
    private final ZooModel<FeatureBatch, float[]> model;

    private TorchScriptModel(ModelArtifact artifact, ZooModel<FeatureBatch, float[]> model) {
        this.artifact = artifact;
        this.model = model;
    }

    /** Loads and warms up the artifact's model on the CPU, or a GPU when DJL finds one. */
    public static TorchScriptModel load(ModelArtifact artifact) {
        return load(artifact, InferenceDevice.AUTO);
    }

    /**
     * Loads and warms up the artifact's model on {@code device}; throws {@link
     * ModelContractException} if it can't.
     */
    public static TorchScriptModel load(ModelArtifact artifact, InferenceDevice device) {
        // Small models run fastest on one intra-op thread per inference thread and without
        // the graph optimizer's warm-up passes. Users override these with -D flags.
        defaultProperty(NUM_THREADS, "1");
        defaultProperty(NUM_INTEROP_THREADS, "1");
        defaultProperty(GRAPH_OPTIMIZER, "false");
        Criteria<FeatureBatch, float[]> criteria =
                Criteria.builder()
                        .setTypes(FeatureBatch.class, float[].class)
                        .optModelPath(artifact.modelFile())
                        .optEngine("PyTorch")
                        .optDevice(device.resolve())
                        .optTranslator(new BatchTranslator())
                        .build();
        ZooModel<FeatureBatch, float[]> model;
        try {
            model = criteria.loadModel();
            LOG.info(
                    "Loaded model {}/{} on {} (inference.device {})",
                    artifact.name(),
                    artifact.version(),
                    model.getNDManager().getDevice(),
                    device);
        } catch (IOException
                | ModelNotFoundException
                | MalformedModelException
                | RuntimeException e) {
            throw new ModelContractException(
                    "cannot load model "
                            + artifact.name()
                            + "/"
                            + artifact.version()
                            + " from "
                            + artifact.modelFile()
                            + ": "
                            + e.getMessage(),
                    e);
        }
        TorchScriptModel loaded = new TorchScriptModel(artifact, model);
        try {
            loaded.warmUp();
        } catch (RuntimeException e) {
            loaded.close();
            throw e;
        }
        return loaded;
    }

    private void warmUp() {
        int columns = artifact.inputs().size();
        try (Predictor<FeatureBatch, float[]> predictor = newPredictor()) {
            float[] scores =
                    predictor.predict(new FeatureBatch(new float[columns * 2], 2, columns));
            if (scores.length != 2 || !Float.isFinite(scores[0])) {
                throw new ModelContractException(
                        "model "
                                + artifact.name()
                                + "/"
                                + artifact.version()
                                + " gave "
                                + scores.length
                                + " outputs for 2 rows of "
                                + columns
                                + " inputs; it must give one finite score per row");
            }
        } catch (TranslateException | RuntimeException e) {
            if (e instanceof ModelContractException) {
                throw (ModelContractException) e;
            }
            throw new ModelContractException(
                    "model "
                            + artifact.name()
                            + "/"
                            + artifact.version()
                            + " failed on a batch of "
                            + columns
                            + " inputs: "
                            + e.getMessage(),
                    e);
        }
    }

    /**
     * A predictor for the calling thread, which it also sets up to run libtorch with {@value
     * #NUM_THREADS} intra-op threads (default 1).
     *
     * <p>libtorch (OpenMP) keeps that number per thread: DJL sets it on the thread that starts the
     * engine only, so any other thread would run the model on an OpenMP team as large as the
     * machine, whose idle worker spin-waits for the next call and takes a core from the job
     * (measured: as much CPU as the inference thread itself). Call it on the thread that predicts.
     */
    public Predictor<FeatureBatch, float[]> newPredictor() {
        JniUtils.setNumThreads(Integer.getInteger(NUM_THREADS, 1));
        return model.newPredictor();
    }

    public ModelArtifact artifact() {
        return artifact;
    }

    @Override
    public void close() {
        model.close();
    }

    private static void defaultProperty(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }

    /** Feature rows in, one score per row out. */
    private static final class BatchTranslator
            implements NoBatchifyTranslator<FeatureBatch, float[]> {
        @Override
        public NDList processInput(TranslatorContext ctx, FeatureBatch batch) {
            return new NDList(
                    ctx.getNDManager()
                            .create(batch.values(), new Shape(batch.rows(), batch.columns())));
        }

        @Override
        public float[] processOutput(TranslatorContext ctx, NDList list) {
            NDArray output = list.singletonOrThrow();
            return output.toFloatArray();
        }
    }
}
