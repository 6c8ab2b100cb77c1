package io.soundflow.kernels;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The hand-off of {@link KernelPool}: every index exactly once, from any number of callers, and errors reach the caller. */
class KernelPoolTest {

    private static void checkOnce(KernelPool pool, int n, int minPiece, boolean nested) {
        checkOnce(pool, n, minPiece, nested, false);
    }

    private static void checkOnce(KernelPool pool, int n, int minPiece, boolean nested, boolean pieces) {
        AtomicIntegerArray hits = new AtomicIntegerArray(n);
        KernelPool.RangeBody body = (a, b) -> {
            for (int i = a; i < b; i++) {
                hits.incrementAndGet(i);
            }
            if (nested && b > a) { // a kernel that splits again runs inline
                AtomicIntegerArray inner = new AtomicIntegerArray(7);
                pool.forRange(7, 1, (c, d) -> {
                    for (int i = c; i < d; i++) {
                        inner.incrementAndGet(i);
                    }
                });
                for (int i = 0; i < 7; i++) {
                    assertThat(inner.get(i)).isEqualTo(1);
                }
            }
        };
        if (pieces) {
            pool.forPieces(n, minPiece, body);
        } else {
            pool.forRange(n, minPiece, body);
        }
        for (int i = 0; i < n; i++) {
            assertThat(hits.get(i)).as("index %d of %d (min piece %d)", i, n, minPiece).isEqualTo(1);
        }
    }

    @Test
    void everyIndexRunsExactlyOnce() {
        KernelPool pool = new KernelPool(3);
        Random rnd = new Random(1);
        for (int r = 0; r < 3000; r++) {
            checkOnce(pool, rnd.nextInt(200), 1 + rnd.nextInt(20), r % 5 == 0, r % 3 == 0);
        }
    }

    @Test
    void concurrentCallersEachGetTheirWholeRange() throws Exception {
        KernelPool pool = new KernelPool(2);
        List<Thread> callers = new ArrayList<>();
        List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int c = 0; c < 4; c++) {
            int seed = c;
            Thread t = new Thread(() -> {
                Random rnd = new Random(seed);
                for (int r = 0; r < 2000; r++) {
                    checkOnce(pool, 1 + rnd.nextInt(100), 1, r % 7 == 0, r % 3 == 0);
                }
            });
            t.setUncaughtExceptionHandler((th, e) -> errors.add(e));
            callers.add(t);
            t.start();
        }
        for (Thread t : callers) {
            t.join(60_000);
            assertThat(t.isAlive()).as("a caller is stuck").isFalse();
        }
        assertThat(errors).isEmpty();
    }

    @Test
    void anErrorInAWorkersPieceReachesTheCallerAndThePoolGoesOn() {
        KernelPool pool = new KernelPool(2);
        assertThatThrownBy(() -> pool.forPieces(10, 1, (a, b) -> {
            if (a > 0) {
                throw new IllegalStateException("piece from " + a);
            }
        })).isInstanceOf(IllegalStateException.class).hasMessage("piece from 5");
        assertThatThrownBy(() -> pool.forRange(40, 1, (a, b) -> {
            if (a > 0) {
                throw new IllegalStateException("chunk from " + a);
            }
        })).isInstanceOf(IllegalStateException.class).hasMessageStartingWith("chunk from ");
        assertThatThrownBy(() -> pool.forRange(10, 1, (a, b) -> {
            if (a == 0) {
                throw new ArithmeticException("first piece");
            }
        })).isInstanceOf(ArithmeticException.class);
        checkOnce(pool, 50, 1, false);
        checkOnce(pool, 50, 1, false, true);
    }

    @Test
    void aClaimedSplitCutsTheRangeIntoUpToFourChunksAThreadAndAFixedOneIntoAPieceAThread() {
        KernelPool pool = new KernelPool(2);
        Set<String> cuts = ConcurrentHashMap.newKeySet();
        pool.forRange(80, 1, (a, b) -> cuts.add(a + "-" + b));
        assertThat(cuts).hasSize(8).contains("0-10", "70-80");
        cuts.clear();
        pool.forRange(80, 20, (a, b) -> cuts.add(a + "-" + b)); // no chunk below the minimum piece
        assertThat(cuts).containsExactlyInAnyOrder("0-20", "20-40", "40-60", "60-80");
        cuts.clear();
        Set<String> names = ConcurrentHashMap.newKeySet();
        pool.forPieces(80, 1, (a, b) -> {
            cuts.add(a + "-" + b);
            names.add(Thread.currentThread().getName());
        });
        assertThat(cuts).containsExactlyInAnyOrder("0-40", "40-80");
        assertThat(names).as("one piece on the caller, one on the worker").hasSize(2);
    }
}
