package io.soundflow.weights;

import java.io.ByteArrayOutputStream;

/** Deterministic tensor bytes for the reader and writer tests. */
final class TestBytes {
    private TestBytes() {
    }

    /** Little-endian bytes of {@code n} values of {@code dtype} filled with a deterministic pattern. */
    static byte[] pattern(DType dtype, int n, int seed) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        java.util.Random r = new java.util.Random(seed);
        for (int i = 0; i < n; i++) {
            switch (dtype) {
                case F32 -> le(b, Float.floatToRawIntBits((float) r.nextGaussian()), 4);
                case F16 -> le(b, Float.floatToFloat16((float) r.nextGaussian()), 2);
                case BF16 -> le(b, io.soundflow.kernels.WeightMatrix.floatToBf16((float) r.nextGaussian()), 2);
                case BOOL -> b.write(r.nextBoolean() ? 1 : 0);
                default -> le(b, r.nextLong(), dtype.byteSize());
            }
        }
        return b.toByteArray();
    }

    private static void le(ByteArrayOutputStream b, long v, int bytes) {
        for (int i = 0; i < bytes; i++) {
            b.write((int) (v >>> (8 * i)) & 0xFF);
        }
    }
}
