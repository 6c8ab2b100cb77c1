package io.soundflow.engine.stream;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Lock-free single-producer single-consumer ring of float samples, bounded, with a power-of-two
 * capacity. The producer never blocks and never waits: {@link #write} copies as many samples as there
 * is room for and <b>drops the rest (drop-newest)</b>, adding them to {@link #dropped()}; nothing is
 * ever lost without being counted. The consumer reads what has been published, in order.
 *
 * <p>Publication: the producer copies samples into the array with plain stores, then publishes the
 * new tail with a release store; the consumer reads the tail with an acquire load before reading the
 * samples (and symmetrically for the head, so a slot is never overwritten before it was read).
 * Indices are monotonically increasing {@code long}s (no ABA, wrap-around by masking).
 *
 * <p>Exactly one thread may call the producer methods ({@link #write}, {@link #free}) and exactly one
 * thread the consumer methods ({@link #read}, {@link #available}); the counters may be read by anyone.
 */
public final class SampleRing {

    private static final VarHandle HEAD;
    private static final VarHandle TAIL;
    private static final VarHandle DROPPED;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            HEAD = l.findVarHandle(SampleRing.class, "head", long.class);
            TAIL = l.findVarHandle(SampleRing.class, "tail", long.class);
            DROPPED = l.findVarHandle(SampleRing.class, "dropped", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final float[] buf; // [capacity]
    private final int mask;

    // consumer-owned, published with release; padded away from the producer's fields
    @SuppressWarnings("unused") private long p00, p01, p02, p03, p04, p05, p06, p07;
    private volatile long head;
    @SuppressWarnings("unused") private long p10, p11, p12, p13, p14, p15, p16, p17;
    // producer-owned
    private volatile long tail;
    private long headCache;   // producer's last view of head (avoids an acquire load per write)
    private volatile long dropped;
    @SuppressWarnings("unused") private long p20, p21, p22, p23, p24, p25, p26, p27;

    /** A ring of {@code capacity} samples; capacity must be a power of two (at least 2). */
    public SampleRing(int capacity) {
        if (capacity < 2 || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("ring capacity must be a power of two >= 2, got " + capacity);
        }
        this.buf = new float[capacity];
        this.mask = capacity - 1;
    }

    /** Capacity in samples. */
    public int capacity() {
        return buf.length;
    }

    /**
     * Producer: appends up to {@code len} samples of {@code src[off..]}; never blocks. Returns how many
     * were written; the others ({@code len - returned}) are dropped and counted.
     */
    public int write(float[] src, int off, int len) {
        if (off < 0 || len < 0 || off > src.length - len) {
            throw new IndexOutOfBoundsException("write(off=" + off + ", len=" + len + ") on " + src.length);
        }
        long t = (long) TAIL.getOpaque(this);
        int free = (int) (buf.length - (t - headCache));
        if (free < len) {
            headCache = (long) HEAD.getAcquire(this);
            free = (int) (buf.length - (t - headCache));
        }
        int n = Math.min(len, free);
        int at = (int) (t & mask);
        int first = Math.min(n, buf.length - at);
        System.arraycopy(src, off, buf, at, first);
        System.arraycopy(src, off + first, buf, 0, n - first);
        TAIL.setRelease(this, t + n);
        if (n < len) {
            DROPPED.setRelease(this, (long) DROPPED.getOpaque(this) + (len - n));
        }
        return n;
    }

    /** Producer: room for this many samples right now (a write of at most this many drops nothing). */
    public int free() {
        return (int) (buf.length - ((long) TAIL.getOpaque(this) - (long) HEAD.getAcquire(this)));
    }

    /** Consumer: copies up to {@code len} published samples into {@code dst[off..]}; returns how many. */
    public int read(float[] dst, int off, int len) {
        if (off < 0 || len < 0 || off > dst.length - len) {
            throw new IndexOutOfBoundsException("read(off=" + off + ", len=" + len + ") on " + dst.length);
        }
        long h = (long) HEAD.getOpaque(this);
        int avail = (int) ((long) TAIL.getAcquire(this) - h);
        int n = Math.min(len, avail);
        int at = (int) (h & mask);
        int first = Math.min(n, buf.length - at);
        System.arraycopy(buf, at, dst, off, first);
        System.arraycopy(buf, 0, dst, off + first, n - first);
        HEAD.setRelease(this, h + n);
        return n;
    }

    /** Consumer: samples published and not yet read. */
    public int available() {
        return (int) ((long) TAIL.getAcquire(this) - (long) HEAD.getOpaque(this));
    }

    /** Samples ever accepted (written) by the producer. */
    public long written() {
        return (long) TAIL.getAcquire(this);
    }

    /** Samples ever read by the consumer. */
    public long consumed() {
        return (long) HEAD.getAcquire(this);
    }

    /** Samples dropped because the ring was full (drop-newest). */
    public long dropped() {
        return (long) DROPPED.getAcquire(this);
    }
}
