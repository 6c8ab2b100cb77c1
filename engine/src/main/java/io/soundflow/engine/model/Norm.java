package io.soundflow.engine.model;

import io.soundflow.kernels.FloatBuf;

/** Affine parameters of a LayerNorm (bias non-null) or an RMSNorm (bias null), float32 [d]. */
public record Norm(FloatBuf weight, FloatBuf bias) {

    public Norm {
        if (bias != null && bias.size() != weight.size()) {
            throw new IllegalArgumentException("norm weight has " + weight.size() + " values, bias " + bias.size());
        }
    }

    public int dim() {
        return weight.size();
    }
}
