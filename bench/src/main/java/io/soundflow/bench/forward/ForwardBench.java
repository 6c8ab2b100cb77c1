package io.soundflow.bench.forward;

import io.soundflow.bench.kernels.MachineProbe;
import io.soundflow.engine.model.AudioEncoderConfig;
import io.soundflow.engine.model.AudioTower;
import io.soundflow.engine.model.KvCache;
import io.soundflow.engine.model.Probe;
import io.soundflow.engine.model.TextDecoder;
import io.soundflow.engine.model.TextDecoderConfig;
import io.soundflow.kernels.Backends;
import io.soundflow.kernels.Kernels;
import io.soundflow.kernels.WeightFormat;

import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;

/**
 * End-to-end model speed at the real Qwen2.5-Omni-3B shapes with random weights: decode tokens/s,
 * prefill of a block of tokens, and the audio tower on a 400 ms (40-frame) and a 2 s (200-frame)
 * window, each against this machine's roofline (decode: weight bytes per token over the measured read
 * bandwidth; prefill and encoder: FLOPs over the measured FMA peak), per weight format.
 */
public final class ForwardBench {
    /** What to run. */
    public record Settings(List<WeightFormat> formats, int decodeTokens, int prefillTokens, int layers,
                           boolean encoder, int repeats, double readGBs, double fmaGflops, boolean profile) {
    }

