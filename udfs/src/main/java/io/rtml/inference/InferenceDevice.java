package io.rtml.inference;

import ai.djl.Device;
import ai.djl.engine.Engine;

/**
 * Where models run: {@code auto} takes a GPU when DJL finds one, {@code cpu} and {@code gpu} force
 * it.
 */
public enum InferenceDevice {
    AUTO,
    CPU,
    GPU;

    /** The DJL device; {@code GPU} without one fails with a clear message. */
    public Device resolve() {
        int gpus = Engine.getEngine("PyTorch").getGpuCount();
        return switch (this) {
            case CPU -> Device.cpu();
            case AUTO -> gpus > 0 ? Device.gpu() : Device.cpu();
            case GPU -> {
                if (gpus == 0) {
                    throw new ModelContractException(
                            "inference.device is gpu, but DJL finds no GPU on this machine: install"
                                    + " the CUDA natives (docs/models.md, \"GPU\") or use auto or cpu");
                }
                yield Device.gpu();
            }
        };
    }
}
