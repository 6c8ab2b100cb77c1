// Element-wise, normalisation, RoPE, pooling, argmax, attention and float16 storage kernels.
// The math is Kernels' javadoc; ScalarKernels is the reference every kernel is tested against.
// Every buffer argument is followed by its offset in elements (views of a larger buffer).

kernel void add(global const float* a, int ao, global const float* b, int bo, global float* out, int oo, int n) {
    int i = get_global_id(0);
    if (i < n) {
        out[oo + i] = a[ao + i] + b[bo + i];
    }
}

kernel void silu_mul(global const float* g, int go, global const float* u, int uo, global float* out, int oo, int n) {
    int i = get_global_id(0);
    if (i < n) {
        float v = g[go + i];
        out[oo + i] = v / (1.0f + exp(-v)) * u[uo + i];
    }
}

// erfc(z) for z >= 0: Numerical Recipes' Chebyshev fit (fractional error below 1.2e-7), as the vector
// backend computes it. The device's own erf is not used: PoCL 3.1 built for skylake-avx512 (on an Intel
// Sapphire Rapids host) returned GELU values 2.6e-4 off in relative error.
float erfc_nr(float z) {
    float t = 1.0f / (1.0f + 0.5f * z);
    float p = -1.26551223f + t * (1.00002368f + t * (0.37409196f + t * (0.09678418f + t * (-0.18628806f
            + t * (0.27886807f + t * (-1.13520398f + t * (1.48851587f + t * (-0.82215223f + t * 0.17087277f))))))));
    return t * exp(p - z * z);
}

// Exact GELU: 0.5 x (1 + erf(x / sqrt 2)) = 0.5 x erfc(-x / sqrt 2), which for x >= 0 is
// x - 0.5 x erfc(x / sqrt 2): written so that the negative tail, where 1 + erf cancels, keeps its accuracy.
kernel void gelu(global float* x, int xo, int n) {
    int i = get_global_id(0);
    if (i < n) {
        float v = x[xo + i];
        float half_ = 0.5f * v * erfc_nr(fabs(v) * 0.70710678118654752f);
        x[xo + i] = v < 0.0f ? half_ : v - half_;
    }
}

kernel void avg_pool2(global const float* x, int xo, int half_t, int d, global float* out, int oo) {
    int g = get_global_id(0);
    if (g < half_t * d) {
        int i = g / d, j = g % d;
        out[oo + g] = (x[xo + 2 * i * d + j] + x[xo + (2 * i + 1) * d + j]) * 0.5f;
    }
}

// One work-group per row of width d.
kernel void rms_norm(global const float* x, int xo, global const float* w, int wo, float eps, int d,
                     global float* out, int oo, local float* red) {
    int row = get_group_id(0), lid = get_local_id(0), l = get_local_size(0);
    global const float* xr = x + xo + (long) row * d;
    float ss = 0.0f;
    for (int j = lid; j < d; j += l) {
        ss += xr[j] * xr[j];
    }
    ss = reduce_sum(red, ss);
    float inv = 1.0f / sqrt(ss / d + eps);
    global float* o = out + oo + (long) row * d;
    for (int j = lid; j < d; j += l) {
        o[j] = w[wo + j] * (xr[j] * inv);
    }
}

kernel void layer_norm(global const float* x, int xo, global const float* w, int wo, global const float* b, int bo,
                       float eps, int d, global float* out, int oo, local float* red) {
    int row = get_group_id(0), lid = get_local_id(0), l = get_local_size(0);
    global const float* xr = x + xo + (long) row * d;
    float s = 0.0f;
    for (int j = lid; j < d; j += l) {
        s += xr[j];
    }
    float mean = reduce_sum(red, s) / d;
    float v = 0.0f;
    for (int j = lid; j < d; j += l) {
        float c = xr[j] - mean;
        v += c * c;
    }
    float var = reduce_sum(red, v) / d;
    float inv = 1.0f / sqrt(var + eps);
    global float* o = out + oo + (long) row * d;
    for (int j = lid; j < d; j += l) {
        o[j] = (xr[j] - mean) * inv * w[wo + j] + b[bo + j];
    }
}

// Softmax in place, one work-group per row.
kernel void softmax(global float* x, int xo, int d, local float* red) {
    int row = get_group_id(0), lid = get_local_id(0), l = get_local_size(0);
    global float* xr = x + xo + (long) row * d;
    float m = -INFINITY;
    for (int j = lid; j < d; j += l) {
        m = fmax(m, xr[j]);
    }
    m = reduce_max(red, m);
    float s = 0.0f;
    for (int j = lid; j < d; j += l) {
        float e = exp(xr[j] - m);
        xr[j] = e;
        s += e;
    }
    float inv = 1.0f / reduce_sum(red, s);
    for (int j = lid; j < d; j += l) {
        xr[j] *= inv;
    }
}

