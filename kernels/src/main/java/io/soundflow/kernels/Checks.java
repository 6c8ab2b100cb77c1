package io.soundflow.kernels;

/**
 * Argument checks shared by every backend, so a shape mistake fails at the call with a message naming
 * the operation and the sizes, never as an index error deep inside a loop.
 */
public final class Checks {
    private Checks() {
    }

    private static IllegalArgumentException bad(String op, String what) {
        return new IllegalArgumentException(op + ": " + what);
    }

    /** {@code [off, off + n)} with n >= 1 lies inside a buffer of {@code len} floats. */
    public static void range(int off, int n, int len, String op) {
        if (n < 1 || off < 0 || (long) off + n > len) {
            throw bad(op, "range [" + off + ", " + ((long) off + n) + ") of a buffer of " + len + " floats (needs at least one value)");
        }
    }

    /** Each size must be at least {@code need}. */
    public static void sizes(long need, int... sizes) {
        for (int s : sizes) {
            if (s < need) {
                throw bad("kernel", "buffer of " + s + " floats, need " + need);
            }
        }
    }

    public static void matmul(WeightMatrix w, int xLen, int n, int outLen, FloatBuf bias) {
        if (n < 1) {
            throw bad("matmul " + w.name(), "n = " + n);
        }
        if ((long) n * w.cols() > xLen) {
            throw bad("matmul " + w.name(), "x holds " + xLen + " floats, need " + n + " x " + w.cols());
        }
        if ((long) n * w.rows() > outLen) {
            throw bad("matmul " + w.name(), "out holds " + outLen + " floats, need " + n + " x " + w.rows());
        }
        if (bias != null && bias.size() < w.rows()) {
            throw bad("matmul " + w.name(), "bias holds " + bias.size() + " floats, need " + w.rows());
        }
    }

    public static void embed(WeightMatrix table, int[] ids, int outLen) {
        if ((long) ids.length * table.cols() > outLen) {
            throw bad("embed " + table.name(), "out holds " + outLen + " floats, need " + ids.length + " x " + table.cols());
        }
        for (int id : ids) {
            if (id < 0 || id >= table.rows()) {
                throw bad("embed " + table.name(), "token id " + id + " outside [0, " + table.rows() + ")");
            }
        }
    }

    public static void rope(int xLen, int n, int heads, int headDim, float[] positions, int posOff, float[] invFreq) {
        if ((headDim & 1) != 0) {
            throw bad("rope", "odd head dim " + headDim);
        }
        sizes((long) n * heads * headDim, xLen);
        if (posOff < 0 || posOff + n > positions.length) {
            throw bad("rope", "positions[" + posOff + " .. " + (posOff + n) + ") outside an array of " + positions.length);
        }
        if (invFreq.length < headDim / 2) {
            throw bad("rope", "invFreq has " + invFreq.length + " values, need " + headDim / 2);
        }
    }

    /** Returns tOut. */
    public static int conv1d3(WeightMatrix w, FloatBuf bias, int xLen, int tIn, int stride, int outLen) {
        if (stride != 1 && stride != 2) {
            throw bad("conv1d3 " + w.name(), "stride " + stride + " (1 or 2 supported)");
        }
        if (w.cols() % 3 != 0) {
            throw bad("conv1d3 " + w.name(), "weight columns " + w.cols() + " are not cIn x 3");
        }
        int cIn = w.cols() / 3;
        int tOut = (tIn - 1) / stride + 1;
        if (tIn < 1 || (long) tIn * cIn > xLen) {
            throw bad("conv1d3 " + w.name(), "x holds " + xLen + " floats, need " + tIn + " x " + cIn);
        }
        if ((long) tOut * w.rows() > outLen) {
            throw bad("conv1d3 " + w.name(), "out holds " + outLen + " floats, need " + tOut + " x " + w.rows());
        }
        if (bias != null && bias.size() < w.rows()) {
            throw bad("conv1d3 " + w.name(), "bias holds " + bias.size() + " floats, need " + w.rows());
        }
        return tOut;
    }

    public static void attentionCausal(int qLen, int kLen, int vLen, int outLen, int start, int n,
                                       int heads, int kvHeads, int headDim) {
        if (heads <= 0 || kvHeads <= 0 || heads % kvHeads != 0) {
            throw bad("attention", heads + " heads cannot be grouped over " + kvHeads + " KV heads");
        }
        if (start < 0 || n < 1) {
            throw bad("attention", "start " + start + ", n " + n);
        }
        sizes((long) n * heads * headDim, qLen, outLen);
        long kv = (long) (start + n) * kvHeads * headDim;
        if (kLen < kv || vLen < kv) {
            throw bad("attention", "KV cache holds " + Math.min(kLen, vLen) / ((long) kvHeads * headDim)
                    + " positions, need " + (start + n));
        }
    }

    /** Returns the total length. */
    public static int attentionWindowed(int qLen, int kLen, int vLen, int outLen, int[] windows, int heads, int headDim) {
        long t = 0;
        for (int w : windows) {
            if (w < 1) {
                throw bad("attention", "empty window");
            }
            t += w;
        }
        sizes(t * heads * headDim, qLen, kLen, vLen, outLen);
        return (int) t;
    }
}
