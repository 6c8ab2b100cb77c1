package io.soundflow.engine.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayDeque;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * Sequential semantics of {@link SampleRing} and {@link ChunkFifo} against a plain
 * {@link ArrayDeque} model: random interleavings of writes and reads of random sizes (wrapping many
 * times) keep order, lose nothing uncounted, and count every drop.
 */
class RingPropertiesTest {

    /** An operation: positive = write that many samples, negative = read up to that many. */
    @Provide
    Arbitrary<List<Integer>> ops() {
        return Arbitraries.integers().between(-40, 40).list().ofMinSize(1).ofMaxSize(200);
    }

    @Property(tries = 300)
    void ringMatchesQueueModel(@ForAll("ops") List<Integer> ops, @ForAll @IntRange(min = 1, max = 6) int log2Cap) {
        int cap = 1 << log2Cap;
        SampleRing ring = new SampleRing(cap);
        ArrayDeque<Float> model = new ArrayDeque<>();
        float next = 1;
        long droppedModel = 0;
        for (int op : ops) {
            if (op >= 0) {
                float[] src = new float[op + 3];
                for (int i = 0; i < op; i++) {
                    src[i + 3] = next + i;
                }
                int n = ring.write(src, 3, op);
                int room = cap - model.size();
                assertThat(n).isEqualTo(Math.min(op, room));
                for (int i = 0; i < n; i++) {
                    model.add(next + i);
                }
                droppedModel += op - n;
                next += op; // dropped values are skipped: they are the newest, never re-offered
            } else {
                float[] dst = new float[-op + 2];
                int n = ring.read(dst, 2, -op);
                assertThat(n).isEqualTo(Math.min(-op, model.size()));
                for (int i = 0; i < n; i++) {
                    assertThat(dst[2 + i]).isEqualTo(model.poll());
                }
            }
            assertThat(ring.available()).isEqualTo(model.size());
            assertThat(ring.free()).isEqualTo(cap - model.size());
            assertThat(ring.dropped()).isEqualTo(droppedModel);
            assertThat(ring.written() - ring.consumed()).isEqualTo(model.size());
        }
    }

    @Property(tries = 300)
    void fifoMatchesQueueModel(@ForAll("ops") List<Integer> ops, @ForAll @IntRange(min = 1, max = 5) int log2Cap) {
        int cap = 1 << log2Cap;
        ChunkFifo<Integer> fifo = new ChunkFifo<>(cap);
        ArrayDeque<Integer> model = new ArrayDeque<>();
        int next = 0;
        for (int op : ops) {
            if (op >= 0) {
                for (int i = 0; i < op % 7; i++) {
                    boolean ok = fifo.offer(next);
                    assertThat(ok).isEqualTo(model.size() < cap);
                    if (ok) {
                        model.add(next);
                    }
                    next++;
                }
            } else {
                for (int i = 0; i < -op % 7; i++) {
                    assertThat(fifo.poll()).isEqualTo(model.poll());
                }
            }
            assertThat(fifo.size()).isEqualTo(model.size());
        }
    }

    @Test
    void rejectsBadCapacitiesAndRanges() {
        assertThatThrownBy(() -> new SampleRing(6)).hasMessageContaining("power of two");
        assertThatThrownBy(() -> new ChunkFifo<>(0)).hasMessageContaining("power of two");
        SampleRing ring = new SampleRing(8);
        assertThatThrownBy(() -> ring.write(new float[4], 2, 3)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> ring.read(new float[4], -1, 1)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> new ChunkFifo<String>(4).offer(null)).isInstanceOf(NullPointerException.class);
    }
}
