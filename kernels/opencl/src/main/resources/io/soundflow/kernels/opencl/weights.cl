// Weight reads in the stored formats, dequantized in the kernel (see WeightFormat, WeightMatrix.dequantizeRow).
// A row is the bytes of one output feature; c is the column. Every value equals the CPU dequantization
// bit for bit: float16 and bfloat16 widen exactly, the quantized blocks multiply one float by one float.
//   F32   4 bytes a value
//   F16   IEEE binary16, 2 bytes
//   BF16  the high half of a float32, 2 bytes
//   Q8_0  blocks of 32: float16 scale d, 32 signed bytes q; value = q * d (34 bytes)
//   Q4_0  blocks of 32: float16 scale d, 16 bytes; byte j holds value j (low nibble) and j + 16 (high);
//         value = (nibble - 8) * d (18 bytes)
// Also the work-group reductions (reduce_sum, reduce_max) that ops.cl, built after this file, uses.
// Helpers are plain functions, not C99 `inline` ones (those need an external definition elsewhere).

float w_F32(global const uchar* row, int c) {
    return ((global const float*) row)[c];
}

float w_F16(global const uchar* row, int c) {
    return vload_half(c, (global const half*) row);
}

float w_BF16(global const uchar* row, int c) {
    return as_float(((uint) ((global const ushort*) row)[c]) << 16);
}

float w_Q8_0(global const uchar* row, int c) {
    global const uchar* b = row + 34 * (c >> 5);
    float d = vload_half(0, (global const half*) b);
    return (float) ((char) b[2 + (c & 31)]) * d;
}

float w_Q4_0(global const uchar* row, int c) {
    global const uchar* b = row + 18 * (c >> 5);
    float d = vload_half(0, (global const half*) b);
    int j = c & 31;
    uint q = b[2 + (j & 15)];
    int nib = j < 16 ? (int) (q & 15u) : (int) (q >> 4);
    return (float) (nib - 8) * d;
}

