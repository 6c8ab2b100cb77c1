package io.soundflow.engine.stream;

import io.soundflow.engine.EncoderState;
import io.soundflow.engine.InteractionModel;
import io.soundflow.engine.audio.Mel;
import java.util.concurrent.locks.LockSupport;

/**
 * The encoder thread: drains the sample ring, cuts 400 ms chunks (with the mode's look-ahead), computes
 * mel and audio vectors, and appends them to the chunk FIFO. It never waits for the decoder's state;
 * only when the FIFO is full (the decoder is more than its capacity behind) does it stop reading
 * samples until there is room, so the loss, if any, happens at the ring where every dropped sample
 * is counted. An encoded chunk is never dropped.
 */
final class EncoderLoop implements Runnable {
    private final Session s;
    private final InteractionModel model;
    private final ChunkCutter cutter;
    private final float[] tmp = new float[8192];
    private final EncoderState state;    // the encoder's grow-only buffers, owned by this thread
    private long lastDropped;
    private long lastNonFinite;
    private long nextIndex;
    private long lastReadNanos = System.nanoTime();

    EncoderLoop(Session s, InteractionModel model, ChunkCutter cutter) {
        this.s = s;
        this.model = model;
        this.cutter = cutter;
        this.state = model.newEncoderState();
    }

    @Override
    public void run() {
        try {
            while (!s.closed) {
                boolean fin = s.finished; // read before draining: every sample written before finish() is seen
                boolean any = drainRing();
                Mel m;
                // end of input only once the ring is empty (the cutter reads from it a chunk at a time)
                while ((m = cutter.next(fin && s.ring.available() == 0)) != null) {
                    encode(m);
                    if (s.closed) {
                        return;
                    }
                    any |= drainRing();
                }
                if (fin && s.ring.available() == 0) {
                    reportOverruns("sample ring full: input arrived faster than the encoder consumed it"); // the last accept's counts
                    return;
                }
                // idle costs nothing: accept(), finish(), close() and the session's end unpark us. Look again first:
                // a listener called above may have parked on a lock and so used up the permit of such an unpark.
                if (!any && s.ring.available() == 0 && s.finished == fin && !s.closed) {
                    LockSupport.park(this);
                }
            }
        } catch (Throwable t) {
            s.fail(t);
        } finally {
            s.encoderDone = true;
            s.wakeDecoder();
        }
    }

    private boolean drainRing() {
        boolean any = false;
        int r;
        int want;
        while ((want = cutter.wanted()) > 0 && (r = s.ring.read(tmp, 0, Math.min(want, tmp.length))) > 0) {
            cutter.push(tmp, 0, r);
            any = true;
        }
        if (any) {
            lastReadNanos = System.nanoTime();
        }
        reportOverruns("sample ring full: input arrived faster than the encoder consumed it");
        return any;
    }

    private void encode(Mel m) {
        // completion = when the chunk's last needed sample (look-ahead included) was accepted
        long total = s.ring.written();
        long last = cutter.lookAhead() == Integer.MAX_VALUE ? total - 1
                : Math.min(total - 1, (nextIndex + 1) * ChunkCutter.CHUNK + cutter.lookAhead() - 1);
        long complete = Math.min(lastReadNanos, s.arrivals.arrival(last, lastReadNanos));
        long t0 = System.nanoTime();
        float[] v = model.encodeChunk(state, m.data(), m.frames()); // [10, hidden]
        if (v.length != model.audioVectorsPerChunk() * model.hiddenSize()) {
            throw new StreamException("chunk " + nextIndex + ": the audio encoder gave " + v.length + " values, expected "
                    + model.audioVectorsPerChunk() + " vectors of " + model.hiddenSize());
        }
        long dt = System.nanoTime() - t0;
        s.metrics.encoderNanos.addAndGet(dt);
        s.metrics.encodedChunks.incrementAndGet();
        EncodedChunk c = new EncodedChunk(nextIndex++, v, complete);
        while (!s.fifo.offer(c)) { // full: the decoder is far behind; hold the chunk, the ring absorbs (and counts)
            if (s.closed) {
                return;
            }
            LockSupport.parkNanos(1_000_000L);
            reportOverruns("sample ring full: the decoder is " + s.fifo.capacity() + " chunks behind");
        }
        s.wakeDecoder();
        s.emit(new StreamEvent.ChunkEncoded(c.index(), dt / 1e6, s.fifo.size()));
    }

    /**
     * Reports what the producer side counted since the last report: samples dropped at the full ring
     * ({@code whyDropped}) and non-finite samples replaced by 0. Also called while blocked on a full FIFO.
     */
    private void reportOverruns(String whyDropped) {
        long d = s.ring.dropped();
        if (d != lastDropped) {
            s.emit(new StreamEvent.Overrun(StreamEvent.Overrun.Kind.DROPPED, d - lastDropped, whyDropped));
            lastDropped = d;
        }
        long nf = s.nonFiniteSamples();
        if (nf != lastNonFinite) {
            s.emit(new StreamEvent.Overrun(StreamEvent.Overrun.Kind.NON_FINITE, nf - lastNonFinite,
                    "NaN or infinite input samples replaced by 0"));
            lastNonFinite = nf;
        }
    }
}