// Rotate-half RoPE in place on x [n, heads * headDim]; angle = positions[t] * invFreq[i] (float32 product).
// pf holds the n positions, then invFreq from pf[invOff].
kernel void rope(global float* x, int xo, int n, int heads, int headDim, global const float* pf, int invOff) {
    int half_d = headDim / 2;
    int g = get_global_id(0);
    if (g >= n * heads * half_d) {
        return;
    }
    int i = g % half_d, h = (g / half_d) % heads, t = g / (half_d * heads);
    float angle = pf[t] * pf[invOff + i];
    float c = cos(angle), s = sin(angle);
    int o = xo + t * heads * headDim + h * headDim + i;
    float x1 = x[o], x2 = x[o + half_d];
    x[o] = x1 * c - x2 * s;
    x[o + half_d] = x2 * c + x1 * s;
}

// argmax over x[xo .. xo + n) in one work-group: ties to the lowest index; a non-finite value anywhere
// makes the answer -1 - (index of the first one). result[0] receives the answer.
kernel void argmax(global const float* x, int xo, int n, global int* result,
                   local float* vals, local int* idx, local int* bad) {
    int lid = get_local_id(0), l = get_local_size(0);
    float bv = -INFINITY;
    int bi = INT_MAX, firstBad = INT_MAX;
    for (int i = lid; i < n; i += l) {
        float v = x[xo + i];
        if (!isfinite(v)) {
            firstBad = min(firstBad, i);
        } else if (bi == INT_MAX || v > bv) {
            bv = v;
            bi = i;
        }
    }
    vals[lid] = bv;
    idx[lid] = bi;
    bad[lid] = firstBad;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int s = l >> 1; s > 0; s >>= 1) {
        if (lid < s) {
            float ov = vals[lid + s];
            int oi = idx[lid + s];
            if (oi != INT_MAX && (idx[lid] == INT_MAX || ov > vals[lid] || (ov == vals[lid] && oi < idx[lid]))) {
                vals[lid] = ov;
                idx[lid] = oi;
            }
            bad[lid] = min(bad[lid], bad[lid + s]);
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (lid == 0) {
        result[0] = bad[0] != INT_MAX ? -1 - bad[0] : idx[0];
    }
}

// Causal grouped-query attention, one work-group per (token t, head h): scores over cache rows
// 0 .. start + t into scratch, a softmax as ScalarKernels.softmaxRow, then the weighted sum of values.
#define ATTENTION(NAME, KV, LOAD)                                                                       \
kernel void NAME(global const float* q, int qo, global const KV* k, int ko, global const KV* v, int vo, \
                 int start, int heads, int kvHeads, int headDim, global float* out, int oo,             \
                 global float* scratch, int scratchStride, float scale, local float* red) {              \
    int g = get_group_id(0), lid = get_local_id(0), l = get_local_size(0);                               \
    int t = g / heads, h = g % heads;                                                                   \
    int len = start + t + 1, kvh = h / (heads / kvHeads);                                               \
    int qStride = heads * headDim, kvStride = kvHeads * headDim;                                        \
    global const float* qp = q + qo + (long) t * qStride + h * headDim;                                 \
    global float* sc = scratch + (long) g * scratchStride;                                              \
    float m = -INFINITY;                                                                                \
    for (int s = lid; s < len; s += l) {                                                                \
        long kb = ko + (long) s * kvStride + kvh * headDim;                                             \
        float dot = 0.0f;                                                                               \
        for (int j = 0; j < headDim; j++) {                                                             \
            dot += qp[j] * LOAD(k, kb + j);                                                             \
        }                                                                                               \
        float d = dot * scale;                                                                          \
        sc[s] = d;                                                                                      \
        m = fmax(m, d);                                                                                 \
    }                                                                                                   \
    m = reduce_max(red, m);                                                                             \
    float sum = 0.0f;                                                                                   \
    for (int s = lid; s < len; s += l) {                                                                \
        float e = exp(sc[s] - m);                                                                       \
        sc[s] = e;                                                                                      \
        sum += e;                                                                                       \
    }                                                                                                   \
    float inv = 1.0f / reduce_sum(red, sum);                                                            \
    barrier(CLK_GLOBAL_MEM_FENCE);                                                                      \
    global float* op = out + oo + (long) t * qStride + h * headDim;                                     \
    for (int j = lid; j < headDim; j += l) {                                                            \
        float acc = 0.0f;                                                                               \
        for (int s = 0; s < len; s++) {                                                                 \
            acc += (sc[s] * inv) * LOAD(v, vo + (long) s * kvStride + kvh * headDim + j);              \
        }                                                                                               \
        op[j] = acc;                                                                                    \
    }                                                                                                   \
}

#define LOAD_F32(p, i) ((p)[i])
#define LOAD_F16(p, i) vload_half((i), (p))
ATTENTION(attention_causal_f32, float, LOAD_F32)
ATTENTION(attention_causal_f16, half, LOAD_F16)

// Attention inside windows, one work-group per (token i, head h); windowStart holds the prefix sums of
// the window lengths (nw + 1 values), q/k/v/out are [t, heads * headDim].
kernel void attention_windowed(global const float* q, int qo, global const float* k, int ko, global const float* v,
                               int vo, global const int* windowStart, int nw, int heads, int headDim,
                               global float* out, int oo, global float* scratch, int scratchStride, float scale,
                               local float* red) {
    int g = get_group_id(0), lid = get_local_id(0), l = get_local_size(0);
    int i = g / heads, h = g % heads;
    int w = 0;
    while (w + 1 < nw && windowStart[w + 1] <= i) {
        w++;
    }
    int w0 = windowStart[w], len = windowStart[w + 1] - w0;
    int stride = heads * headDim;
    global const float* qp = q + qo + (long) i * stride + h * headDim;
    global float* sc = scratch + (long) g * scratchStride;
    float m = -INFINITY;
    for (int s = lid; s < len; s += l) {
        global const float* kp = k + ko + (long) (w0 + s) * stride + h * headDim;
        float dot = 0.0f;
        for (int j = 0; j < headDim; j++) {
            dot += qp[j] * kp[j];
        }
        float d = dot * scale;
        sc[s] = d;
        m = fmax(m, d);
    }
    m = reduce_max(red, m);
    float sum = 0.0f;
    for (int s = lid; s < len; s += l) {
        float e = exp(sc[s] - m);
        sc[s] = e;
        sum += e;
    }
    float inv = 1.0f / reduce_sum(red, sum);
    barrier(CLK_GLOBAL_MEM_FENCE);
    global float* op = out + oo + (long) i * stride + h * headDim;
    for (int j = lid; j < headDim; j += l) {
        float acc = 0.0f;
        for (int s = 0; s < len; s++) {
            acc += (sc[s] * inv) * v[vo + (long) (w0 + s) * stride + h * headDim + j];
        }
        op[j] = acc;
    }
}

// float16 storage: the first index whose finite value rounds (to nearest even) past the float16 range,
// as HeapHalfBuf.writeRounded checks, goes into flag[0] (which starts at INT_MAX).
kernel void half_check(global const float* x, int xo, int n, global int* flag) {
    int i = get_global_id(0);
    if (i < n) {
        float v = x[xo + i];
        if (isfinite(v) && fabs(v) >= 65520.0f) {
            atomic_min(flag, i);
        }
    }
}

kernel void half_store(global const float* x, int xo, int n, global half* dst, int dstOff) {
    int i = get_global_id(0);
    if (i < n) {
        vstore_half_rte(x[xo + i], dstOff + i, dst);
    }
}

// Ceiling probes for the benchmarks' roofline (DeviceCeilings): a streaming read of device memory (the
// best of two access patterns), and
// eight independent FMA chains per work-item.
kernel void probe_read(global const float4* x, long n4, global float* out) {
    long g = get_global_id(0), gs = get_global_size(0);
    float4 s = (float4) (0.0f);
    for (long i = g; i < n4; i += gs) {
        s += x[i];
    }
    out[g] = s.x + s.y + s.z + s.w;
}

// The same read with each work-item on a contiguous slice (the pattern a CPU device prefers).
kernel void probe_read_slices(global const float4* x, long n4, global float* out) {
    long g = get_global_id(0), gs = get_global_size(0);
    long per = (n4 + gs - 1) / gs, from = g * per, to = min(n4, from + per);
    float4 s = (float4) (0.0f);
    for (long i = from; i < to; i++) {
        s += x[i];
    }
    out[g] = s.x + s.y + s.z + s.w;
}

kernel void probe_fma(global float* out, int iters) {
    float b = 1.0f + get_global_id(0) * 1e-9f;
    float a0 = b, a1 = b + 1, a2 = b + 2, a3 = b + 3, a4 = b + 4, a5 = b + 5, a6 = b + 6, a7 = b + 7;
    for (int i = 0; i < iters; i++) {
        a0 = fma(a0, 0.9999f, 1e-6f);
        a1 = fma(a1, 0.9999f, 1e-6f);
        a2 = fma(a2, 0.9999f, 1e-6f);
        a3 = fma(a3, 0.9999f, 1e-6f);
        a4 = fma(a4, 0.9999f, 1e-6f);
        a5 = fma(a5, 0.9999f, 1e-6f);
        a6 = fma(a6, 0.9999f, 1e-6f);
        a7 = fma(a7, 0.9999f, 1e-6f);
    }
    out[get_global_id(0)] = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7;
}
