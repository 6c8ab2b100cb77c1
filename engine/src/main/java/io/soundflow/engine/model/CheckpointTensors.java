package io.soundflow.engine.model;

import io.soundflow.kernels.FloatBuf;
import io.soundflow.kernels.Kernels;
import io.soundflow.kernels.WeightMatrix;

import java.util.function.Supplier;

/**
 * The one place a checkpoint family spells its tensor names: a loader describes its layout once, as code
 * that asks this object for each tensor with its shape, and runs that code twice. {@link #declaring} records
 * every name and shape into a {@link NameTable} (checked against the store before anything is built, so a
 * bad checkpoint fails with the full list of problems) and returns nulls; {@link #building} returns the
 * tensors themselves from a {@link WeightSource}. Model objects are made through {@link #make}, which the
 * declaring pass skips, so no constructor sees its nulls.
 */
abstract sealed class CheckpointTensors {

    /** The declaring pass: names (after {@code prefix}) and shapes into {@code table}; every lookup returns null. */
    static CheckpointTensors declaring(NameTable table, String prefix) {
        return new Declaring(table, prefix);
    }

    /** The building pass over verified tensors. */
    static CheckpointTensors building(WeightSource source) {
        return new Building(source);
    }

    /** A matrix [shape[0], product of the rest] in its stored format (or quantized at load). */
    abstract WeightMatrix matrix(String name, long... shape);

    /**
     * A matrix read only row by row (an embedding table), in its stored format or quantized at load, but
     * not handed to the backend's {@code upload}: a product layout of it would be memory no kernel reads
     * (at 512 bits the vector backend's panels of the 3B embedding: 0.33 GB at Q8_0). A tied lm_head
     * uploads it where it is built.
     */
    abstract WeightMatrix table(String name, long... shape);

    /** A float32 vector of {@code n} values. */
    abstract FloatBuf vector(String name, long n);

    /** {@code name.weight} [out, in] and, when {@code bias}, {@code name.bias} [out]. */
    abstract Linear linear(String name, long out, long in, boolean bias);

    /**
     * A linear layer whose row r is row {@code sourceRow[r]} of the stored {@code name.weight} and
     * {@code name.bias} (a layout whose rows must be regrouped at load).
     */
    abstract Linear linearRowsPermuted(String name, long out, long in, int[] sourceRow);

    /** A matrix that may be absent (then null in both passes). */
    abstract WeightMatrix optionalMatrix(String name, long... shape);

    /** A stored tensor that is not used. */
    abstract void skip(String name);

    /** The backend the built tensors belong to (null while declaring). */
    abstract Kernels kernels();

    /** {@code name.weight} [d]: an RMSNorm. */
    final Norm rmsNorm(String name, long d) {
        FloatBuf w = vector(name + ".weight", d);
        return w == null ? null : new Norm(w, null);
    }

    /** {@code name.weight} and {@code name.bias} [d]: a LayerNorm. */
    final Norm layerNorm(String name, long d) {
        FloatBuf w = vector(name + ".weight", d), b = vector(name + ".bias", d);
        return w == null ? null : new Norm(w, b);
    }

    /** The model object built from this pass's tensors; null while declaring (the supplier is not called). */
    abstract <T> T make(Supplier<T> build);

    private static final class Declaring extends CheckpointTensors {
        private final NameTable table;
        private final String prefix;

        Declaring(NameTable table, String prefix) {
            this.table = table;
            this.prefix = prefix;
        }

        @Override
        WeightMatrix matrix(String name, long... shape) {
            table.require(prefix + name, shape);
            return null;
        }

        @Override
        WeightMatrix table(String name, long... shape) {
            return matrix(name, shape);
        }

        @Override
        FloatBuf vector(String name, long n) {
            table.require(prefix + name, n);
            return null;
        }

        @Override
        Linear linear(String name, long out, long in, boolean bias) {
            table.require(prefix + name + ".weight", out, in);
            if (bias) {
                table.require(prefix + name + ".bias", out);
            }
            return null;
        }

        @Override
        Linear linearRowsPermuted(String name, long out, long in, int[] sourceRow) {
            return linear(name, out, in, true);
        }

        @Override
        WeightMatrix optionalMatrix(String name, long... shape) {
            table.optional(prefix + name, shape);
            return null;
        }

        @Override
        void skip(String name) {
            table.skip(prefix + name);
        }

        @Override
        Kernels kernels() {
            return null;
        }

        @Override
        <T> T make(Supplier<T> build) {
            return null;
        }
    }

    private static final class Building extends CheckpointTensors {
        private final WeightSource w;

        Building(WeightSource w) {
            this.w = w;
        }

        @Override
        WeightMatrix matrix(String name, long... shape) {
            return w.matrix(name);
        }

        @Override
        WeightMatrix table(String name, long... shape) {
            return w.table(name);
        }

        @Override
        FloatBuf vector(String name, long n) {
            return w.vector(name);
        }

        @Override
        Linear linear(String name, long out, long in, boolean bias) {
            return w.linear(name, bias);
        }

        @Override
        Linear linearRowsPermuted(String name, long out, long in, int[] sourceRow) {
            return new Linear(w.rowsPermuted(name + ".weight", sourceRow), w.vectorPermuted(name + ".bias", sourceRow));
        }

        @Override
        WeightMatrix optionalMatrix(String name, long... shape) {
            return w.has(name) ? w.matrix(name) : null;
        }

        @Override
        void skip(String name) {
        }

        @Override
        Kernels kernels() {
            return w.kernels();
        }

        @Override
        <T> T make(Supplier<T> build) {
            return build.get();
        }
    }
}
