package io.soundflow.engine.stream.jcstress;

import io.soundflow.engine.stream.SampleRing;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * jcstress tests of {@link SampleRing}: one producer, one consumer, racing. Each result is
 * (samples the writer got in, 1 if everything the consumer saw was exactly the written sequence in
 * order with the rest counted as dropped, else 0). Any 0 is a lost, duplicated, reordered, stale
 * (unpublished) or uncounted sample.
 */
public final class RingStress {

    private RingStress() {
    }

    /** Wrap-around without overflow: the 3 samples straddle the end of a 4-slot array. */
    @JCStressTest
    @Description("SPSC ring: wrap-around, publication, order")
    @Outcome(id = {"3, 1"}, expect = Expect.ACCEPTABLE, desc = "all 3 written, read in order")
    @Outcome(expect = Expect.FORBIDDEN, desc = "lost, duplicated, reordered or stale sample")
    @State
    public static class WrapAround {
        final SampleRing ring = new SampleRing(4);
        final float[] got = new float[8];
        int nGot;
        int accepted;

        public WrapAround() {
            // move head and tail to 3 so the next writes wrap; leave stale -7s in the array
            ring.write(new float[] {-7, -7, -7}, 0, 3);
            ring.read(new float[3], 0, 3);
        }

        @Actor
        public void producer() {
            accepted = ring.write(new float[] {1, 2}, 0, 2);
            accepted += ring.write(new float[] {3}, 0, 1);
        }

        @Actor
        public void consumer() {
            nGot = ring.read(got, 0, 3);
        }

        @Arbiter
        public void check(II_Result r) {
            nGot += ring.read(got, nGot, 8 - nGot);
            r.r1 = accepted;
            r.r2 = inOrder(got, nGot, accepted, ring.dropped(), 3) ? 1 : 0;
        }
    }

    /** Overflow: the writer offers more than fits; what fits is kept in order, the rest counted. */
    @JCStressTest
    @Description("SPSC ring: drop-newest overflow is counted, never silent")
    @Outcome(id = {"2, 1", "3, 1", "4, 1"}, expect = Expect.ACCEPTABLE, desc = "kept a prefix, counted the rest")
    @Outcome(expect = Expect.FORBIDDEN, desc = "lost, duplicated, reordered, stale or uncounted sample")
    @State
    public static class Overflow {
        final SampleRing ring = new SampleRing(4);
        final float[] got = new float[16];
        int nGot;
        int accepted;

        public Overflow() {
            ring.write(new float[] {-7, -7, -7}, 0, 3);
            ring.read(new float[1], 0, 1); // head 1, tail 3: 2 queued (-7, -7), 2 free
        }

        @Actor
        public void producer() {
            accepted = ring.write(new float[] {1, 2, 3, 4}, 0, 4);
        }

        @Actor
        public void consumer() {
            nGot = ring.read(got, 0, 4);
        }

        @Arbiter
        public void check(II_Result r) {
            nGot += ring.read(got, nGot, 16 - nGot);
            boolean ok = nGot >= 2 && got[0] == -7 && got[1] == -7;
            float[] rest = new float[16];
            System.arraycopy(got, 2, rest, 0, Math.max(0, nGot - 2));
            ok &= inOrder(rest, nGot - 2, accepted, ring.dropped(), 4);
            r.r1 = accepted;
            r.r2 = ok ? 1 : 0;
        }
    }

    /** True when {@code got[0..n)} is 1, 2, ..., accepted and accepted + dropped == offered. */
    static boolean inOrder(float[] got, int n, int accepted, long dropped, int offered) {
        if (n != accepted || accepted + dropped != offered) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            if (got[i] != i + 1) {
                return false;
            }
        }
        return true;
    }
}
