package io.soundflow.tools.stream;

import io.soundflow.engine.stream.Session;
import io.soundflow.engine.stream.StreamEvent;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Feeds recorded audio into a {@link Session} as {@code stream}, {@code demo} and {@code eval} do. In
 * <b>lockstep</b> (the default for files) the samples that complete chunk i (look-ahead included) are fed
 * once chunks 0..i-1 are decided, as fast as the decoder goes, so at most one chunk is queued at a decision
 * point (every layout then gives the released loop's trace). In <b>real time</b> the samples are paced at
 * 16 kHz by the wall clock and what the session cannot take is dropped (and counted by it), as from a live
 * source. Otherwise (lockstep off, not real time: {@code ref-exact}) they are fed as fast as the session
 * takes them without loss.
 *
 * <p>The feeder counts decisions: the session's listener must hand it every event ({@link #onEvent}).
 */
public final class FileFeeder {
    private static final int BLOCK = 1600; // 100 ms

    /** A pull source of 16 kHz samples: like {@link io.soundflow.engine.audio.WavStream#read}, -1 at the end. */
    @FunctionalInterface
    public interface Source {
        int read(float[] b, int off, int len) throws IOException;
    }

    /** Hands a block to the session; false ends the feeding (e.g. the session was closed meanwhile). */
    @FunctionalInterface
    public interface Acceptor {
        boolean accept(Session s, float[] x, int off, int n);
    }

    private final AtomicLong decided = new AtomicLong();

    /** To be called with every event of the fed session (it counts the decisions lockstep waits for). */
    public void onEvent(StreamEvent e) {
        if (e instanceof StreamEvent.Decision) {
            decided.incrementAndGet();
        }
    }

    /** Decisions seen so far. */
    public long decided() {
        return decided.get();
    }

    /** A source over an array of samples. */
    public static Source of(float[] samples) {
        int[] next = {0};
        return (b, off, len) -> {
            if (next[0] == samples.length) {
                return -1;
            }
            int n = Math.min(len, samples.length - next[0]);
            System.arraycopy(samples, next[0], b, off, n);
            next[0] += n;
            return n;
        };
    }

    /**
     * Feeds {@code src} in lockstep ({@code realtime} false) or at real time with {@link Session#accept}; stops
     * early when the session fails meanwhile (the caller reports {@link Session#failure()}).
     */
    public void feed(Session s, Source src, boolean realtime) throws IOException {
        feed(s, src, realtime, !realtime, () -> false, (ss, x, off, n) -> {
            try {
                ss.accept(x, off, n);
                return true;
            } catch (IllegalStateException ended) {
                if (ss.failure() != null) {
                    return false;
                }
                throw ended;
            }
        });
    }

    /**
     * Feeds {@code src} until its end, the session's end or {@code stop}; the caller then finishes the session.
     *
     * @param lockstep with {@code realtime} false: wait for the decisions (false: feed as fast as the session takes)
     */
    public void feed(Session s, Source src, boolean realtime, boolean lockstep, BooleanSupplier stop, Acceptor acceptor)
            throws IOException {
        boolean lock = lockstep && !realtime;
        float[] buf = new float[BLOCK];
        int pos = 0;  // buf[pos, have) is read but not fed yet
        int have = 0;
        long off = 0; // samples fed
        long t0 = System.nanoTime();
        while (!s.isEnded() && !stop.getAsBoolean()) {
            if (pos == have) {
                int r = src.read(buf, 0, BLOCK);
                if (r < 0) {
                    return;
                }
                pos = 0;
                have = r;
            }
            long allowed = lock ? (decided.get() + 1) * 6400L + 40 : Long.MAX_VALUE;
            if (off >= allowed) {
                LockSupport.parkNanos(200_000L);
                continue;
            }
            int n = (int) Math.min(have - pos, allowed - off);
            if (realtime) {
                long due = t0 + (long) ((off + n) * 1e9 / 16_000);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                if (!acceptor.accept(s, buf, pos, n)) { // what does not fit is dropped and counted by the session
                    return;
                }
            } else if (s.acceptCapacity() >= n) {
                if (!acceptor.accept(s, buf, pos, n)) {
                    return;
                }
            } else {
                LockSupport.parkNanos(1_000_000L);
                continue;
            }
            pos += n;
            off += n;
        }
    }
}
