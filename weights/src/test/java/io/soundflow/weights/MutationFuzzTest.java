package io.soundflow.weights;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Random byte mutations and truncations of valid checkpoints: every outcome is either a store whose
 * tensors all read, or a {@link CheckpointException} naming the file; never another exception type.
 */
class MutationFuzzTest {

    private static Path dir;
    private static byte[] safetensors;
    private static byte[] pthOld;
    private static byte[] pthNew;

    /** One mutation: a truncation length (or -1) and bytes to overwrite at positions. */
    record Mutation(int truncateTo, List<int[]> edits) {
        byte[] apply(byte[] valid) {
            byte[] b = valid.clone();
            for (int[] e : edits) {
                b[e[0] % b.length] = (byte) e[1];
            }
            return truncateTo >= 0 ? Arrays.copyOf(b, Math.min(truncateTo, b.length)) : b;
        }
    }

    @BeforeContainer
    static void writeValidFiles() throws IOException {
        dir = Files.createTempDirectory("soundflow-fuzz");
        Path st = dir.resolve("valid.safetensors");
        SafeTensorsWriter w = new SafeTensorsWriter().metadata("format", "pt");
        for (DType d : DType.values()) {
            w.add("t." + d, d, new long[]{2, 3}, TestBytes.pattern(d, 6, d.ordinal()));
        }
        w.write(st);
        safetensors = Files.readAllBytes(st);
        pthOld = pth(false);
        pthNew = pth(true);
    }

    private static byte[] pth(boolean newStyle) throws IOException {
        TorchCheckpointWriter t = new TorchCheckpointWriter();
        t.newStyle = newStyle;
        t.withMetadataBuild = true;
        t.storage("0", DType.BF16, TestBytes.pattern(DType.BF16, 12, 1));
        t.storage("1", DType.I64, TestBytes.pattern(DType.I64, 2, 2));
        t.tensor("w", "0", 0, new long[]{2, 3});
        t.tensor("v", "0", 6, new long[]{6});
        t.tensor("ids", "1", 0, new long[]{2});
        Path f = dir.resolve("valid-" + newStyle + ".pth");
        t.write(f);
        return Files.readAllBytes(f);
    }

    @AfterContainer
    static void cleanUp() throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Provide
    Arbitrary<Mutation> mutations() {
        // most edits land in the first KiB, where the headers and the pickle live
        Arbitrary<Integer> position = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(0, 1 << 20)),
                net.jqwik.api.Tuple.of(3, Arbitraries.integers().between(0, 1023)));
        Arbitrary<int[]> edit = Combinators.combine(position,
                Arbitraries.integers().between(0, 255)).as((p, v) -> new int[]{p, v});
        Arbitrary<Integer> truncate = Arbitraries.oneOf(Arbitraries.just(-1), Arbitraries.integers().between(0, 1 << 12));
        return Combinators.combine(truncate, edit.list().ofMinSize(0).ofMaxSize(4)).as(Mutation::new);
    }

    @Property(tries = 400)
    void mutatedSafetensors(@ForAll("mutations") Mutation m) throws IOException {
        check(m.apply(safetensors), "m.safetensors", SafeTensors::open);
    }

    @Property(tries = 300)
    void mutatedOldStylePth(@ForAll("mutations") Mutation m) throws IOException {
        check(m.apply(pthOld), "old.pth", TorchCheckpoint::open);
    }

    @Property(tries = 300)
    void mutatedNewStylePth(@ForAll("mutations") Mutation m) throws IOException {
        check(m.apply(pthNew), "new.pth", TorchCheckpoint::open);
    }

    private static void check(byte[] bytes, String name, Function<Path, TensorStore> open) throws IOException {
        Path f = dir.resolve(name);
        Files.write(f, bytes);
        try (TensorStore s = open.apply(f)) {
            for (TensorInfo t : s.tensors().values()) {
                readAll(t);
            }
            Statistics.collect("opened");
        } catch (CheckpointException e) {
            assertThat(e.getMessage()).contains(name);
            Statistics.collect("rejected");
        }
    }

    /** Every accessor either works or fails with a CheckpointException. */
    private static void readAll(TensorInfo t) {
        assertThat(t.data().byteSize()).isEqualTo(t.elementCount() * t.dtype().byteSize());
        try {
            if (t.dtype().isFloatingPoint()) {
                assertThat(t.toFloatArray()).hasSize((int) t.elementCount());
                t.asMatrix();
            } else {
                assertThat(t.toLongArray()).hasSize((int) t.elementCount());
            }
        } catch (CheckpointException e) {
            assertThat(e.getMessage()).contains(t.name());
        }
    }
}
