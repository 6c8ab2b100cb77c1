package io.soundflow.bench.stream;

import io.soundflow.engine.stream.ChunkFifo;
import io.soundflow.engine.stream.SampleRing;
import java.util.concurrent.TimeUnit;
import org.jctools.queues.MpscArrayQueue;
import org.jctools.queues.SpscArrayQueue;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The streaming runtime's hand-written lock-free queues beside JCTools, one producer thread and one
 * consumer thread each (JMH groups; the score is operations per microsecond of each thread, a failed
 * offer or empty poll included, as in JCTools' own throughput benchmarks); the {@code samples} and
 * {@code items} counters are what actually got through, per second.
 * <ul>
 *   <li>{@code ring*}: 160-sample (10 ms) blocks of floats copied through {@link SampleRing} (capacity 2^15)
 *       versus JCTools {@link SpscArrayQueue} passing pooled float[160] references (no copy: JCTools has no
 *       primitive ring);</li>
 *   <li>{@code fifo*}: object references through {@link ChunkFifo} versus JCTools {@link SpscArrayQueue}
 *       and {@link MpscArrayQueue} with relaxed offer/poll (capacity 256 each).</li>
 * </ul>
 * Run: {@code java -jar bench/target/soundflow-benchmarks.jar 'stream.QueueBench' -f 1 -wi 2 -i 3 -w 1s -r 1s}
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
public class QueueBench {
    static final int BLOCK = 160;

    @State(Scope.Group)
    public static class Rings {
        final SampleRing ring = new SampleRing(1 << 15);
        final SpscArrayQueue<float[]> spsc = new SpscArrayQueue<>(256);
        final float[] src = new float[BLOCK];
        final float[] pooled = new float[BLOCK];
    }

    @State(Scope.Thread)
    public static class Sink {
        final float[] dst = new float[BLOCK];
    }

    /** What actually got through, per consumer thread (JMH reports it as a rate beside the raw score). */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Moved {
        public long samples;
        public long items;

        /** Counts a polled item (null = the queue was empty) and hands it to the blackhole. */
        void took(Object o, Blackhole bh) {
            if (o != null) {
                items++;
            }
            bh.consume(o);
        }
    }

    @Benchmark
    @Group("ringSampleRing")
    @GroupThreads(1)
    public int ringWrite(Rings s) {
        return s.ring.free() >= BLOCK ? s.ring.write(s.src, 0, BLOCK) : 0;
    }

    @Benchmark
    @Group("ringSampleRing")
    @GroupThreads(1)
    public int ringRead(Rings s, Sink k, Moved m) {
        int n = s.ring.read(k.dst, 0, BLOCK);
        m.samples += n;
        return n;
    }

    @Benchmark
    @Group("ringJctoolsSpsc")
    @GroupThreads(1)
    public boolean spscBlockOffer(Rings s) {
        return s.spsc.relaxedOffer(s.pooled);
    }

    @Benchmark
    @Group("ringJctoolsSpsc")
    @GroupThreads(1)
    public void spscBlockPoll(Rings s, Sink k, Moved m) {
        float[] b = s.spsc.relaxedPoll();
        if (b != null) {
            System.arraycopy(b, 0, k.dst, 0, BLOCK); // the consumer copies the block out, as a ring read does
            m.samples += BLOCK;
        }
    }

    @State(Scope.Group)
    public static class Fifos {
        final ChunkFifo<Object> fifo = new ChunkFifo<>(256);
        final SpscArrayQueue<Object> spsc = new SpscArrayQueue<>(256);
        final MpscArrayQueue<Object> mpsc = new MpscArrayQueue<>(256);
        final Object item = new Object();
    }

    @Benchmark
    @Group("fifoChunkFifo")
    @GroupThreads(1)
    public boolean fifoOffer(Fifos s) {
        return s.fifo.offer(s.item);
    }

    @Benchmark
    @Group("fifoChunkFifo")
    @GroupThreads(1)
    public void fifoPoll(Fifos s, Blackhole bh, Moved m) {
        m.took(s.fifo.poll(), bh);
    }

    @Benchmark
    @Group("fifoJctoolsSpsc")
    @GroupThreads(1)
    public boolean spscOffer(Fifos s) {
        return s.spsc.relaxedOffer(s.item);
    }

    @Benchmark
    @Group("fifoJctoolsSpsc")
    @GroupThreads(1)
    public void spscPoll(Fifos s, Blackhole bh, Moved m) {
        m.took(s.spsc.relaxedPoll(), bh);
    }

    @Benchmark
    @Group("fifoJctoolsMpsc")
    @GroupThreads(1)
    public boolean mpscOffer(Fifos s) {
        return s.mpsc.relaxedOffer(s.item);
    }

    @Benchmark
    @Group("fifoJctoolsMpsc")
    @GroupThreads(1)
    public void mpscPoll(Fifos s, Blackhole bh, Moved m) {
        m.took(s.mpsc.relaxedPoll(), bh);
    }
}
