package io.soundflow.bench.stream;

import io.soundflow.bench.forward.RandomThinker;
import io.soundflow.engine.model.AudioInteractionModel;
import io.soundflow.bench.kernels.MachineProbe;
import io.soundflow.engine.DecoderCache;
import io.soundflow.engine.InteractionModel;
import io.soundflow.engine.audio.AudioInteractionMel;
import io.soundflow.engine.audio.Mel;
import io.soundflow.engine.model.TextDecoderConfig;
import io.soundflow.engine.stream.DrainLayout;
import io.soundflow.engine.stream.FrontEndMode;
import io.soundflow.engine.stream.Session;
import io.soundflow.engine.stream.SessionOptions;
import io.soundflow.engine.stream.StreamEvent;
import io.soundflow.engine.stream.StreamStats;
import io.soundflow.engine.stream.StreamingEngine;
import io.soundflow.kernels.Backends;
import io.soundflow.kernels.Kernels;
import io.soundflow.kernels.WeightFormat;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code soundflow bench stream}: the streaming runtime's speed.
 * <ul>
 *   <li>tiny model, end to end: a session fed at real time (windowed front end, teacher-forced layout);
 *       the session's own metrics: encoder ms per chunk, decision latency (chunk complete to decision),
 *       FCL (end of a response to the next decision), real-time factor;</li>
 *   <li>random weights at the real 3B shapes, component by component through the same model interface
 *       the session calls: encoder (mel + tower) per chunk, the listening forward of one 13-token block,
 *       one decode step, and the FCL forward (the teacher-forced drain of the chunks queued while a
 *       reply of {@code replyTokens} tokens was generated). Decision latency with an idle decoder =
 *       encoder + listening forward; real-time factor = the slower of the two threads / 400 ms.</li>
 * </ul>
 * Each figure is printed beside the paper's 392 ms FCL and this machine's compute roofline for a chunk
 * (encoder + 13-token block FLOPs over the measured FMA peak, about 97 GFLOP at the 3B shapes).
 */
public final class StreamBench {
    /** What to run. */
    public record Settings(double tinySeconds, boolean big, WeightFormat format, int layers, int replyTokens,
                           double fmaGflops) {
    }

    /** One row of the result table. */
    public record Row(String model, String what, double ms, String beside) {
    }

    /**
     * The rows, and per model part one summary for machines ({@code --json}): for the tiny session
     * {@code model, rtf, encoder_ms_per_chunk, decision_p50_ms, decision_p95_ms, fcl_ms, first_decision_ms}
     * (from the session's start, the first chunk's 400 ms of real-time audio included); for the 3B shapes
     * {@code model, format, layers, rtf, encoder_ms_per_chunk, listen_ms, decode_ms, fcl_ms,
     * fcl_queued_chunks, first_chunk_cold_ms} (the first encoder and listening calls, before any
     * warm-up), each with {@code fma_gflops}.
     */
    public record Result(List<Row> rows, List<Map<String, Object>> summaries) {
    }

    private final Settings s;
    private final PrintStream out;

    public StreamBench(Settings s, PrintStream out) {
        this.s = s;
        this.out = out;
    }

    /** Runs the benchmark; {@code tiny} (may be null) is the tiny model and {@code clip} its input. */
    public Result run(StreamingEngine tiny, String tinyName, float[] clip) throws InterruptedException {
        List<Row> rows = new ArrayList<>();
        summaries.clear();
        Kernels k = Backends.get();
        double peak = s.fmaGflops() > 0 ? s.fmaGflops() : MachineProbe.measure(k, 256L << 20, 2).fmaGflops();
        out.printf(Locale.ROOT, "backend %s; FMA peak %.1f GFLOP/s%s%n", k.name(), peak, s.fmaGflops() > 0 ? " (given)" : " (measured)");
        if (tiny != null) {
            rows.addAll(tiny(tiny, tinyName, clip, peak));
        }
        if (s.big()) {
            rows.addAll(big(k, peak));
        }
        out.println();
        out.printf(Locale.ROOT, "%-22s %-44s %10s   %s%n", "model", "what", "ms", "beside");
        for (Row r : rows) {
            out.printf(Locale.ROOT, "%-22s %-44s %10.1f   %s%n", r.model(), r.what(), r.ms(), r.beside());
        }
        return new Result(rows, List.copyOf(summaries));
    }

    private final List<Map<String, Object>> summaries = new ArrayList<>();

    private static Object num(double v) {
        return Double.isNaN(v) ? null : v;
    }

