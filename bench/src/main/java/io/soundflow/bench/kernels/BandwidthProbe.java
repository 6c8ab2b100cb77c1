package io.soundflow.bench.kernels;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import io.soundflow.kernels.vector.HugePages;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Where the JVM's read bandwidth goes (issue 9, item 4): the same vector read loop over three kinds of
 * memory of the same size, on 1 and 2 threads, each thread reading interleaved 1 MiB pieces or one
 * contiguous half:
 * <ul>
 *   <li>{@code malloc}: {@link Arena#allocate} (what the kernels' scratch uses);</li>
 *   <li>{@code anon+hugepage}: anonymous {@code mmap} with {@code madvise(MADV_HUGEPAGE)}, through
 *       {@code java.lang.foreign} downcalls into libc (Linux only; 2 MiB aligned);</li>
 *   <li>{@code file}: a read-only file mapping (how checkpoints are read), of a file written under
 *       {@code java.io.tmpdir} and read once to be in the page cache.</li>
 * </ul>
 * It also prints the process's AnonHugePages / FilePmdMapped from {@code /proc/self/smaps_rollup}, which
 * tell whether the kernel gave huge pages to either. Best of 5 timed passes each.
 *
 * <pre>java --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp tools/target/soundflow.jar io.soundflow.bench.kernels.BandwidthProbe [MiB (2048)]</pre>
 */
public final class BandwidthProbe {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final long PIECE = 1L << 20;

    private BandwidthProbe() {
    }

    public static void main(String[] args) throws Throwable {
        long bytes = (args.length > 0 ? Long.parseLong(args[0]) : 2048) << 20;
        try (Arena arena = Arena.ofShared()) {
            warm(arena);
            List<String[]> kinds = new ArrayList<>();
            MemorySegment malloc = arena.allocate(bytes, 64);
            malloc.fill((byte) 1);
            MemorySegment huge = HugePages.mapAdvised(bytes); // the memory the vector backend packs weights into
            if (huge == null) {
                throw new IllegalStateException("anonymous huge-page memory needs native access on Linux: run with "
                        + "--enable-native-access=ALL-UNNAMED");
            }
            huge.fill((byte) 1);
            Path file = Files.createTempFile("soundflow-bw", ".bin");
            try {
                MemorySegment mapped = mapFile(file, bytes, arena);
                System.out.println("memory: " + smaps());
                System.out.printf(Locale.ROOT, "%-15s %7s %-8s %8s%n", "memory", "threads", "split", "GB/s");
                for (int threads : new int[] {1, 2}) {
                    for (boolean halves : new boolean[] {false, true}) {
                        row("malloc", malloc, threads, halves);
                        row("anon+hugepage", huge, threads, halves);
                        row("file", mapped, threads, halves);
                    }
                }
            } finally {
                Files.deleteIfExists(file);
            }
        }
    }

    private static void row(String kind, MemorySegment seg, int threads, boolean halves) throws Exception {
        System.out.printf(Locale.ROOT, "%-15s %7d %-8s %8.1f%n", kind, threads, halves ? "halves" : "pieces",
                readGBs(seg, threads, halves, 5));
    }

    /** A JIT warm-up of the read loop on a cache-sized buffer. */
    private static void warm(Arena arena) {
        MemorySegment w = arena.allocate(8 << 20, 64);
        w.fill((byte) 1);
        long t = System.nanoTime();
        float sink = 0;
        while (System.nanoTime() - t < 2_000_000_000L) {
            sink += sum(w, 0, w.byteSize());
        }
        if (sink == 42) {
            System.out.print("");
        }
    }

    private static MemorySegment mapFile(Path file, long bytes, Arena arena) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.READ)) {
            MemorySegment w = ch.map(FileChannel.MapMode.READ_WRITE, 0, bytes, arena);
            w.fill((byte) 1);
            w.force();
            MemorySegment r = ch.map(FileChannel.MapMode.READ_ONLY, 0, bytes, arena);
            sum(r, 0, bytes); // in the page cache and mapped before timing
            return r;
        }
    }

    private static String smaps() {
        try {
            return Files.readAllLines(Path.of("/proc/self/smaps_rollup")).stream()
                    .filter(l -> l.startsWith("AnonHugePages") || l.startsWith("FilePmdMapped"))
                    .map(l -> l.replaceAll("\\s+", " ")).toList().toString();
        } catch (IOException e) {
            return "(no /proc/self/smaps_rollup: " + e.getMessage() + ")";
        }
    }

    /** GB/s reading {@code seg} with {@code threads} threads; best of {@code rounds}. */
    static double readGBs(MemorySegment seg, int threads, boolean halves, int rounds) throws Exception {
        long n = seg.byteSize();
        ExecutorService ex = Executors.newFixedThreadPool(threads);
        try {
            double best = 0;
            float sink = 0;
            for (int r = 0; r <= rounds; r++) {
                long t0 = System.nanoTime();
                List<Future<Float>> parts = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int me = t;
                    parts.add(ex.submit(() -> {
                        if (halves) {
                            long per = n / threads;
                            return sum(seg, me * per, (me + 1) * per);
                        }
                        float s = 0;
                        for (long c = me; c * PIECE < n; c += threads) {
                            s += sum(seg, c * PIECE, Math.min(n, (c + 1) * PIECE));
                        }
                        return s;
                    }));
                }
                for (Future<Float> f : parts) {
                    sink += f.get();
                }
                double gbs = n / (double) (System.nanoTime() - t0);
                if (r > 0) {
                    best = Math.max(best, gbs);
                }
            }
            if (sink == 42) {
                System.out.print("");
            }
            return best;
        } finally {
            ex.shutdown();
        }
    }

    /** The read loop of {@link MachineProbe}: four independent vector accumulators. */
    private static float sum(MemorySegment seg, long from, long to) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        long vb = F.vectorByteSize(), step = 4 * vb;
        for (long o = from; o + step <= to; o += step) {
            a0 = a0.add(FloatVector.fromMemorySegment(F, seg, o, ByteOrder.LITTLE_ENDIAN));
            a1 = a1.add(FloatVector.fromMemorySegment(F, seg, o + vb, ByteOrder.LITTLE_ENDIAN));
            a2 = a2.add(FloatVector.fromMemorySegment(F, seg, o + 2 * vb, ByteOrder.LITTLE_ENDIAN));
            a3 = a3.add(FloatVector.fromMemorySegment(F, seg, o + 3 * vb, ByteOrder.LITTLE_ENDIAN));
        }
        return a0.add(a1).add(a2).add(a3).reduceLanes(VectorOperators.ADD);
    }
}
