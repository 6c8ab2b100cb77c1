package io.soundflow.kernels;

import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The dedicated workers kernels split their work over: sized to the cores by default
 * ({@code -Dsoundflow.threads=N} overrides), separate from the common ForkJoin pool, so that application
 * code (and the audio producer) never competes with or blocks kernel work.
 *
 * <p>Persistent workers with a cheap hand-off: a call publishes its job with one volatile write, and the
 * calling thread and the {@code threads - 1} workers claim its chunks in order until none is left
 * ({@link #forRange}; {@link #forPieces} gives each thread one fixed piece instead). A worker spins on the
 * job reference for {@code -Dsoundflow.spinMicros} (default {@value #DEFAULT_SPIN_MICROS} us;
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

    /** The job being run, published by one volatile write; a worker compares it with the last one it saw. */
    private volatile Job job;

    /**
     * One call's work, immutable but for its counters. Dynamic (forRange): {@code parts} chunks that the
     * caller and the workers claim in order from {@code next}; the caller waits until {@code done} counts
     * them all, and a worker that comes late finds nothing left. Static (forPieces): worker {@code i} runs
     * piece {@code i} of {@code parts}, the caller piece 0, and it waits for all of them.
     */
    private static final class Job {
        final RangeBody body;
        final int n, parts;
        final boolean dynamic;
        final Thread caller;
        // counters as fields of the job itself (updaters, not Atomic objects): one allocation per parallel call
        private static final AtomicIntegerFieldUpdater<Job> NEXT = AtomicIntegerFieldUpdater.newUpdater(Job.class, "next");
        private static final AtomicIntegerFieldUpdater<Job> DONE = AtomicIntegerFieldUpdater.newUpdater(Job.class, "done");
        private static final AtomicReferenceFieldUpdater<Job, Throwable> FAILURE =
                AtomicReferenceFieldUpdater.newUpdater(Job.class, Throwable.class, "failure");
        private volatile int next, done;
        private volatile Throwable failure;

        Job(RangeBody body, int n, int parts, boolean dynamic, Thread caller) {
            this.body = body;
            this.n = n;
            this.parts = parts;
            this.dynamic = dynamic;
            this.caller = caller;
        }

        void runPart(int i) {
            try {
                body.run((int) ((long) n * i / parts), (int) ((long) n * (i + 1) / parts));
            } catch (Throwable t) {
                FAILURE.compareAndSet(this, null, t);
            }
            if (DONE.incrementAndGet(this) == parts && Thread.currentThread() != caller) {
                LockSupport.unpark(caller);
            }
        }

        /** Claims and runs chunks until none is left. */
        void runChunks() {
            for (int i = NEXT.getAndIncrement(this); i < parts; i = NEXT.getAndIncrement(this)) {
                runPart(i);
            }
        }
    }

    /** {@code -Dsoundflow.claimedSplit=false}: {@link #forRange} gives each thread one fixed piece, as {@link #forPieces} (for A/B runs). */
    public static final String CLAIMED_PROPERTY = "soundflow.claimedSplit";
    private static final boolean CLAIMED = !"false".equals(System.getProperty(CLAIMED_PROPERTY));

    /** Chunks per thread of a {@link #forRange} call (when the range has that many minimal pieces). */
    static final int CHUNKS_PER_THREAD = 4;

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
     * Runs {@code body} over {@code [0, n)} cut into contiguous chunks of at least {@code minPiece} indices
     * (up to {@value #CHUNKS_PER_THREAD} per thread), which the calling thread and the workers claim in order
     * as each becomes free: a core slowed by another thread (the encoder beside the decoder, a noisy host) or
     * a worker still waking up takes fewer, so the call ends when the work does, not when the slowest fixed
     * share does. Runs inline when one chunk suffices. Each index runs exactly once, on some thread; an
     * exception thrown by any chunk is rethrown here once all chunks have ended.
     */
    public void forRange(int n, int minPiece, RangeBody body) {
        if (!CLAIMED) {
            forPieces(n, minPiece, body);
            return;
        }
        int chunks = Math.min(threads * CHUNKS_PER_THREAD, Math.max(1, n / Math.max(1, minPiece)));
        run(n, chunks, true, body);
    }

    /**
     * Runs {@code body} over {@code [0, n)} split into at most {@link #threads()} contiguous pieces of at
     * least {@code minPiece} indices, piece {@code i} on thread {@code i} (the caller runs piece 0), all at
     * once: for probes that measure what every core does together (a claimed split would let one thread run
     * them all). Runs inline when one piece suffices; exceptions as {@link #forRange}.
     */
    public void forPieces(int n, int minPiece, RangeBody body) {
        int pieces = Math.min(threads, Math.max(1, n / Math.max(1, minPiece)));
        run(n, pieces, false, body);
    }

    private void run(int n, int parts, boolean dynamic, RangeBody body) {
        if (parts <= 1 || Thread.currentThread() instanceof Worker || owner.isHeldByCurrentThread() || !owner.tryLock()) {
            body.run(0, n);
            return;
        }
        try {
            Job j = new Job(body, n, parts, dynamic, Thread.currentThread());
            job = j; // publishes it
            for (int i = 0, wake = Math.min(workers.length, parts - 1); i < wake; i++) {
                if (workers[i].parked) {
                    LockSupport.unpark(workers[i]);
                }
            }
            if (dynamic) {
                j.runChunks();
            } else {
                j.runPart(0);
            }
            long t0 = System.nanoTime();
            while (j.done != parts) {
                if (System.nanoTime() - t0 < spinNanos) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.parkNanos(this, 50_000); // the thread that ends the last part unparks it
                }
            }
            Throwable t = j.failure;
            if (t instanceof RuntimeException r) {
                throw r;
            } else if (t instanceof Error e) {
                throw e;
            } else if (t != null) {
                throw new IllegalStateException(t);
            }
        } finally {
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
            Job seen = null; // the pool's job before any call (null); a job may be published before this thread runs
            while (true) {
                Job j = awaitJob(seen);
                seen = j;
                if (j.dynamic) {
                    j.runChunks(); // nothing left when it comes late: the caller has not waited for it
                } else if (index < j.parts) { // the caller waits for this piece
                    j.runPart(index);
                }
            }
        }

        /** The next job: spins (yielding after 10 us), then parks until a caller wakes it. */
        private Job awaitJob(Job seen) {
            long t0 = System.nanoTime();
            while (true) {
                Job j = job;
                if (j != seen) {
                    return j;
                }
                long waited = System.nanoTime() - t0;
                if (waited < 10_000) {
                    Thread.onSpinWait();
                } else if (waited < spinNanos) {
                    Thread.yield();
                } else {
                    parked = true;
                    if (job == seen) { // a caller that saw parked == false has already published its job
                        LockSupport.park(this);
                    }
                    parked = false;
                }
            }
        }
    }
}
