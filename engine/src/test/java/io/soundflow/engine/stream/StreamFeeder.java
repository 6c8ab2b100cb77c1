package io.soundflow.engine.stream;

import java.time.Duration;

/** Test helper: feeds samples into a session in blocks, as fast as the ring allows or paced. */
final class StreamFeeder {
    private StreamFeeder() {
    }

    /**
     * Feeds everything without loss (waits for ring room between blocks), then finishes. Stops early
     * when the session fails meanwhile (it then rejects input; the caller checks the failure).
     */
    static void feedAll(Session s, float[] x, int block) throws InterruptedException {
        for (int off = 0; off < x.length; ) {
            int n = Math.min(block, x.length - off);
            if (s.acceptCapacity() < n) {
                if (s.failure() != null) { // nobody reads the ring any more
                    return;
                }
                Thread.sleep(1);
                continue;
            }
            int taken;
            try {
                taken = s.accept(x, off, n);
            } catch (IllegalStateException e) {
                if (s.failure() != null) { // failed while we were feeding (set before it rejects input)
                    return;
                }
                throw e;
            }
            if (taken != n) {
                throw new AssertionError("ring dropped samples although it had room");
            }
            off += n;
        }
        s.finish();
    }

    /** Feeds one chunk at a time, waiting until the session has decided the previous one (a paced producer). */
    static void feedPaced(Session s, float[] x, java.util.function.LongSupplier decided) throws InterruptedException {
        int chunk = 6400;
        long chunks = 0;
        for (int off = 0; off < x.length; off += chunk) {
            // at most one chunk queued at a decision point: wait until every earlier chunk is decided
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (decided.getAsLong() < chunks && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            int n = Math.min(chunk, x.length - off);
            if (s.accept(x, off, n) != n) {
                throw new AssertionError("paced producer lost samples");
            }
            chunks++;
        }
        s.finish();
    }
}
