package io.soundflow.engine.stream;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * When input arrived: a lock-free SPSC log of (samples accepted so far, {@link System#nanoTime()})
 * stamps, written by the producer after each {@link Session#accept} and read by the encoder, so that a
 * chunk's completion time is when its last sample was accepted, not when the (possibly busy) encoder
 * got to read it. Bounded: when full, a stamp is skipped (the next one covers it, slightly later).
 */
final class ArrivalLog {
    private static final VarHandle HEAD;
    private static final VarHandle TAIL;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            HEAD = l.findVarHandle(ArrivalLog.class, "head", long.class);
            TAIL = l.findVarHandle(ArrivalLog.class, "tail", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final long[] ends;  // [capacity] samples accepted up to and including this stamp
    private final long[] times; // [capacity] nanoTime of the stamp
    private final int mask;
    private volatile long head;
    private volatile long tail;

    ArrivalLog(int capacity) {
        if (Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("capacity must be a power of two: " + capacity);
        }
        ends = new long[capacity];
        times = new long[capacity];
        mask = capacity - 1;
    }

    /** Producer: {@code total} samples have been accepted at {@code nanos}. */
    void stamp(long total, long nanos) {
        long t = (long) TAIL.getOpaque(this);
        if (t - (long) HEAD.getAcquire(this) >= ends.length) {
            return; // full: skipped, the next stamp covers these samples
        }
        int i = (int) (t & mask);
        ends[i] = total;
        times[i] = nanos;
        TAIL.setRelease(this, t + 1);
    }

    /**
     * Consumer: when sample number {@code index} (0-based) was accepted, or {@code fallback} if no stamp
     * covers it yet. Stamps of earlier samples are discarded.
     */
    long arrival(long index, long fallback) {
        long h = (long) HEAD.getOpaque(this);
        long t = (long) TAIL.getAcquire(this);
        while (h < t) {
            int i = (int) (h & mask);
            if (ends[i] > index) {
                long when = times[i];
                HEAD.setRelease(this, h);
                return when;
            }
            h++;
        }
        HEAD.setRelease(this, h);
        return fallback;
    }
}
