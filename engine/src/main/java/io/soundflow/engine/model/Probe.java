package io.soundflow.engine.model;

import io.soundflow.kernels.FloatBuf;

/**
 * Receives intermediate activations of a forward pass (for conformance dumps and tests). The buffer is
 * only valid during the call: copy what you keep.
 */
@FunctionalInterface
public interface Probe {

    /** A probe that ignores everything. */
    Probe NONE = (name, data, rows, cols) -> { };

    /** Activation {@code name} of shape [rows, cols], row-major in the first rows * cols floats of data. */
    void stage(String name, FloatBuf data, int rows, int cols);

    /** Whether stages are wanted at all (lets a forward skip work for {@link #NONE}). */
    default boolean active() {
        return this != NONE;
    }

    /** This probe with {@code prefix} prepended to every name. */
    default Probe prefixed(String prefix) {
        if (this == NONE) {
            return NONE;
        }
        Probe self = this;
        return (name, data, rows, cols) -> self.stage(prefix + name, data, rows, cols);
    }
}
