package io.soundflow.engine.stream;

import java.time.Duration;
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
 * <pre>
 * producer --accept--> SampleRing --encoder thread (mel, audio tower)--> ChunkFifo --decoder thread--> events
 * </pre>
 */
public final class Session implements AutoCloseable {
    private static final AtomicInteger IDS = new AtomicInteger();

    final StreamingEngine engine;
    final SessionOptions options;
    final SampleRing ring;
    final ChunkFifo<EncodedChunk> fifo;
    final StreamMetrics metrics = new StreamMetrics();
    final ArrivalLog arrivals = new ArrivalLog(1024);
    private final StreamListener listener;
    private final Thread encoderThread;
    private final Thread decoderThread;
    private final DecoderLoop decoder;
    private final CountDownLatch ended = new CountDownLatch(1);
    volatile boolean finished;
    volatile boolean closed;
    volatile boolean encoderDone;
    private volatile Throwable failure;
    private volatile String endReason;

    Session(StreamingEngine engine, SessionOptions options, StreamListener listener) {
        this.engine = engine;
        this.options = options;
        this.listener = listener;
        this.ring = new SampleRing(options.ringCapacity());
        this.fifo = new ChunkFifo<>(options.fifoCapacity());
        int capacity = options.maxPositions() > 0 ? options.maxPositions() : engine.blockSize();
        this.decoder = new DecoderLoop(this, engine.model(), engine.prefixIds(), capacity);
        int id = IDS.incrementAndGet();
        EncoderLoop enc = new EncoderLoop(this, engine.model(), ChunkCutter.of(options));
        this.encoderThread = Thread.ofPlatform().name("soundflow-encoder-" + id).daemon().unstarted(enc);
        this.decoderThread = Thread.ofPlatform().name("soundflow-decoder-" + id).daemon().unstarted(decoder);
        encoderThread.start();
        decoderThread.start();
    }

    /**
     * Offers 16 kHz mono samples; never blocks. Returns how many were taken: when the ring is full the
     * rest are dropped (newest first), counted in {@link StreamStats#droppedSamples()} and reported as an
     * {@link StreamEvent.Overrun}.
     *
     * @throws IllegalStateException after {@link #finish()} or {@link #close()}
     */
    public int accept(float[] samples, int off, int len) {
        if (finished || closed) {
            throw new IllegalStateException("the session's input has ended");
        }
        int n = ring.write(samples, off, len);
        arrivals.stamp(ring.written(), System.nanoTime());
        LockSupport.unpark(encoderThread);
        return n;
    }

    /** Samples {@link #accept} can take right now without dropping any (a file reader may wait for room). */
    public int acceptCapacity() {
        return ring.free();
    }

    /** Ends the input: the queued audio is still processed, then the session ends ("end_of_audio"). */
    public void finish() {
        finished = true;
        LockSupport.unpark(encoderThread);
    }

    /** Waits until the session has ended; true if it did within the timeout. */
    public boolean await(Duration timeout) throws InterruptedException {
        return ended.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
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
        return metrics.snapshot(ring.written(), ring.dropped());
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
        listener.onEvent(e);
    }

    /** An engine thread failed: record it and stop. */
    void fail(Throwable t) {
        if (failure == null) {
            failure = t;
        }
        closed = true;
        wakeDecoder();
    }

    /** Called once by the decoder thread when the loop ends. */
    void end(String reason, Throwable error) {
        if (error != null && failure == null) {
            failure = error;
        }
        Throwable f = failure;
        endReason = f != null ? (f.getMessage() == null ? f.toString() : f.getMessage()) : reason;
        closed |= f != null;
        try {
            emit(new StreamEvent.Stats(stats()));
            emit(new StreamEvent.End(endReason, f != null));
        } finally {
            ended.countDown();
            LockSupport.unpark(encoderThread);
        }
    }
}
