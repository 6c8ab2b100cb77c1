package io.soundflow.engine.model;

import io.soundflow.kernels.FloatBuf;
import io.soundflow.kernels.Kernels;
import io.soundflow.kernels.WeightMatrix;

/**
 * A linear layer: weight [out, in] in its stored format and an optional float32 bias [out].
 */
public record Linear(WeightMatrix weight, FloatBuf bias) {

    public Linear {
        if (bias != null && bias.size() != weight.rows()) {
            throw new IllegalArgumentException(weight.name() + ": bias has " + bias.size() + " values for "
                    + weight.rows() + " rows");
        }
    }

    /** out [n, out] = x [n, in] . weight^T (+ bias). */
    public void apply(Kernels k, FloatBuf x, int n, FloatBuf out) {
        k.matmul(weight, x, n, out, bias);
    }

    public int in() {
        return weight.cols();
    }

    public int out() {
        return weight.rows();
    }
}
