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
    private final int total;       // tensors this source will hand out (for progress; 0 = unknown)
    private int done;

    WeightSource(TensorStore store, String prefix, LoadOptions options) {
        this(store, prefix, options, 0);
    }

    /** A source that reports to the options' progress, out of {@code total} tensors (its name table's count). */
    WeightSource(TensorStore store, String prefix, LoadOptions options, int total) {
        this(store, prefix, options, total, 0);
    }

    /** As above, counting on from {@code alreadyDone} (a checkpoint in two stores: the tower, then the LM). */
    WeightSource(TensorStore store, String prefix, LoadOptions options, int total, int alreadyDone) {
        this.store = store;
        this.prefix = prefix;
        this.options = options;
        this.total = total;
        this.done = alreadyDone;
    }

    private void counted() {
        done++;
        if (total > 0) {
            WeightFormat q = options.quantize();
            options.progress().tensors(q == null ? "tensors"
                    : (q.isQuantized() ? "quantizing to " : "converting to ") + q.name().toLowerCase(java.util.Locale.ROOT),
                    Math.min(done, total), total);
        }
    }

    Kernels kernels() {
        return options.kernels();
    }

    boolean has(String name) {
        return store.contains(prefix + name);
    }

    /** A matrix [shape[0], rest] in file dtype, or converted to the quantized format when requested. */
    WeightMatrix matrix(String name) {
        WeightMatrix m = prepared(store.get(prefix + name).asMatrix());
        counted();
        return m;
    }

    /**
     * The matrix whose row r is row {@code sourceRow[r]} of the stored one: a copy in the file dtype (for
     * layouts whose rows must be regrouped, such as litgpt's legacy interleaved QKV), quantized if asked.
     */
    WeightMatrix rowsPermuted(String name, int[] sourceRow) {
        WeightMatrix src = store.get(prefix + name).asMatrix();
        if (sourceRow.length != src.rows()) {
            throw new IllegalArgumentException(name + ": permutation of " + sourceRow.length + " rows for " + src.rows());
        }
        long rb = src.rowBytes();
        var seg = arena.allocate(rb * src.rows(), 64);
        for (int r = 0; r < sourceRow.length; r++) {
            java.lang.foreign.MemorySegment.copy(src.data(), sourceRow[r] * rb, seg, r * rb, rb);
        }
        WeightMatrix m = prepared(new WeightMatrix(src.name(), src.format(), src.rows(), src.cols(), seg));
        counted();
        return m;
    }

    /** A matrix read only by row lookups: converted as {@link #matrix} converts, but not handed to the backend. */
    WeightMatrix table(String name) {
        WeightMatrix m = converted(store.get(prefix + name).asMatrix());
        counted();
        return m;
    }

    /** Converted when requested, then handed to the backend. */
    private WeightMatrix prepared(WeightMatrix w) {
        return options.kernels().upload(converted(w));
    }

    /** Converted to the quantized format when one is requested and the rows split into whole blocks. */
    private WeightMatrix converted(WeightMatrix w) {
        WeightFormat q = options.quantize();
        return q != null && w.cols() % q.blockValues == 0 ? Quantizer.convert(w, q, arena) : w;
    }

    /** A vector whose element r is element {@code source[r]} of the stored one. */
    FloatBuf vectorPermuted(String name, int[] source) {
        float[] v = store.get(prefix + name).toFloatArray();
        float[] out = new float[source.length];
        for (int r = 0; r < source.length; r++) {
            out[r] = v[source[r]];
        }
        counted();
        return options.kernels().upload(out);
    }

    FloatBuf vector(String name) {
        counted();
        return options.kernels().upload(store.get(prefix + name).toFloatArray());
    }

    Linear linear(String name, boolean bias) {
        return new Linear(matrix(name + ".weight"), bias ? vector(name + ".bias") : null);
    }
}