    private List<Row> tiny(StreamingEngine e, String name, float[] clip, double peak) throws InterruptedException {
        int total = (int) (s.tinySeconds() * 16_000);
        float[] x = new float[total];
        for (int i = 0; i < total; i++) {
            x[i] = clip[i % clip.length];
        }
        out.printf(Locale.ROOT, "%s: streaming %.0f s at real time (windowed, teacher-forced)...%n", name, s.tinySeconds());
        SessionOptions o = SessionOptions.defaults().withMode(FrontEndMode.WINDOWED).withLayout(DrainLayout.TEACHER_FORCED)
                .withLenient(true);
        StreamStats st;
        AtomicLong firstDecision = new AtomicLong();
        long started = System.nanoTime();
        try (Session session = e.newSession(o, ev -> {
            if (ev instanceof StreamEvent.Decision) {
                firstDecision.compareAndSet(0, System.nanoTime());
            }
        })) {
            long t0 = System.nanoTime();
            for (int off = 0; off < x.length; off += 1600) {
                long due = t0 + (long) ((off + 1600) * 1e9 / 16_000);
                LockSupport.parkNanos(Math.max(0, due - System.nanoTime()));
                session.accept(x, off, Math.min(1600, x.length - off));
            }
            session.finish();
            session.await(Duration.ofMinutes(5));
            st = session.stats();
        }
        List<Row> rows = new ArrayList<>();
        rows.add(new Row(name, "encoder (mel + tower) per chunk", st.encoderMsPerChunk(), "real time: 400 ms per chunk"));
        rows.add(new Row(name, "decision latency p50", st.decisionP50Ms(), "paper FCL 392 ms"));
        rows.add(new Row(name, "decision latency p95", st.decisionP95Ms(), String.format(Locale.ROOT, "max %.1f ms, stall rate %.1f %%",
                st.decisionMaxMs(), 100 * st.stallRate())));
        rows.add(new Row(name, "FCL (response end -> next decision), mean", st.fclMeanMs(),
                "paper 392 ms; " + st.fclCount() + " responses"));
        rows.add(new Row(name, "real-time factor x 400 ms", st.rtf() * 400, String.format(Locale.ROOT, "RTF %.3f (encoder %.3f, decoder %.3f)",
                st.rtf(), st.encoderRtf(), st.decoderRtf())));
        double first = firstDecision.get() == 0 ? Double.NaN : (firstDecision.get() - started) / 1e6;
        rows.add(new Row(name, "first decision after the session starts", first, "its chunk needs 400 ms of real-time audio"));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", name);
        m.put("rtf", st.rtf());
        m.put("encoder_ms_per_chunk", num(st.encoderMsPerChunk()));
        m.put("decision_p50_ms", num(st.decisionP50Ms()));
        m.put("decision_p95_ms", num(st.decisionP95Ms()));
        m.put("fcl_ms", num(st.fclMeanMs()));
        m.put("first_decision_ms", num(first));
        m.put("fma_gflops", peak);
        summaries.add(m);
        return rows;
    }

