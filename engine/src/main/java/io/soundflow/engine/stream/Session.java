package io.soundflow.engine.stream;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * One live stream: the producer calls {@link #accept} with 16 kHz mono samples at any rate (it never
 * blocks), an encoder thread and a decoder thread do the rest, and events go to the listener.
 * {@link #finish()} ends the input (the loop then ends as the released loop does at end of audio);
 * {@link #close()} stops the threads. All state of a stream lives here; the model is shared.
 *
 * <p>Threads: {@link #accept} takes one producer at a time. Calls from different threads are fine when
 * they do not overlap (each call hands the ring over to the next); a call that overlaps another one
 * fails with an {@link IllegalStateException} and takes nothing, so no sample is ever lost uncounted.
 * The other methods may be called from any thread.
 *
 * <pre>
 * producer --accept--> SampleRing --encoder thread (mel, audio tower)--> ChunkFifo --decoder thread--> events
 * </pre>
 */
public final class Session implements AutoCloseable {
    private static final AtomicInteger IDS = new AtomicInteger();
    private static final System.Logger LOG = System.getLogger(Session.class.getName());
    private static final VarHandle PRODUCING;
    private static final VarHandle NON_FINITE;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            PRODUCING = l.findVarHandle(Session.class, "producing", int.class);
            NON_FINITE = l.findVarHandle(Session.class, "nonFinite", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final StreamingEngine engine;
    final SessionOptions options;
    final SampleRing ring;
    final ChunkFifo<EncodedChunk> fifo;
    final StreamMetrics metrics;
    final ArrivalLog arrivals = new ArrivalLog(1024);
    private final StreamListener listener;
    private final Thread encoderThread;
    private final Thread decoderThread;
    private final DecoderLoop decoder;
    private final int id;
    private final CountDownLatch ended = new CountDownLatch(1);
    @SuppressWarnings("unused") private volatile int producing; // 1 while a thread is inside accept (PRODUCING)
    private volatile long nonFinite;   // NaN/Inf samples replaced by 0; written inside accept only
    private float[] repaired = new float[0]; // accept's scratch copy of a block that had non-finite samples
    volatile boolean finished;
    volatile boolean closed;
    volatile boolean encoderDone;
    volatile boolean cancelRequested; // cancelResponse(): the reply in progress ends at its next token
    private volatile Throwable failure;
    private volatile String endReason;

    Session(StreamingEngine engine, SessionOptions options, StreamListener listener) {
        this.engine = engine;
        this.options = options;
        this.listener = listener;
        this.ring = new SampleRing(options.ringCapacity());
        this.fifo = new ChunkFifo<>(options.fifoCapacity());
        this.id = IDS.incrementAndGet();
        this.metrics = new StreamMetrics(id);
        int capacity = options.maxPositions() > 0 ? options.maxPositions() : engine.blockSize();
        this.decoder = new DecoderLoop(this, engine.model(), engine.prefixIds(), capacity);
        EncoderLoop enc = new EncoderLoop(this, engine.model(), ChunkCutter.of(options));
        this.encoderThread = Thread.ofPlatform().name("soundflow-encoder-" + id).daemon().unstarted(enc);
        this.decoderThread = Thread.ofPlatform().name("soundflow-decoder-" + id).daemon().unstarted(decoder);
    }

    /** Starts the engine threads (once, by {@link StreamingEngine#newSession} after it registered the session). */
    void start() {
        encoderThread.start();
        decoderThread.start();
    }

    /**
     * Offers 16 kHz mono samples; never blocks. Returns how many were taken: when the ring is full the
     * rest are dropped (newest first), counted in {@link StreamStats#droppedSamples()} and reported as an
     * {@link StreamEvent.Overrun} of kind {@code DROPPED}. NaN and infinite samples are replaced by 0,
     * counted in {@link StreamStats#nonFiniteSamples()} and reported as an overrun of kind
     * {@code NON_FINITE}: they never reach the mel or the KV cache.
     *
     * @throws IllegalStateException after {@link #finish()} or {@link #close()}, or when another thread
     *                               is inside {@code accept} on this session at the same time
     */
    public int accept(float[] samples, int off, int len) {
        Objects.checkFromIndexSize(off, len, samples.length);
        if (!PRODUCING.compareAndSet(this, 0, 1)) {
            throw new IllegalStateException("session " + id + ": accept was called from two threads at once; a session "
                    + "takes samples from one producer at a time (feed it from one thread, or serialize the calls)");
        }
        int n;
        try {
            if (finished || closed) {
                throw new IllegalStateException("session " + id + ": the session's input has ended"
                        + (closed ? " (closed: " + (endReason != null ? endReason : "closing") + ")" : " (finish was called)"));
            }
            if (nonFiniteCount(samples, off, len) == 0) {
                n = ring.write(samples, off, len);
            } else {
                n = ring.write(repair(samples, off, len), 0, len);
                // only what the ring took: a sample that was dropped as well is counted once, as dropped
                NON_FINITE.setRelease(this, nonFinite + nonFiniteCount(samples, off, n));
            }
            arrivals.stamp(ring.written(), System.nanoTime());
        } finally {
            PRODUCING.setRelease(this, 0);
        }
        LockSupport.unpark(encoderThread);
        return n;
    }

    private static int nonFiniteCount(float[] x, int off, int len) {
        int bad = 0;
        for (int i = off, end = off + len; i < end; i++) {
            if (!Float.isFinite(x[i])) {
                bad++;
            }
        }
        return bad;
    }

    /** A copy of {@code x[off .. off+len)} with every non-finite sample set to 0 (in the producer's scratch array). */
    private float[] repair(float[] x, int off, int len) {
        if (repaired.length < len) {
            repaired = new float[len];
        }
        for (int i = 0; i < len; i++) {
            float v = x[off + i];
            repaired[i] = Float.isFinite(v) ? v : 0f;
        }
        return repaired;
    }

    /** NaN or infinite samples replaced by 0 so far. */
    long nonFiniteSamples() {
        return nonFinite;
    }

    /**
     * Offers samples and waits for room in the ring instead of dropping any: the call for a source faster
     * than real time (a file, a pipe). Returns how many were taken: all of them, unless the timeout passed
     * or the session ended first (then the rest were not offered: nothing is dropped or counted). While it
     * waits it checks for room every millisecond (the encoder frees a 6,400-sample chunk at a time).
     * Decisions of a session fed faster than real time depend on how many chunks queue at each decision
     * point unless its layout is {@link DrainLayout#ONE_BY_ONE}, which decides every chunk as the released
     * loop does whatever the timing.
     *
     * @throws IllegalStateException as {@link #accept} does
     * @throws InterruptedException  when the waiting thread is interrupted (what was taken stays taken)
     */
    public int acceptWaiting(float[] samples, int off, int len, Duration timeout) throws InterruptedException {
        Objects.checkFromIndexSize(off, len, samples.length);
        long start = System.nanoTime(), limit = TimeUnit.NANOSECONDS.convert(timeout); // saturates
        int done = 0;
        while (done < len && !closed && !isEnded()) {
            int room = ring.free();
            if (room > 0) {
                try {
                    done += accept(samples, off + done, Math.min(room, len - done)); // fits: nothing dropped
                } catch (IllegalStateException e) {
                    if (closed) {
                        break; // the session ended meanwhile (closed, or failed): the rest is not offered
                    }
                    throw e;
                }
                continue;
            }
            if (System.nanoTime() - start >= limit) {
                break;
            }
            if (Thread.interrupted()) {
                throw new InterruptedException("session " + id + ": interrupted while waiting for room, after "
                        + done + " of " + len + " samples");
            }
            LockSupport.parkNanos(1_000_000L);
        }
        return done;
    }

    /** Samples {@link #accept} can take right now without dropping any (see {@link #acceptWaiting}). */
    public int acceptCapacity() {
        return ring.free();
    }

    /**
     * Ends the input: the queued audio is still processed, then the session ends ("end_of_audio"). Waits
     * for an {@code accept} running on another thread to complete, so its samples are either all
     * processed or refused, never taken and then lost.
     */
    public void finish() {
        while (!PRODUCING.compareAndSet(this, 0, 1)) {
            Thread.onSpinWait(); // accept never blocks: this is at most one copy into the ring
        }
        finished = true;
        PRODUCING.setRelease(this, 0);
        LockSupport.unpark(encoderThread);
    }

    /** Waits until the session has ended; true if it did within the timeout. */
    public boolean await(Duration timeout) throws InterruptedException {
        return ended.await(TimeUnit.NANOSECONDS.convert(timeout), TimeUnit.NANOSECONDS); // saturates, never overflows
    }

    /** Whether the session has ended. */
    public boolean isEnded() {
        return ended.getCount() == 0;
    }

    /** Why the session ended (null while running). */
    public String endReason() {
        return endReason;
    }

    /** The error that ended the session, or null. */
    public Throwable failure() {
        return failure;
    }

    /** Metrics now (any thread). */
    public StreamStats stats() {
        return metrics.snapshot(ring.written(), ring.dropped(), nonFinite);
    }

    /**
     * The recorded trace (needs {@link SessionOptions#recordTrace()}); call after the session ended.
     */
    public StreamTrace trace() {
        if (!options.recordTrace()) {
            throw new IllegalStateException("the session was not started with recordTrace");
        }
        if (!isEnded()) {
            throw new IllegalStateException("the trace is available once the session has ended");
        }
        return new StreamTrace(options.mode().cliName(), options.layout().cliName(), engine.prefixIds(),
                java.util.List.copyOf(decoder.records), decoder.fed.toIntArray(), decoder.pendingToken(),
                decoder.positions(), endReason);
    }

    /**
     * Ends the reply in progress at once: its next token is not generated, TEXT_END is forced (the reply's
     * {@link StreamEvent.ResponseEnd} has cut reason {@code cancelled}) and listening resumes; audio that
     * arrived during the reply stays queued. A call while no reply is being generated does nothing (a
     * later reply is not affected). Any thread.
     */
    public void cancelResponse() {
        cancelRequested = true;
        wakeDecoder();
    }

    /**
     * Stops both threads (the current forward completes first) and waits for them (unless called from a
     * listener, i.e. from one of them). Idempotent.
     */
    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(encoderThread);
        wakeDecoder();
        Thread me = Thread.currentThread();
        if (me == encoderThread || me == decoderThread) {
            return; // called from a listener: the threads stop on their own
        }
        try {
            encoderThread.join(10_000);
            decoderThread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    void wakeDecoder() {
        LockSupport.unpark(decoderThread);
    }

    void emit(StreamEvent e) {
        FlightEvents.record(id, e);
        listener.onEvent(e);
    }

    /**
     * The closing events: delivered whatever the listener does (an exception it throws here is logged,
     * not propagated, so {@code End} always arrives exactly once).
     */
    private void emitFinal(StreamEvent e) {
        try {
            listener.onEvent(e);
        } catch (RuntimeException | LinkageError | AssertionError t) {
            LOG.log(System.Logger.Level.WARNING, "session " + id + ": the listener threw on the closing "
                    + e.getClass().getSimpleName() + " event (ignored): " + t);
        }
    }

    /** An engine thread failed: record it and stop. */
    void fail(Throwable t) {
        if (failure == null) {
            failure = t;
        }
        closed = true;
        wakeDecoder();
    }

    /** Called once by the decoder thread when the loop ends; never throws. */
    void end(String reason, Throwable error) {
        if (error != null && failure == null) {
            failure = error;
        }
        Throwable f = failure;
        endReason = f != null ? (f.getMessage() == null ? f.toString() : f.getMessage()) : reason;
        closed |= f != null;
        try {
            emitFinal(new StreamEvent.Stats(stats()));
            emitFinal(new StreamEvent.End(endReason, f != null));
        } finally {
            ended.countDown();
            engine.ended(this);
            LockSupport.unpark(encoderThread);
        }
    }
}
