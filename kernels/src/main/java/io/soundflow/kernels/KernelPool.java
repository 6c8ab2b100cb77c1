package io.soundflow.kernels;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RecursiveAction;

/**
 * The dedicated worker pool kernels split their work over: sized to the physical cores by default
 * ({@code -Dsoundflow.threads=N} overrides), separate from the common ForkJoin pool, so that
 * application code (and the audio producer) never competes with or blocks kernel work.
 */
public final class KernelPool {
    public static final String PROPERTY = "soundflow.threads";

    private static final class Holder {
        static final KernelPool INSTANCE = new KernelPool(defaultThreads());
    }

    private final ForkJoinPool pool;
    private final int threads;

    public KernelPool(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("-D" + PROPERTY + " must be at least 1, got " + threads);
        }
        this.threads = threads;
        this.pool = new ForkJoinPool(threads, p -> {
            var t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(p);
            t.setName("soundflow-kernel-" + t.getPoolIndex());
            t.setDaemon(true);
            return t;
        }, null, false);
    }

    /** The shared pool. */
    public static KernelPool get() {
        return Holder.INSTANCE;
    }

    static int defaultThreads() {
        String p = System.getProperty(PROPERTY);
        if (p != null) {
            try {
                return Integer.parseInt(p.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("-D" + PROPERTY + "=" + p + " is not a number", e);
            }
        }
        return Math.max(1, Runtime.getRuntime().availableProcessors());
    }

    public int threads() {
        return threads;
    }

    /** A body over a half-open range of indices. */
    @FunctionalInterface
    public interface RangeBody {
        void run(int from, int to);
    }

    /**
     * Runs {@code body} over {@code [0, n)} split into at most {@link #threads()} contiguous pieces of at
     * least {@code minPiece} indices; runs inline when one piece suffices.
     */
    public void forRange(int n, int minPiece, RangeBody body) {
        int pieces = Math.min(threads, Math.max(1, n / Math.max(1, minPiece)));
        if (pieces <= 1 || java.util.concurrent.ForkJoinTask.getPool() == pool) {
            body.run(0, n);
            return;
        }
        pool.invoke(new Split(body, n, pieces, 0, pieces));
    }

    private static final class Split extends RecursiveAction {
        final RangeBody body;
        final int n, pieces, lo, hi;

        Split(RangeBody body, int n, int pieces, int lo, int hi) {
            this.body = body;
            this.n = n;
            this.pieces = pieces;
            this.lo = lo;
            this.hi = hi;
        }

        @Override
        protected void compute() {
            if (hi - lo == 1) {
                body.run((int) ((long) n * lo / pieces), (int) ((long) n * hi / pieces));
                return;
            }
            int mid = (lo + hi) >>> 1;
            invokeAll(new Split(body, n, pieces, lo, mid), new Split(body, n, pieces, mid, hi));
        }
    }
}