    /**
     * One measured row: {@code key} names it for machines ({@code decode}, {@code prefill13},
     * {@code encoder40}, ...), {@code what} for people; {@code fraction} is of the roofline the row is
     * bound by (read bandwidth for decode, FMA peak for the rest).
     */
    public record Row(String format, String key, String what, double ms, double perSecond, String unit, double fraction) {
        /** The row as one JSON object (the {@code --json} line), with the ceilings it was measured against. */
        public Map<String, Object> toJson(MachineProbe.Ceilings ceilings) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("format", format.toLowerCase(Locale.ROOT));
            m.put("what", key);
            m.put("ms", ms);
            m.put("rate", perSecond);
            m.put("unit", unit);
            m.put("roofline_fraction", fraction);
            m.put("read_gbs", ceilings.readGBs());
            m.put("fma_gflops", ceilings.fmaGflops());
            m.put("threads", ceilings.threads());
            m.put("vector_bits", ceilings.vectorBits());
            return m;
        }
    }

    /** The rows and the ceilings their roofline fractions use. */
    public record Result(List<Row> rows, MachineProbe.Ceilings ceilings) {
    }

    private final Settings settings;
    private final PrintStream out;
    private TimingKernels timing;

    public ForwardBench(Settings settings, PrintStream out) {
        this.settings = settings;
        this.out = out;
    }

    public Result run() {
        TextDecoderConfig t0 = RandomModel.TEXT_3B;
        TextDecoderConfig tc = new TextDecoderConfig(t0.hidden(), settings.layers(), t0.heads(), t0.kvHeads(),
                t0.headDim(), t0.intermediate(), t0.vocab(), t0.rmsEps(), t0.ropeTheta(), t0.maxPositions());
        long need = 0;
        for (WeightFormat f : settings.formats()) { // one format's weights at a time: the peak is the largest
            need = Math.max(need, RandomModel.bytes(f, tc, settings.encoder() ? RandomModel.AUDIO_3B : null));
        }
        long available = MemoryCheck.availableBytes();
        out.printf(Locale.ROOT, "memory: the random weights need %.1f GB off-heap at the peak (the largest format), "
                + "%s available%n", need / 1e9, available < 0 ? "unknown" : String.format(Locale.ROOT, "%.1f GB", available / 1e9));
        if (available >= 0 && need > available) {
            int fit = 0; // the most layers that fit in every listed format
            for (int l = tc.layers() - 1; l >= 1 && fit == 0; l--) {
                TextDecoderConfig fewer = new TextDecoderConfig(tc.hidden(), l, tc.heads(), tc.kvHeads(), tc.headDim(),
                        tc.intermediate(), tc.vocab(), tc.rmsEps(), tc.ropeTheta(), tc.maxPositions());
                long most = 0;
                for (WeightFormat f : settings.formats()) {
                    most = Math.max(most, RandomModel.bytes(f, fewer, settings.encoder() ? RandomModel.AUDIO_3B : null));
                }
                fit = most <= available ? l : 0;
            }
            throw new IllegalStateException(String.format(Locale.ROOT, "the random %d-layer weights need %.1f GB of memory "
                    + "but %.1f GB are available; %s", tc.layers(), need / 1e9, available / 1e9, fit > 0
                    ? "use --layers " + fit + " (the most that fit), fewer --formats (q4_0 needs the least) or --no-encoder"
                    : "not even one layer fits in these formats: try --formats q4_0 --no-encoder"));
        }
        Kernels k = Backends.get();
        TimingKernels timing = settings.profile() ? new TimingKernels(k) : null;
        if (timing != null) {
            k = timing;
        }
        this.timing = timing;
        out.printf(Locale.ROOT, "backend %s, %d threads; probing the %s...%n", k.name(),
                io.soundflow.kernels.KernelPool.get().threads(),
                Backends.get() instanceof io.soundflow.kernels.DeviceCeilings ? "device" : "machine");
        MachineProbe.Ceilings ceil = MachineProbe.measure(Backends.get(), 1L << 30, 3);
        out.printf(Locale.ROOT, "measured: read bandwidth %.1f GB/s, FMA peak %.1f GFLOP/s%n", ceil.readGBs(), ceil.fmaGflops());
        if (settings.readGBs() > 0 || settings.fmaGflops() > 0) {
            ceil = new MachineProbe.Ceilings(settings.readGBs() > 0 ? settings.readGBs() : ceil.readGBs(),
                    settings.fmaGflops() > 0 ? settings.fmaGflops() : ceil.fmaGflops(), ceil.threads(), ceil.vectorBits());
            out.printf(Locale.ROOT, "roofline uses: read bandwidth %.1f GB/s, FMA peak %.1f GFLOP/s (given)%n",
                    ceil.readGBs(), ceil.fmaGflops());
        }
        List<Row> rows = new ArrayList<>();
        for (WeightFormat f : settings.formats()) {
            try (Arena arena = Arena.ofShared()) {
                long g0 = System.nanoTime();
                RandomModel rm = new RandomModel(arena, k, f);
                TextDecoder text = rm.text(tc);
                long textBytes = rm.matrixBytes;
                out.printf(Locale.ROOT, "%s: %d-layer decoder, %.2f GB of weights generated in %.1f s%n", f,
                        tc.layers(), textBytes / 1e9, (System.nanoTime() - g0) / 1e9);
                // bytes read per decoded token: every matrix but the embedding table (one row of it)
                long perToken = textBytes - f.matrixBytes(tc.vocab(), tc.hidden()) + f.rowBytes(tc.hidden());
                rows.add(decode(f, text, perToken, ceil));
                if (settings.prefillTokens() > 0) {
                    rows.add(prefill(f, text, tc, ceil));
                }
                if (settings.encoder()) {
                    AudioTower tower = rm.audio(RandomModel.AUDIO_3B);
                    rows.add(encoder(f, tower, 40, ceil));
                    rows.add(encoder(f, tower, 200, ceil));
                }
            }
        }
        if (settings.readGBs() <= 0 || settings.fmaGflops() <= 0) {
            // the host is shared: probe again after the runs and keep the best ceilings seen
            MachineProbe.Ceilings again = MachineProbe.measure(Backends.get(), 1L << 30, 3);
            MachineProbe.Ceilings best = new MachineProbe.Ceilings(
                    settings.readGBs() > 0 ? settings.readGBs() : Math.max(ceil.readGBs(), again.readGBs()),
                    settings.fmaGflops() > 0 ? settings.fmaGflops() : Math.max(ceil.fmaGflops(), again.fmaGflops()),
                    ceil.threads(), ceil.vectorBits());
            out.printf(Locale.ROOT, "measured again: read bandwidth %.1f GB/s, FMA peak %.1f GFLOP/s; "
                    + "roofline uses the best: %.1f GB/s, %.1f GFLOP/s%n", again.readGBs(), again.fmaGflops(),
                    best.readGBs(), best.fmaGflops());
            List<Row> rescaled = new ArrayList<>();
            for (Row r : rows) {
                double scale = r.key().equals("decode") ? ceil.readGBs() / best.readGBs()
                        : ceil.fmaGflops() / best.fmaGflops();
                rescaled.add(new Row(r.format(), r.key(), r.what(), r.ms(), r.perSecond(), r.unit(), r.fraction() * scale));
            }
            rows = rescaled;
            ceil = best;
        }
        out.println();
        out.printf(Locale.ROOT, "%-6s %-28s %10s %12s %10s%n", "format", "what", "ms", "rate", "roofline");
        for (Row r : rows) {
            out.printf(Locale.ROOT, "%-6s %-28s %10.1f %8.2f %-4s %9.0f%%%n", r.format(), r.what(), r.ms(),
                    r.perSecond(), r.unit(), 100 * r.fraction());
        }
        out.println("roofline: decode = (weight bytes per token / read bandwidth) / time; "
                + "prefill, encoder = (FLOPs / FMA peak) / time.");
        return new Result(rows, ceil);
    }

    private Row decode(WeightFormat f, TextDecoder text, long bytesPerToken, MachineProbe.Ceilings ceil) {
        int n = settings.decodeTokens();
        KvCache cache = text.newCache(4 + 2 + n, false);
        int[] none = new int[0];
        text.forward(cache, new int[] {1, 2, 3, 4}, none, new float[0], new int[] {3}, Probe.NONE);
        for (int i = 0; i < 2; i++) { // warm-up
            text.forward(cache, new int[] {5 + i}, none, new float[0], new int[] {0}, Probe.NONE);
        }
        resetProfile();
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            text.forward(cache, new int[] {100 + i}, none, new float[0], new int[] {0}, Probe.NONE);
        }
        double ms = (System.nanoTime() - t0) / 1e6 / n;
        printProfile("decode x" + n);
        double floorMs = bytesPerToken / (ceil.readGBs() * 1e9) * 1e3;
        out.printf(Locale.ROOT, "  decode: %.1f ms/token (floor %.1f ms at %.2f GB/token)%n", ms, floorMs, bytesPerToken / 1e9);
        return new Row(f.name(), "decode", "decode (1 token)", ms, 1000 / ms, "tok/s", floorMs / ms);
    }

    private Row prefill(WeightFormat f, TextDecoder text, TextDecoderConfig c, MachineProbe.Ceilings ceil) {
        int n = settings.prefillTokens();
        int[] ids = new int[n];
        Arrays.setAll(ids, i -> 1000 + i);
        double best = Double.MAX_VALUE;
        for (int r = 0; r < Math.max(1, settings.repeats()); r++) {
            KvCache cache = text.newCache(n, false);
            resetProfile();
            long t0 = System.nanoTime();
            text.forward(cache, ids, new int[0], new float[0], new int[] {n - 1}, Probe.NONE);
            best = Math.min(best, (System.nanoTime() - t0) / 1e6);
        }
        printProfile("prefill (last run)");
        long h = c.hidden(), q = c.qDim(), kv = c.kvDim(), ff = c.intermediate();
        double perLayer = 2.0 * n * (h * q + 2 * h * kv + q * h + 3 * h * ff) + 2.0 * 2 * q * ((double) n * (n + 1) / 2);
        double flops = c.layers() * perLayer + 2.0 * h * c.vocab();
        double floorMs = flops / (ceil.fmaGflops() * 1e9) * 1e3;
        out.printf(Locale.ROOT, "  prefill %d tokens: %.1f ms (%.1f GFLOP, floor %.1f ms)%n", n, best, flops / 1e9, floorMs);
        return new Row(f.name(), "prefill" + n, "prefill (" + n + " tokens)", best, n / (best / 1e3), "tok/s", floorMs / best);
    }

    private Row encoder(WeightFormat f, AudioTower tower, int frames, MachineProbe.Ceilings ceil) {
        AudioEncoderConfig c = tower.config();
        float[] mel = new float[c.melBins() * frames];
        for (int i = 0; i < mel.length; i++) {
            mel[i] = (float) Math.sin(i * 0.01);
        }
        tower.encode(mel, frames, frames, Probe.NONE); // warm-up
        double best = Double.MAX_VALUE;
        for (int r = 0; r < Math.max(1, settings.repeats()); r++) {
            resetProfile();
            long t0 = System.nanoTime();
            tower.encode(mel, frames, frames, Probe.NONE);
            best = Math.min(best, (System.nanoTime() - t0) / 1e6);
        }
        printProfile("encoder " + frames + " frames (last run)");
        double flops = encoderFlops(c, frames);
        double floorMs = flops / (ceil.fmaGflops() * 1e9) * 1e3;
        String what = frames == 40 ? "encoder 400 ms (40 frames)" : "encoder " + frames / 100.0 + " s (" + frames + " frames)";
        out.printf(Locale.ROOT, "  %s: %.1f ms (%.1f GFLOP, floor %.1f ms)%n", what, best, flops / 1e9, floorMs);
        return new Row(f.name(), "encoder" + frames, what, best, (frames / 100.0) / (best / 1e3), "x RT", floorMs / best);
    }

    private void resetProfile() {
        if (timing != null) {
            timing.reset();
        }
    }

    private void printProfile(String title) {
        if (timing != null) {
            timing.print(out, title);
        }
    }

    /** Multiply-add FLOPs of one window of {@code frames} mel frames through the tower. */
    static double encoderFlops(AudioEncoderConfig c, int frames) {
        double d = c.dModel(), t = (frames - 1) / 2 + 1, ff = c.ffnDim();
        double conv = 2.0 * frames * d * c.melBins() * 3 + 2.0 * t * d * d * 3;
        double layer = 2.0 * t * d * d * 4 + 2.0 * 2 * t * d * ff + 2.0 * 2 * t * t * d;
        double proj = 2.0 * Math.floor(t / 2) * d * c.outputDim();
        return conv + c.layers() * layer + proj;
    }
}
