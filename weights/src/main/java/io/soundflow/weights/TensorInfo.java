package io.soundflow.weights;

import io.soundflow.kernels.WeightFormat;
import io.soundflow.kernels.WeightMatrix;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * One stored tensor: its name, dtype, shape and the (memory-mapped, little-endian, row-major
 * contiguous) bytes it occupies in {@code file}. The segment is a view of the mapped file, never a copy.
 *
 * @param shape dimensions, outermost first; {@code []} is a scalar
 * @param data  exactly {@code elementCount() * dtype.byteSize()} bytes
 */
public record TensorInfo(String name, DType dtype, long[] shape, Path file, MemorySegment data) {

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** Largest array a copy may produce. */
    private static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

    public TensorInfo {
        shape = shape.clone();
        long n = elementCount(file, name, shape);
        long need = n > Long.MAX_VALUE / dtype.byteSize() ? -1 : n * dtype.byteSize();
        if (data.byteSize() != need) {
            throw CheckpointException.of(file, name, dtype + " " + Arrays.toString(shape) + " needs " + need
                    + " bytes, the data has " + data.byteSize());
        }
    }

    /** The shape (a copy). */
    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Number of dimensions. */
    public int rank() {
        return shape.length;
    }

    /** Size of dimension {@code i}. */
    public long dim(int i) {
        return shape[i];
    }

    /** Product of the shape (1 for a scalar). */
    public long elementCount() {
        return elementCount(file, name, shape);
    }

    /** Bytes the data takes. */
    public long byteSize() {
        return data.byteSize();
    }

    /** The shape as "[a, b, c]". */
    public String shapeString() {
        return Arrays.toString(shape);
    }

    /**
     * The tensor as a kernels weight matrix over the mapped bytes (no copy): a 2-D tensor as is, an
     * N-D one flattened to [shape[0], product of the rest] (e.g. a conv weight [out, in, k] becomes
     * [out, in * k]).
     *
     * @throws CheckpointException if the dtype is not F32/F16/BF16, the rank is below 2, or a
     *                             dimension does not fit an int
     */
    public WeightMatrix asMatrix() {
        WeightFormat format = switch (dtype) {
            case F32 -> WeightFormat.F32;
            case F16 -> WeightFormat.F16;
            case BF16 -> WeightFormat.BF16;
            default -> throw CheckpointException.of(file, name, "is " + dtype
                    + ", a weight matrix must be F32, F16 or BF16");
        };
        if (shape.length < 2) {
            throw CheckpointException.of(file, name, "has shape " + shapeString()
                    + ", a weight matrix needs at least 2 dimensions");
        }
        long rows = shape[0];
        long cols = elementCount() / Math.max(1, rows);
        if (rows <= 0 || cols <= 0 || rows > Integer.MAX_VALUE || cols > Integer.MAX_VALUE) {
            throw CheckpointException.of(file, name, "shape " + shapeString()
                    + " cannot be a weight matrix (rows and columns must be in 1.." + Integer.MAX_VALUE + ")");
        }
        return new WeightMatrix(name, format, (int) rows, (int) cols, data);
    }

    /**
     * The values as float32 (a heap copy, for small tensors: norms, biases).
     *
     * @throws CheckpointException for an integer dtype or a tensor too large for an array
     */
    public float[] toFloatArray() {
        int n = arrayLength();
        float[] out = new float[n];
        switch (dtype) {
            case F32 -> MemorySegment.copy(data, F32, 0, out, 0, n);
            case F16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = Float.float16ToFloat(data.get(I16, 2L * i));
                }
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = WeightMatrix.bf16ToFloat(data.get(I16, 2L * i));
                }
            }
            default -> throw CheckpointException.of(file, name, "is " + dtype
                    + ", not a floating-point tensor (use toLongArray)");
        }
        return out;
    }

    /**
     * The values as long (a heap copy) for integer and boolean dtypes; U8 is unsigned, BOOL is 0 or 1.
     *
     * @throws CheckpointException for a floating-point dtype or a tensor too large for an array
     */
    public long[] toLongArray() {
        int n = arrayLength();
        long[] out = new long[n];
        switch (dtype) {
            case I8 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = data.get(ValueLayout.JAVA_BYTE, i);
                }
            }
            case U8 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = data.get(ValueLayout.JAVA_BYTE, i) & 0xFF;
                }
            }
            case BOOL -> {
                for (int i = 0; i < n; i++) {
                    out[i] = data.get(ValueLayout.JAVA_BYTE, i) != 0 ? 1 : 0;
                }
            }
            case I16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = data.get(I16, 2L * i);
                }
            }
            case I32 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = data.get(I32, 4L * i);
                }
            }
            case I64 -> MemorySegment.copy(data, I64, 0, out, 0, n);
            default -> throw CheckpointException.of(file, name, "is " + dtype
                    + ", not an integer tensor (use toFloatArray)");
        }
        return out;
    }

    private int arrayLength() {
        long n = elementCount();
        if (n > MAX_ARRAY) {
            throw CheckpointException.of(file, name, "has " + n + " elements, too many to copy into an array");
        }
        return (int) n;
    }

    /** Product of {@code shape}, checked: no negative dimension, no overflow. */
    static long elementCount(Path file, String name, long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw CheckpointException.of(file, name, "negative dimension in shape " + Arrays.toString(shape));
            }
            try {
                n = Math.multiplyExact(n, d);
            } catch (ArithmeticException e) {
                throw CheckpointException.of(file, name, "shape " + Arrays.toString(shape) + " overflows");
            }
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorInfo t && name.equals(t.name) && dtype == t.dtype
                && Arrays.equals(shape, t.shape) && file.equals(t.file) && data.equals(t.data);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return name + " " + dtype + " " + shapeString() + " (" + file.getFileName() + ")";
    }
}
