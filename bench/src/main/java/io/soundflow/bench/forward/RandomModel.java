package io.soundflow.bench.forward;

import io.soundflow.engine.model.AudioEncoderConfig;
import io.soundflow.engine.model.AudioLayer;
import io.soundflow.engine.model.AudioTower;
import io.soundflow.engine.model.DecoderLayer;
import io.soundflow.engine.model.Linear;
import io.soundflow.engine.model.Norm;
import io.soundflow.engine.model.QkvProjection;
import io.soundflow.engine.model.TextDecoder;
import io.soundflow.engine.model.TextDecoderConfig;
import io.soundflow.kernels.FloatBuf;
import io.soundflow.kernels.KernelPool;
import io.soundflow.kernels.Kernels;
import io.soundflow.kernels.WeightFormat;
import io.soundflow.kernels.WeightMatrix;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Random weights at a given shape and format, generated off-heap in an arena (the real checkpoints are
 * not needed to measure speed). Values are small uniform numbers; BF16 and Q8_0 are written directly in
 * their storage layout, so building a 3B model takes seconds. Counts the bytes of every matrix made.
 */
final class RandomModel {
    /** The Qwen2.5-Omni-3B thinker's text decoder shapes (research/qwen25-omni-thinker.md section 4). */
    static final TextDecoderConfig TEXT_3B = new TextDecoderConfig(2048, 36, 16, 2, 128, 11008, 151936, 1e-6f, 1e6, 32768);
    /** Its audio encoder shapes (section 3). */
    static final AudioEncoderConfig AUDIO_3B = new AudioEncoderConfig(128, 1280, 32, 20, 5120, 100, 1500, 2048);

    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Arena arena;
    private final Kernels kernels;
    private final WeightFormat format;
    private long seed = 1;
    /** Bytes of the matrices made so far. */
    long matrixBytes;

    RandomModel(Arena arena, Kernels kernels, WeightFormat format) {
        this.arena = arena;
        this.kernels = kernels;
        this.format = format;
    }

    /** Off-heap bytes {@link #text} and, when {@code audio} is non-null, {@link #audio} allocate in {@code f}, pool included. */
    static long bytes(WeightFormat f, TextDecoderConfig c, AudioEncoderConfig audio) {
        long h = c.hidden(), ff = c.intermediate();
        long perLayer = f.matrixBytes(c.qDim(), (int) h) + 2 * f.matrixBytes(c.kvDim(), (int) h) + f.matrixBytes((int) h, c.qDim())
                + 2 * f.matrixBytes((int) ff, (int) h) + f.matrixBytes((int) h, (int) ff);
        long total = c.layers() * perLayer + 2 * f.matrixBytes(c.vocab(), (int) h) + (64L << 20);
        if (audio != null) {
            int d = audio.dModel();
            total += audio.layers() * (4 * f.matrixBytes(d, d) + 2 * f.matrixBytes(audio.ffnDim(), d))
                    + f.matrixBytes(d, audio.melBins() * 3) + f.matrixBytes(d, d * 3) + f.matrixBytes(audio.outputDim(), d);
        }
        return total;
    }

    WeightMatrix matrix(String name, int rows, int cols) {
        return kernels.upload(stored(name, rows, cols));
    }

    /** A random matrix in the stored layout, not uploaded (an embedding table: only looked up by row). */
    WeightMatrix stored(String name, int rows, int cols) {
        long bytes = format.matrixBytes(rows, cols);
        MemorySegment seg = arena.allocate(bytes, 64);
        MemorySegment src = pool();
        int unit = format.blockBytes;
        long units = bytes / unit, poolUnits = src.byteSize() / unit;
        long piece = 1L << 16; // units per copy
        long start = (seed++ * 7919) % poolUnits;
        int pieces = (int) ((units + piece - 1) / piece);
        KernelPool.get().forRange(pieces, 16, (a, b) -> {
            for (int p = a; p < b; p++) {
                long u0 = p * piece, n = Math.min(piece, units - u0);
                long from = (start + p * 104729L) % (poolUnits - piece);
                MemorySegment.copy(src, from * unit, seg, u0 * unit, n * unit);
            }
        });
        matrixBytes += bytes;
        return new WeightMatrix(name, format, rows, cols, seg);
    }

