package io.soundflow.weights;

import java.util.Optional;

/** Element type of a stored tensor (the safetensors names; {@code .pth} storage types map onto them). */
public enum DType {
    F32(4, true),
    F16(2, true),
    BF16(2, true),
    I8(1, false),
    I16(2, false),
    I32(4, false),
    I64(8, false),
    U8(1, false),
    BOOL(1, false);

    private final int byteSize;
    private final boolean floating;

    DType(int byteSize, boolean floating) {
        this.byteSize = byteSize;
        this.floating = floating;
    }

    /** Bytes one element takes. */
    public int byteSize() {
        return byteSize;
    }

    /**
     * Checks that {@code bytes} is exactly the payload of a tensor of this dtype with {@code shape} (the
     * writers' common argument check); the message names the tensor.
     */
    void checkPayload(String name, long[] shape, int bytes) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException(name + ": negative dimension in the shape");
            }
            n *= d;
        }
        if (n * byteSize != bytes) {
            throw new IllegalArgumentException(name + ": " + bytes + " bytes do not match " + this + " "
                    + java.util.Arrays.toString(shape));
        }
    }

    /** True for F32, F16 and BF16. */
    public boolean isFloatingPoint() {
        return floating;
    }

    /**
     * The dtype for a safetensors header string ("F32", "BF16", ...).
     *
     * @throws IllegalArgumentException for an unknown or unsupported dtype (callers wrap it with the file)
     */
    public static DType parseSafetensors(String s) {
        return lookup(s).orElseThrow(() -> new IllegalArgumentException("unsupported dtype '" + s
                + "' (supported: F32, F16, BF16, I8, I16, I32, I64, U8, BOOL)"));
    }

    /** The dtype for a safetensors header string, empty when unknown. */
    public static Optional<DType> lookup(String s) {
        if (s == null) {
            return Optional.empty();
        }
        for (DType d : values()) {
            if (d.name().equals(s)) {
                return Optional.of(d);
            }
        }
        return Optional.empty();
    }
}
