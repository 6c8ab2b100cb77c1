package io.soundflow.kernels;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The dedicated workers kernels split their work over: sized to the cores by default
 * ({@code -Dsoundflow.threads=N} overrides), separate from the common ForkJoin pool, so that application
 * code (and the audio producer) never competes with or blocks kernel work.
 *
 * <p>Persistent workers with a cheap hand-off: the calling thread runs the first piece itself, and each of
 * the {@code threads - 1} workers takes its piece from fields published by one volatile sequence number. A
 * worker spins on that number for {@code -Dsoundflow.spinMicros} (default {@value #DEFAULT_SPIN_MICROS} us;
 * yielding after the first few) before it parks, so the back-to-back products of a layer find it awake: on
 * this project's 2-vCPU virtual machine a ForkJoin hand-off cost 20-50 us back to back and about 85 us after
 * 100 us of serial work (the parked workers' wake-up), against the 0.3-1 ms a 13-row product of the 3B model
 * takes. One caller uses the workers at a time; a second caller meanwhile (the encoder thread while the
 * decoder runs), a nested call, or a call from a worker, runs its range inline.
 */
public final class KernelPool {
    public static final String PROPERTY = "soundflow.threads";
    public static final String SPIN_PROPERTY = "soundflow.spinMicros";
    static final int DEFAULT_SPIN_MICROS = 100;

    private static final class Holder {
        static final KernelPool INSTANCE = new KernelPool(defaultThreads());
    }

    private final int threads;
    private final long spinNanos;
    private final Worker[] workers;
    private final ReentrantLock owner = new ReentrantLock();

    // the job, written by its caller before the volatile write of seq, read by the workers after reading it
    private RangeBody body;
    private int n;
    private Thread caller;
    private volatile int pieces; // volatile: a worker reads it before checking seq again (see Worker.run)
    private volatile long seq;
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    public KernelPool(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("-D" + PROPERTY + " must be at least 1, got " + threads);
        }
        this.threads = threads;
        this.spinNanos = 1000L * Math.max(0, Integer.getInteger(SPIN_PROPERTY, DEFAULT_SPIN_MICROS));
        this.workers = new Worker[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker(i + 1);
            workers[i].start();
        }
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
     * least {@code minPiece} indices; runs inline when one piece suffices. An exception thrown by any piece
     * is rethrown here once all pieces have ended.
     */
    public void forRange(int n, int minPiece, RangeBody body) {
        int pieces = Math.min(threads, Math.max(1, n / Math.max(1, minPiece)));
        if (pieces <= 1 || Thread.currentThread() instanceof Worker || owner.isHeldByCurrentThread() || !owner.tryLock()) {
            body.run(0, n);
            return;
        }
        try {
            this.body = body;
            this.n = n;
            this.pieces = pieces;
            this.caller = Thread.currentThread();
            failure.set(null);
            pending.set(pieces - 1);
            seq = seq + 1; // publishes the fields above
            for (int i = 0; i < pieces - 1; i++) {
                if (workers[i].parked) {
                    LockSupport.unpark(workers[i]);
                }
            }
            try {
                body.run(0, (int) ((long) n / pieces));
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
            long t0 = System.nanoTime();
            while (pending.get() != 0) {
                if (System.nanoTime() - t0 < spinNanos) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.parkNanos(this, 50_000); // the last worker unparks it
                }
            }
            Throwable t = failure.get();
            if (t instanceof RuntimeException r) {
                throw r;
            } else if (t instanceof Error e) {
                throw e;
            } else if (t != null) {
                throw new IllegalStateException(t);
            }
        } finally {
            this.body = null;
            owner.unlock();
        }
    }

    /** Worker {@code index} runs piece {@code index} of every job that has one. */
    private final class Worker extends Thread {
        final int index;
        volatile boolean parked;

        Worker(int index) {
            super("soundflow-kernel-" + index);
            this.index = index;
            setDaemon(true);
        }

        @Override
        public void run() {
            long seen = 0; // seq's value before any job (not read here: a job may be published before this thread runs)
            while (true) {
                long s = awaitJob(seen);
                int p = pieces;
                if (seq != s) {
                    continue; // p may be a newer job's (this worker had no piece in job s): take the newer one
                }
                seen = s;
                if (index < p) { // the caller waits for this piece, so the job's fields stay put until it ends
                    try {
                        body.run((int) ((long) n * index / p), (int) ((long) n * (index + 1) / p));
                    } catch (Throwable t) {
                        failure.compareAndSet(null, t);
                    }
                    Thread c = caller;
                    if (pending.decrementAndGet() == 0) {
                        LockSupport.unpark(c);
                    }
                }
            }
        }

        /** The next job's sequence number: spins (yielding after 10 us), then parks until a caller wakes it. */
        private long awaitJob(long seen) {
            long t0 = System.nanoTime();
            while (true) {
                long s = seq;
                if (s != seen) {
                    return s;
                }
                long waited = System.nanoTime() - t0;
                if (waited < 10_000) {
                    Thread.onSpinWait();
                } else if (waited < spinNanos) {
                    Thread.yield();
                } else {
                    parked = true;
                    if (seq == seen) { // a caller that saw parked == false has already moved seq
                        LockSupport.park(this);
                    }
                    parked = false;
                }
            }
        }
    }
}