    private List<Row> big(Kernels k, double peak) {
        List<Row> rows = new ArrayList<>();
        String name = "3B random " + s.format().name().toLowerCase(Locale.ROOT) + (s.layers() != 36 ? " (" + s.layers() + " layers)" : "");
        try (Arena arena = Arena.ofShared()) {
            long g0 = System.nanoTime();
            AudioInteractionModel m = RandomThinker.build(arena, k, s.format(), s.layers());
            out.printf(Locale.ROOT, "%s: weights generated in %.1f s%n", name, (System.nanoTime() - g0) / 1e9);
            TextDecoderConfig c = m.text().config();
            float[] chunk = new float[6400];
            for (int i = 0; i < chunk.length; i++) {
                chunk[i] = (float) (0.1 * Math.sin(2 * Math.PI * 440 * i / 16000.0));
            }
            io.soundflow.engine.EncoderState encState = m.newEncoderState(); // as a session's encoder thread keeps it
            double[] encTimes = timed(2, () -> {
                Mel mel = AudioInteractionMel.chunkLocal(chunk);
                m.encodeChunk(encState, mel.data(), mel.frames());
            });
            double enc = encTimes[1];
            float[] vectors = m.encodeChunk(AudioInteractionMel.chunkLocal(chunk).data(), 40);
            DecoderCache cache = m.newCache(4096, true);
            m.forward(cache, ids(46, 1000), new int[0], new float[0], new int[] {45}); // a prefix
            int base = cache.length();
            double[] listenTimes = timed(2, () -> {
                cache.truncate(base);
                block(m, cache, 1, vectors);
            });
            double listen = listenTimes[1];
            cache.truncate(base);
            block(m, cache, 1, vectors);
            double decode = best(3, () -> m.greedy(cache, new int[] {1234}, new int[0], new float[0], new int[] {0}));
            int queued = (int) Math.ceil(s.replyTokens() * decode / 400.0);
            int lengthBefore = cache.length();
            double fcl = best(1, () -> {
                cache.truncate(lengthBefore);
                block(m, cache, queued, vectors);
            });
            double chunkFlops = RandomThinker.encoderChunkFlops() + blockFlops(c, 13);
            double floorMs = chunkFlops / (peak * 1e9) * 1e3;
            rows.add(new Row(name, "encoder (mel + tower) per chunk", enc, String.format(Locale.ROOT,
                    "roofline %.1f ms (%.1f GFLOP)", RandomThinker.encoderChunkFlops() / (peak * 1e6), RandomThinker.encoderChunkFlops() / 1e9)));
            rows.add(new Row(name, "listening forward (13-token block)", listen, String.format(Locale.ROOT,
                    "roofline %.1f ms (%.1f GFLOP)", blockFlops(c, 13) / (peak * 1e6), blockFlops(c, 13) / 1e9)));
            rows.add(new Row(name, "decision latency, idle decoder (enc + fwd)", enc + listen, String.format(Locale.ROOT,
                    "roofline %.1f ms for the chunk (%.1f GFLOP); paper FCL 392 ms", floorMs, chunkFlops / 1e9)));
            rows.add(new Row(name, "decode step (1 reply token)", decode, "a reply token"));
            rows.add(new Row(name, "FCL: drain " + queued + " queued chunks (reply " + s.replyTokens() + " tok)", fcl,
                    String.format(Locale.ROOT, "paper 392 ms; roofline %.1f ms (decoder only)",
                            blockFlops(c, 13 * queued) / (peak * 1e6))));
            double rtf = Math.max(enc, listen) / 400.0;
            rows.add(new Row(name, "real-time factor x 400 ms", rtf * 400, String.format(Locale.ROOT,
                    "RTF %.2f (slower thread: %s; both threads share the cores)", rtf, enc > listen ? "encoder" : "decoder")));
            rows.add(new Row(name, "first chunk, cold (encoder + listening forward)", encTimes[0] + listenTimes[0],
                    "the first calls, before any warm-up"));
            Map<String, Object> sm = new LinkedHashMap<>();
            sm.put("model", "3b");
            sm.put("format", s.format().name().toLowerCase(Locale.ROOT));
            sm.put("layers", s.layers());
            sm.put("rtf", rtf);
            sm.put("encoder_ms_per_chunk", enc);
            sm.put("listen_ms", listen);
            sm.put("decode_ms", decode);
            sm.put("fcl_ms", fcl);
            sm.put("fcl_queued_chunks", queued);
            sm.put("first_chunk_cold_ms", encTimes[0] + listenTimes[0]);
            sm.put("fma_gflops", peak);
            summaries.add(sm);
        }
        return rows;
    }

    /** One teacher-forced forward over {@code k} listening blocks (pending token + blocks, silent between). */
    private static void block(InteractionModel m, DecoderCache cache, int k, float[] vectors) {
        int n = 1 + k * 12 + (k - 1);
        int[] ids = new int[n];
        int[] slots = new int[k * 10];
        float[] v = new float[k * vectors.length];
        int p = 0;
        ids[p++] = 151605;
        for (int j = 0; j < k; j++) {
            ids[p++] = 151647;
            for (int i = 0; i < 10; i++) {
                slots[j * 10 + i] = p;
                ids[p++] = 151608;
            }
            ids[p++] = 151602;
            if (j < k - 1) {
                ids[p++] = 151605;
            }
            System.arraycopy(vectors, 0, v, j * vectors.length, vectors.length);
        }
        m.greedy(cache, ids, slots, v, new int[] {n - 1}); // as a session decides: the argmax only
    }

    /** Multiply-add FLOPs of a decoder forward over {@code n} new tokens (short context) with one logit row. */
    static double blockFlops(TextDecoderConfig c, int n) {
        long h = c.hidden(), q = c.qDim(), kv = c.kvDim(), ff = c.intermediate();
        double perLayer = 2.0 * n * (h * q + 2 * h * kv + q * h + 3 * h * ff);
        return c.layers() * perLayer + 2.0 * h * c.vocab();
    }

    private static int[] ids(int n, int from) {
        int[] a = new int[n];
        Arrays.setAll(a, i -> from + i);
        return a;
    }

    private static double best(int repeats, Runnable r) {
        return timed(repeats, r)[1];
    }

    /** {first run (cold), best of the {@code repeats} runs after it}, in ms. */
    private static double[] timed(int repeats, Runnable r) {
        long c0 = System.nanoTime();
        r.run(); // warm-up, timed as the cold run
        double cold = (System.nanoTime() - c0) / 1e6;
        double best = Double.MAX_VALUE;
        for (int i = 0; i < repeats; i++) {
            long t0 = System.nanoTime();
            r.run();
            best = Math.min(best, (System.nanoTime() - t0) / 1e6);
        }
        return new double[] {cold, best};
    }
}
