package io.soundflow.engine.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A simulated one-hour stream (9000 chunks; a quarter hour for the reset policy) through a fake model much faster than real time, with a
 * small KV capacity so that the context policy runs about every 150 chunks: the cache never exceeds
 * its capacity, nothing is dropped, every chunk is decided, and the heap after GC does not grow.
 * Per-chunk times are printed (speed is not asserted in unit tests).
 */
class SoakTest {
    static final int HOUR = 9000; // one hour of 400 ms chunks

    @Test
    void oneHourWithWindowPolicy() throws Exception {
        soak(ContextPolicy.WINDOW, HOUR);
    }

    /** A quarter hour is enough to run the reset policy about 60 times (and keeps the suite's time budget). */
    @Test
    void quarterHourWithResetPolicy() throws Exception {
        soak(ContextPolicy.RESET, HOUR / 4);
    }

    static void soak(ContextPolicy policy, int CHUNKS) throws Exception {
        FakeModel m = new FakeModel(1.2f, 4);
        int capacity = 2000;
        SessionOptions o = SessionOptions.defaults().withMode(FrontEndMode.CHUNK_LOCAL).withLayout(DrainLayout.ONE_BY_ONE)
                .withContext(policy, capacity, 40);
        AtomicLong decisions = new AtomicLong();
        AtomicLong limits = new AtomicLong();
        AtomicLong responses = new AtomicLong();
        long[] chunkDoneNanos = new long[CHUNKS];
        float[] loud = chunk(true);
        float[] quiet = chunk(false);
        long heapEarly = 0;
        try (Session s = FakeModel.engine(m, 1 << 15).newSession(o, e -> {
            switch (e) {
                case StreamEvent.Decision d -> {
                    chunkDoneNanos[(int) d.chunk()] = System.nanoTime();
                    decisions.incrementAndGet();
                }
                case StreamEvent.ContextLimit c -> limits.incrementAndGet();
                case StreamEvent.ResponseEnd r -> responses.incrementAndGet();
                default -> {
                }
            }
        })) {
            for (int c = 0; c < CHUNKS; c++) {
                float[] x = c % 50 == 25 ? loud : quiet;
                for (int off = 0; off < x.length; ) {
                    int n = Math.min(1600, x.length - off);
                    if (s.acceptCapacity() < n) {
                        Thread.sleep(0, 200_000);
                        continue;
                    }
                    off += s.accept(x, off, n);
                }
                if (c == CHUNKS / 8) {
                    heapEarly = usedHeapAfterGc();
                }
            }
            s.finish();
            assertThat(s.await(Duration.ofSeconds(50))).isTrue();
            assertThat(s.failure()).isNull();
            long heapLate = usedHeapAfterGc();
            StreamStats st = s.stats();
            assertThat(decisions.get()).isEqualTo(CHUNKS);
            assertThat(st.droppedSamples()).isZero();
            assertThat(responses.get()).isEqualTo(CHUNKS / 50);
            assertThat(limits.get()).isGreaterThanOrEqualTo(CHUNKS * 13L / capacity);
            assertThat(m.maxLengthSeen).isLessThanOrEqualTo(capacity);
            assertThat(heapLate - heapEarly).as("heap growth over the stream (bytes)").isLessThan(16L << 20);
            double first = perChunkMs(chunkDoneNanos, 1, CHUNKS / 10);
            double last = perChunkMs(chunkDoneNanos, CHUNKS - CHUNKS / 10, CHUNKS - 1);
            StringBuilder deciles = new StringBuilder();
            for (int d = 0; d < 10; d++) {
                deciles.append(String.format(" %.3f", perChunkMs(chunkDoneNanos, Math.max(1, d * CHUNKS / 10), (d + 1) * CHUNKS / 10 - 1)));
            }
            System.out.println("soak " + policy.cliName() + " ms per chunk by decile:" + deciles);
            System.out.printf("soak %s: %d chunks, %d context limits, heap %+.1f MB, ms per chunk first 10%% %.3f, last 10%% %.3f%n",
                    policy.cliName(), CHUNKS, limits.get(), (heapLate - heapEarly) / 1e6, first, last);
        }
    }

    static double perChunkMs(long[] t, int from, int to) {
        return (t[to] - t[from]) / 1e6 / (to - from);
    }

    static float[] chunk(boolean loud) {
        float[] x = new float[6400];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) ((loud ? 0.5 : 0.001) * Math.sin(2 * Math.PI * 1000 * i / 16000.0));
        }
        return x;
    }

    static long usedHeapAfterGc() throws InterruptedException {
        Runtime r = Runtime.getRuntime();
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
            best = Math.min(best, r.totalMemory() - r.freeMemory());
        }
        return best;
    }
}