    private MemorySegment pool;

    /**
     * 64 MiB of random values in this format (whole blocks), copied into every matrix at varying offsets:
     * generating 3 G values one by one would take minutes, and the values do not matter for speed.
     */
    private MemorySegment pool() {
        if (pool != null) {
            return pool;
        }
        int unit = format.blockBytes;
        long units = (64L << 20) / unit;
        pool = arena.allocate(units * unit, 64);
        long x = 0x9E3779B97F4A7C15L;
        for (long u = 0; u < units; u++) {
            long o = u * unit;
            switch (format) {
                case BF16, F16, F32 -> {
                    x ^= x << 13; x ^= x >>> 7; x ^= x << 17;
                    float v = ((x >>> 40) / (float) (1 << 24) - 0.5f) * 0.06f;
                    if (format == WeightFormat.F32) {
                        pool.set(F32, o, v);
                    } else {
                        pool.set(I16, o, format == WeightFormat.BF16 ? (short) (Float.floatToRawIntBits(v) >>> 16)
                                : Float.floatToFloat16(v));
                    }
                }
                case Q8_0, Q4_0 -> {
                    pool.set(I16, o, Float.floatToFloat16(0.03f / 127));
                    for (int j = 2; j < unit; j++) {
                        x ^= x << 13; x ^= x >>> 7; x ^= x << 17;
                        pool.set(ValueLayout.JAVA_BYTE, o + j, (byte) x);
                    }
                }
            }
        }
        return pool;
    }

    FloatBuf vector(int n, float value) {
        FloatBuf b = kernels.alloc(n);
        b.fill(value);
        return b;
    }

    Linear linear(String name, int out, int in, boolean bias) {
        return new Linear(matrix(name, out, in), bias ? vector(out, 0.01f) : null);
    }

    TextDecoder text(TextDecoderConfig c) {
        List<DecoderLayer> layers = new ArrayList<>();
        int h = c.hidden(), f = c.intermediate();
        for (int i = 0; i < c.layers(); i++) {
            layers.add(new DecoderLayer(new Norm(vector(h, 1f), null),
                    new QkvProjection.Split(linear("q", c.qDim(), h, true), linear("k", c.kvDim(), h, true),
                            linear("v", c.kvDim(), h, true)),
                    linear("o", h, c.qDim(), false), new Norm(vector(h, 1f), null),
                    linear("gate", f, h, false), linear("up", f, h, false), linear("down", h, f, false)));
        }
        WeightMatrix embed = stored("embed", c.vocab(), h);
        WeightMatrix head = matrix("lm_head", c.vocab(), h);
        return new TextDecoder(c, kernels, embed, layers, new Norm(vector(h, 1f), null), head);
    }

    AudioTower audio(AudioEncoderConfig c) {
        int d = c.dModel();
        List<AudioLayer> layers = new ArrayList<>();
        for (int i = 0; i < c.layers(); i++) {
            layers.add(new AudioLayer(new Norm(vector(d, 1f), vector(d, 0f)),
                    linear("q", d, d, true), linear("k", d, d, false), linear("v", d, d, true),
                    linear("out", d, d, true), new Norm(vector(d, 1f), vector(d, 0f)),
                    linear("fc1", c.ffnDim(), d, true), linear("fc2", d, c.ffnDim(), true)));
        }
        return new AudioTower(c, kernels, matrix("conv1", d, c.melBins() * 3), vector(d, 0f),
                matrix("conv2", d, d * 3), vector(d, 0f), layers, new Norm(vector(d, 1f), vector(d, 0f)),
                linear("proj", c.outputDim(), d, true));
    }
}
