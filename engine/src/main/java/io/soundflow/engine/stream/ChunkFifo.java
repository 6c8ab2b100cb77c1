package io.soundflow.engine.stream;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Lock-free bounded single-producer single-consumer FIFO of references (the encoder thread appends
 * encoded chunks, the decoder thread drains them). Power-of-two capacity. {@link #offer} never blocks:
 * it returns {@code false} when the FIFO is full, and the caller decides the policy (the streaming
 * encoder keeps the chunk and stops reading samples, so the back-pressure lands on the
 * {@link SampleRing}, where every dropped sample is counted; an encoded chunk is never dropped).
 *
 * <p>Publication: the element is stored with a plain store, then the tail is published with a
 * release store; the consumer acquires the tail before reading the slot, clears it, and releases the
 * head, which the producer acquires before reusing the slot.
 *
 * @param <E> element type (non-null)
 */
public final class ChunkFifo<E> {

    private static final VarHandle HEAD;
    private static final VarHandle TAIL;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            HEAD = l.findVarHandle(ChunkFifo.class, "head", long.class);
            TAIL = l.findVarHandle(ChunkFifo.class, "tail", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Object[] slots; // [capacity]
    private final int mask;

    @SuppressWarnings("unused") private long p00, p01, p02, p03, p04, p05, p06, p07;
    private volatile long head; // consumer-owned
    @SuppressWarnings("unused") private long p10, p11, p12, p13, p14, p15, p16, p17;
    private volatile long tail; // producer-owned
    private long headCache;
    @SuppressWarnings("unused") private long p20, p21, p22, p23, p24, p25, p26, p27;

    /** A FIFO of {@code capacity} elements; capacity must be a power of two (at least 2). */
    public ChunkFifo(int capacity) {
        if (capacity < 2 || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("FIFO capacity must be a power of two >= 2, got " + capacity);
        }
        this.slots = new Object[capacity];
        this.mask = capacity - 1;
    }

    /** Capacity in elements. */
    public int capacity() {
        return slots.length;
    }

    /** Producer: appends {@code e}; returns {@code false} (and changes nothing) when full. Never blocks. */
    public boolean offer(E e) {
        if (e == null) {
            throw new NullPointerException("ChunkFifo does not hold null");
        }
        long t = (long) TAIL.getOpaque(this);
        if (t - headCache >= slots.length) {
            headCache = (long) HEAD.getAcquire(this);
            if (t - headCache >= slots.length) {
                return false;
            }
        }
        slots[(int) (t & mask)] = e;
        TAIL.setRelease(this, t + 1);
        return true;
    }

    /** Consumer: removes and returns the oldest element, or {@code null} when empty. */
    @SuppressWarnings("unchecked")
    public E poll() {
        long h = (long) HEAD.getOpaque(this);
        if (h == (long) TAIL.getAcquire(this)) {
            return null;
        }
        int i = (int) (h & mask);
        E e = (E) slots[i];
        slots[i] = null;
        HEAD.setRelease(this, h + 1);
        return e;
    }

    /** Elements queued now (a snapshot; exact when called by either endpoint's own thread). */
    public int size() {
        long h = (long) HEAD.getAcquire(this);
        long t = (long) TAIL.getAcquire(this);
        return (int) Math.max(0, Math.min(slots.length, t - h));
    }

    /** Elements ever offered successfully. */
    public long offered() {
        return (long) TAIL.getAcquire(this);
    }
}
