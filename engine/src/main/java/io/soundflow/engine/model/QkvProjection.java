package io.soundflow.engine.model;

import io.soundflow.kernels.FloatBuf;
import io.soundflow.kernels.Kernels;

/**
 * The query/key/value projections of a decoder layer, either as three matrices (Hugging Face
 * {@code q_proj}, {@code k_proj}, {@code v_proj}) or one fused matrix whose rows are
 * [all Q; all K; all V] (litgpt {@code attn.qkv}).
 */
public sealed interface QkvProjection {

    /** Writes q [n, qDim], k [n, kvDim], v [n, kvDim] for x [n, hidden]; scratch holds n * (qDim + 2 kvDim). */
    void project(Kernels kernels, FloatBuf x, int n, FloatBuf q, FloatBuf k, FloatBuf v, FloatBuf scratch);

    /** Three separate projections. */
    record Split(Linear q, Linear k, Linear v) implements QkvProjection {
        @Override
        public void project(Kernels kernels, FloatBuf x, int n, FloatBuf qo, FloatBuf ko, FloatBuf vo, FloatBuf scratch) {
            q.apply(kernels, x, n, qo);
            k.apply(kernels, x, n, ko);
            v.apply(kernels, x, n, vo);
        }
    }

    /** One fused projection with rows [Q (qDim); K (kvDim); V (kvDim)], bias in the same layout. */
    record Fused(Linear qkv, int qDim, int kvDim) implements QkvProjection {
        public Fused {
            if (qkv.out() != qDim + 2 * kvDim) {
                throw new IllegalArgumentException(qkv.weight().name() + ": " + qkv.out() + " rows, expected "
                        + qDim + " + 2 x " + kvDim);
            }
        }

        @Override
        public void project(Kernels kernels, FloatBuf x, int n, FloatBuf qo, FloatBuf ko, FloatBuf vo, FloatBuf scratch) {
            int w = qDim + 2 * kvDim;
            qkv.apply(kernels, x, n, scratch.slice(0, n * w));
            for (int t = 0; t < n; t++) {
                qo.copyFrom(scratch, t * w, t * qDim, qDim);
                ko.copyFrom(scratch, t * w + qDim, t * kvDim, kvDim);
                vo.copyFrom(scratch, t * w + qDim + kvDim, t * kvDim, kvDim);
            }
        }
    }
}
