package io.soundflow.kernels.vector;

import io.soundflow.kernels.HeapFloatBuf;
import io.soundflow.kernels.WeightMatrix;

/** The kernel families, each implemented by one width-templated class (see {@link Widths}). */
final class Family {
    private Family() {
    }

    /** Matrix products over weights in their stored format ({@link MatmulOps}). */
    interface Matmul {
        /** out [n, rows] = x [n, cols] . w^T (+ bias); arguments already checked. */
        void matmul(WeightMatrix w, HeapFloatBuf x, int n, HeapFloatBuf out, float[] bias);

        /** Dequantizes columns {@code [c0, c0 + count)} of row r into dst[dOff ..]. */
        void decode(WeightMatrix w, int r, int c0, int count, float[] dst, int dOff);
    }

    /** Element-wise maps, normalisations, pooling and RoPE ({@link ElementwiseOps}). */
    interface Elementwise {
        void add(float[] a, int ao, float[] b, int bo, float[] out, int oo, int n);

        void rmsNorm(float[] x, int xo, float[] w, int wo, float eps, int n, int d, float[] out, int oo);

        void layerNorm(float[] x, int xo, float[] w, int wo, float[] b, int bo, float eps, int n, int d,
                       float[] out, int oo);

        void softmax(float[] x, int xo, int n, int d);

        /** {@link io.soundflow.kernels.Kernels#argmax} over x[xo .. xo + n). */
        int argmax(float[] x, int xo, int n);

        void gelu(float[] x, int xo, int n);

        void siluMul(float[] g, int go, float[] u, int uo, float[] out, int oo, int n);

        void avgPool2(float[] x, int xo, int t, int d, float[] out, int oo);

        void rope(float[] x, int xo, int n, int heads, int headDim, float[] positions, int posOff, float[] invFreq);
    }

    /** Attention ({@link AttentionOps}). */
    interface Attention {
        void causal(HeapFloatBuf q, HeapFloatBuf k, HeapFloatBuf v, int start, int n,
                    int heads, int kvHeads, int headDim, HeapFloatBuf out);

        /** {@link #causal} over float16 caches [capacity, kvHeads * headDim] (bit patterns from index 0). */
        void causalHalf(HeapFloatBuf q, short[] k, short[] v, int start, int n,
                        int heads, int kvHeads, int headDim, HeapFloatBuf out);

        void windowed(HeapFloatBuf q, HeapFloatBuf k, HeapFloatBuf v, int[] windows, int t,
                      int heads, int headDim, HeapFloatBuf out);
    }
}
