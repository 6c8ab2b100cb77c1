package io.soundflow.engine.stream.jcstress;

import io.soundflow.engine.stream.ChunkFifo;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * jcstress tests of {@link ChunkFifo}: one producer, one consumer, racing, with a 2-slot FIFO whose
 * indices start mid-array so every run wraps. Elements are mutable boxes filled in by the producer
 * just before {@code offer}: a consumer that sees a box with a missing value saw an unsafely
 * published element.
 */
public final class FifoStress {

    private FifoStress() {
    }

    /** A mutable element (plain field): publication safety is the FIFO's job. */
    static final class Box {
        int value;
    }

    /**
     * Producer offers 1, 2, 3 (the FIFO holds 2, so one offer may be refused; a refused element is
     * reported by offer's return value, never silently lost). Result: (elements accepted, 1 when the
     * consumer plus the final drain saw exactly the accepted ones, in order, fully published).
     */
    @JCStressTest
    @Description("SPSC FIFO: order, no loss or duplication, wrap-around, publication")
    @Outcome(id = {"2, 1", "3, 1"}, expect = Expect.ACCEPTABLE, desc = "accepted elements seen once, in order")
    @Outcome(expect = Expect.FORBIDDEN, desc = "lost, duplicated, reordered or unpublished element")
    @State
    public static class OfferPoll {
        final ChunkFifo<Box> fifo = new ChunkFifo<>(2);
        final int[] acceptedValues = new int[3];
        int nAccepted;
        final int[] seen = new int[8];
        int nSeen;

        public OfferPoll() {
            fifo.offer(new Box());
            fifo.poll(); // head = tail = 1: the next offers wrap
        }

        @Actor
        public void producer() {
            for (int v = 1; v <= 3; v++) {
                Box b = new Box();
                b.value = v;
                if (fifo.offer(b)) {
                    acceptedValues[nAccepted++] = v;
                }
            }
        }

        @Actor
        public void consumer() {
            for (int i = 0; i < 3; i++) {
                Box b = fifo.poll();
                if (b != null) {
                    seen[nSeen++] = b.value;
                }
            }
        }

        @Arbiter
        public void check(II_Result r) {
            for (Box b; (b = fifo.poll()) != null; ) {
                seen[nSeen++] = b.value;
            }
            boolean ok = nSeen == nAccepted;
            for (int i = 0; ok && i < nSeen; i++) {
                ok = seen[i] == acceptedValues[i] && (i == 0 || seen[i] > seen[i - 1]);
            }
            r.r1 = nAccepted;
            r.r2 = ok ? 1 : 0;
        }
    }
}