// Sum of red[0 .. get_local_size(0)) into red[0]; the local size is a power of two. Every work-item calls it.
float reduce_sum(local float* red, float v) {
    int lid = get_local_id(0), l = get_local_size(0);
    red[lid] = v;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int s = l >> 1; s > 0; s >>= 1) {
        if (lid < s) {
            red[lid] += red[lid + s];
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    float r = red[0];
    barrier(CLK_LOCAL_MEM_FENCE);
    return r;
}

float reduce_max(local float* red, float v) {
    int lid = get_local_id(0), l = get_local_size(0);
    red[lid] = v;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int s = l >> 1; s > 0; s >>= 1) {
        if (lid < s) {
            red[lid] = fmax(red[lid], red[lid + s]);
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    float r = red[0];
    barrier(CLK_LOCAL_MEM_FENCE);
    return r;
}

// The quantized value j of a block (before the scale).
float q_Q8_0(global const uchar* b, int j) {
    return (float) ((char) b[2 + j]);
}

#define BLOCK_BYTES_Q8_0 34

// The column loops of a matmul work-item over weight row `row`: ROW1 adds w[r, c] * x0[c] into s0, ROWN
// adds w[r, c] * xi[j * cols + c] into s[j] for the R activation rows of a block (each weight
// read once for all of them). Plain formats go one column at a time, strided over the group; quantized
// ones one 32-value block at a time (its scale read once; Q4_0 takes the two values of a byte at once). Every product is the dequantized value times
// the activation, as on the CPU; only the summation order differs.
#define ROW1_PLAIN(FMT)                                                                                 \
    for (int c = lid; c < cols; c += l) {                                                               \
        s0 += w_##FMT(row, c) * x0[c];                                                                  \
    }
#define ROWN_PLAIN(FMT, R)                                                                                \
    for (int c = lid; c < cols; c += l) {                                                               \
        float wv = w_##FMT(row, c);                                                                     \
        for (int j = 0; j < R; j++) {                                                         \
            s[j] += wv * xi[(long) j * cols + c];                                                       \
        }                                                                                               \
    }
#define ROW1_BLOCKS(FMT)                                                                                \
    for (int blk = lid; blk < (cols >> 5); blk += l) {                                                  \
        global const uchar* b = row + BLOCK_BYTES_##FMT * blk;                                          \
        float d = vload_half(0, (global const half*) b);                                                \
        global const float* xb = x0 + (blk << 5);                                                       \
        for (int jj = 0; jj < 32; jj++) {                                                               \
            s0 += (q_##FMT(b, jj) * d) * xb[jj];                                                        \
        }                                                                                               \
    }
#define ROWN_BLOCKS(FMT, R)                                                                               \
    for (int blk = lid; blk < (cols >> 5); blk += l) {                                                  \
        global const uchar* b = row + BLOCK_BYTES_##FMT * blk;                                          \
        float d = vload_half(0, (global const half*) b);                                                \
        for (int jj = 0; jj < 32; jj++) {                                                               \
            float wv = q_##FMT(b, jj) * d;                                                              \
            int c = (blk << 5) + jj;                                                                    \
            for (int j = 0; j < R; j++) {                                                     \
                s[j] += wv * xi[(long) j * cols + c];                                                   \
            }                                                                                           \
        }                                                                                               \
    }

// Q4_0: the two values a byte holds (j and j + 16) at once.
#define ROW1_Q4(FMT)                                                                                    \
    for (int blk = lid; blk < (cols >> 5); blk += l) {                                                  \
        global const uchar* b = row + 18 * blk;                                                         \
        float d = vload_half(0, (global const half*) b);                                                \
        global const float* xb = x0 + (blk << 5);                                                       \
        for (int jj = 0; jj < 16; jj++) {                                                               \
            uint q = b[2 + jj];                                                                         \
            s0 += ((float) ((int) (q & 15u) - 8) * d) * xb[jj];                                         \
            s0 += ((float) ((int) (q >> 4) - 8) * d) * xb[jj + 16];                                     \
        }                                                                                               \
    }
#define ROWN_Q4(FMT, R)                                                                                   \
    for (int blk = lid; blk < (cols >> 5); blk += l) {                                                  \
        global const uchar* b = row + 18 * blk;                                                         \
        float d = vload_half(0, (global const half*) b);                                                \
        for (int jj = 0; jj < 16; jj++) {                                                               \
            uint q = b[2 + jj];                                                                         \
            float lo = (float) ((int) (q & 15u) - 8) * d, hi = (float) ((int) (q >> 4) - 8) * d;        \
            int c = (blk << 5) + jj;                                                                    \
            for (int j = 0; j < R; j++) {                                                     \
                s[j] += lo * xi[(long) j * cols + c] + hi * xi[(long) j * cols + c + 16];               \
            }                                                                                           \
        }                                                                                               \
    }

// R activation rows at a time, while R remain: each weight read once for them, then R reductions.
#define MATMUL_BLOCK(FMT, KIND, R)                                                                      \
        for (; i0 + R <= n; i0 += R) {                                                                  \
            global const float* xi = x + xo + (long) i0 * cols;                                         \
            float s[R];                                                                                 \
            for (int j = 0; j < R; j++) {                                                               \
                s[j] = 0.0f;                                                                            \
            }                                                                                           \
            ROWN_##KIND(FMT, R)                                                                         \
            for (int j = 0; j < R; j++) {                                                               \
                red[j * l + lid] = s[j];                                                                \
            }                                                                                           \
            barrier(CLK_LOCAL_MEM_FENCE);                                                               \
            for (int st = l >> 1; st > 0; st >>= 1) {                                                   \
                if (lid < st) {                                                                         \
                    for (int j = 0; j < R; j++) {                                                       \
                        red[j * l + lid] += red[j * l + lid + st];                                      \
                    }                                                                                   \
                }                                                                                       \
                barrier(CLK_LOCAL_MEM_FENCE);                                                           \
            }                                                                                           \
            for (int j = lid; j < R; j += l) {                                                          \
                float v = red[j * l];                                                                   \
                out[oo + (long) (i0 + j) * rows + r] = hasBias ? v + b0 : v;                            \
            }                                                                                           \
            barrier(CLK_LOCAL_MEM_FENCE);                                                               \
        }

// matmul: out[oo + i * rows + r] = sum_c w[r, c] * x[xo + i * cols + c] (+ bias[bo + r]) for i < n.
// Each work-group takes rowsPerGroup consecutive output features r (the host picks it so that the device
// has a few dozen groups per compute unit); its work-items stride over the columns, then the group
// reduces. Activation rows go eight at a time, then four, then one at a time.
// red holds 8 * local size floats (OpenClKernels.MATMUL_ROWS).
#define MATMUL(FMT, KIND)                                                                               \
kernel void matmul_##FMT(global const uchar* w, int rows, int cols, long rowBytes,                       \
                         global const float* x, int xo, int n, global float* out, int oo,               \
                         global const float* bias, int bo, int hasBias, int rowsPerGroup,               \
                         local float* red) {                                                            \
    int lid = get_local_id(0), l = get_local_size(0);                                                   \
    int r1 = min(rows, (int) (get_group_id(0) + 1) * rowsPerGroup);                                     \
    for (int r = get_group_id(0) * rowsPerGroup; r < r1; r++) {                                         \
        global const uchar* row = w + (long) r * rowBytes;                                              \
        float b0 = hasBias ? bias[bo + r] : 0.0f;                                                       \
        int i0 = 0;                                                                                     \
        MATMUL_BLOCK(FMT, KIND, 8)                                                                      \
        MATMUL_BLOCK(FMT, KIND, 4)                                                                      \
        for (; i0 < n; i0++) {                                                                          \
            global const float* x0 = x + xo + (long) i0 * cols;                                         \
            float s0 = 0.0f;                                                                            \
            ROW1_##KIND(FMT)                                                                            \
            s0 = reduce_sum(red, s0);                                                                   \
            if (lid == 0) {                                                                             \
                out[oo + (long) i0 * rows + r] = hasBias ? s0 + b0 : s0;                                \
            }                                                                                           \
        }                                                                                               \
    }                                                                                                   \
}

// embed: out[oo + i * cols + c] = table[ids[i], c]; one work-item per output value.
#define EMBED(FMT)                                                                                      \
kernel void embed_##FMT(global const uchar* w, int cols, long rowBytes, global const int* ids, int n,   \
                        global float* out, int oo) {                                                    \
    long g = get_global_id(0);                                                                          \
    if (g >= (long) n * cols) {                                                                         \
        return;                                                                                         \
    }                                                                                                   \
    int i = (int) (g / cols), c = (int) (g % cols);                                                     \
    out[oo + g] = w_##FMT(w + (long) ids[i] * rowBytes, c);                                             \
}

// conv1d, kernel 3, padding 1: out[oo + t * cOut + co] = sum_{ci,k} w[co, ci * 3 + k] * x[t * stride + k - 1, ci]
// (+ bias[co]); one work-item per output value, x time-major [tIn, cIn].
#define CONV(FMT)                                                                                       \
kernel void conv1d3_##FMT(global const uchar* w, int cOut, int cIn, long rowBytes,                      \
                          global const float* x, int xo, int tIn, int stride, int tOut,                 \
                          global float* out, int oo, global const float* bias, int bo, int hasBias) {   \
    long g = get_global_id(0);                                                                          \
    if (g >= (long) tOut * cOut) {                                                                      \
        return;                                                                                         \
    }                                                                                                   \
    int t = (int) (g / cOut), co = (int) (g % cOut);                                                    \
    global const uchar* row = w + (long) co * rowBytes;                                                 \
    float s = 0.0f;                                                                                     \
    for (int ci = 0; ci < cIn; ci++) {                                                                  \
        for (int k = 0; k < 3; k++) {                                                                   \
            int ti = t * stride + k - 1;                                                                \
            if (ti >= 0 && ti < tIn) {                                                                  \
                s += w_##FMT(row, ci * 3 + k) * x[xo + (long) ti * cIn + ci];                           \
            }                                                                                           \
        }                                                                                               \
    }                                                                                                   \
    out[oo + g] = hasBias ? s + bias[bo + co] : s;                                                      \
}

MATMUL(F32, PLAIN)
MATMUL(F16, PLAIN)
MATMUL(BF16, PLAIN)
MATMUL(Q8_0, BLOCKS)
MATMUL(Q4_0, Q4)
EMBED(F32)
EMBED(F16)
EMBED(BF16)
EMBED(Q8_0)
EMBED(Q4_0)
CONV(F32)
CONV(F16)
CONV(BF16)
CONV(Q8_0)
CONV(Q4_0)
