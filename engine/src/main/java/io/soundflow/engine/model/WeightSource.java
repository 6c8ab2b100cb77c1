package io.soundflow.engine.model;

import io.soundflow.kernels.FloatBuf;
import io.soundflow.kernels.Kernels;
import io.soundflow.kernels.Quantizer;
import io.soundflow.kernels.WeightFormat;
import io.soundflow.kernels.WeightMatrix;
import io.soundflow.weights.TensorStore;

import java.lang.foreign.Arena;

/**
 * Turns verified checkpoint tensors into model fields: matrices stay mapped in their file dtype
 * (or are quantized at load), small vectors (norms, biases) become backend float buffers.
 */
final class WeightSource {
    private final TensorStore store;
    private final String prefix;
    private final LoadOptions options;
    private final Arena arena = Arena.ofAuto();

    WeightSource(TensorStore store, String prefix, LoadOptions options) {
        this.store = store;
        this.prefix = prefix;
        this.options = options;
    }

    Kernels kernels() {
        return options.kernels();
    }

    boolean has(String name) {
        return store.contains(prefix + name);
    }

    /** A matrix [shape[0], rest] in file dtype, or converted to the quantized format when requested. */
    WeightMatrix matrix(String name) {
        WeightMatrix w = store.get(prefix + name).asMatrix();
        WeightFormat q = options.quantize();
        if (q != null && w.cols() % q.blockValues == 0) {
            w = Quantizer.convert(w, q, arena);
        }
        return options.kernels().upload(w);
    }

    FloatBuf vector(String name) {
        return options.kernels().upload(store.get(prefix + name).toFloatArray());
    }

    Linear linear(String name, boolean bias) {
        return new Linear(matrix(name + ".weight"), bias ? vector(name + ".bias") : null);
    }

    Norm layerNorm(String name) {
        return new Norm(vector(name + ".weight"), vector(name + ".bias"));
    }

    Norm rmsNorm(String name) {
        return new Norm(vector(name + ".weight"), null);
    }
}
