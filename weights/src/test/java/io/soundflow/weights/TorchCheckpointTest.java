package io.soundflow.weights;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The .pth reader on archives generated here in both the older and the newer PyTorch shape. */
class TorchCheckpointTest {

    @TempDir
    Path dir;

    private static TorchCheckpointWriter everyDtype(boolean newStyle) {
        TorchCheckpointWriter w = new TorchCheckpointWriter();
        w.newStyle = newStyle;
        w.location = newStyle ? "cuda:0" : "cpu";
        int key = 0;
        for (DType d : DType.values()) {
            w.storage(Integer.toString(key), d, TestBytes.pattern(d, 6, key));
            w.tensor("t." + d, Integer.toString(key), 0, new long[]{2, 3});
            key++;
        }
        return w;
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void readsEveryDtypeInBothArchiveShapes(boolean newStyle) throws IOException {
        TorchCheckpointWriter w = everyDtype(newStyle);
        w.withMetadataBuild = newStyle;
        Path f = dir.resolve("m.pth");
        w.write(f);
        try (TensorStore s = TorchCheckpoint.open(f)) {
            assertThat(s.tensors().keySet()).containsExactlyElementsOf(
                    Arrays.stream(DType.values()).map(d -> "t." + d).toList());
            int key = 0;
            for (DType d : DType.values()) {
                TensorInfo t = s.get("t." + d);
                assertThat(t.dtype()).isEqualTo(d);
                assertThat(t.shape()).containsExactly(2, 3);
                assertThat(t.file()).isEqualTo(f.toAbsolutePath());
                assertThat(t.data().toArray(ValueLayout.JAVA_BYTE)).isEqualTo(TestBytes.pattern(d, 6, key));
                if (newStyle) {
                    // the newer writer aligns storages to 64 bytes in the file (mappings start page-aligned)
                    assertThat(t.data().address() % 64).isZero();
                }
                key++;
            }
            assertThat(s.metadata()).isEmpty();
        }
    }

    @Test
    void viewsIntoOneStorageHonourTheOffset() throws IOException {
        TorchCheckpointWriter w = new TorchCheckpointWriter();
        byte[] bytes = TestBytes.pattern(DType.F32, 20, 7);
        w.storage("0", DType.F32, bytes);
        w.tensor("head", "0", 0, new long[]{2, 4});
        w.tensor("tail", "0", 8, new long[]{3, 4});
        w.tensor("scalar", "0", 19, new long[]{});
        w.tensor("col", "0", 4, new long[]{4, 1}, 1, 7); // size-1 dimensions may have any stride
        Path f = dir.resolve("v.pth");
        w.write(f);
        try (TensorStore s = TorchCheckpoint.open(f)) {
            assertThat(s.get("head").data().toArray(ValueLayout.JAVA_BYTE)).isEqualTo(Arrays.copyOfRange(bytes, 0, 32));
            assertThat(s.get("tail").data().toArray(ValueLayout.JAVA_BYTE)).isEqualTo(Arrays.copyOfRange(bytes, 32, 80));
            assertThat(s.get("scalar").shape()).isEmpty();
            assertThat(s.get("scalar").data().toArray(ValueLayout.JAVA_BYTE)).isEqualTo(Arrays.copyOfRange(bytes, 76, 80));
            assertThat(s.get("col").data().toArray(ValueLayout.JAVA_BYTE)).isEqualTo(Arrays.copyOfRange(bytes, 16, 32));
            assertThat(s.get("tail").asMatrix().rows()).isEqualTo(3);
        }
    }

    @Test
    void acceptsParametersAndOtherArchivePrefixes() throws IOException {
        TorchCheckpointWriter w = everyDtype(false);
        w.asParameter = true;
        w.prefix = "audiointeraction_ChunkwisedEncoder";
        Path f = dir.resolve("p.pth");
        w.write(f);
        try (TensorStore s = TorchCheckpoint.open(f)) {
            assertThat(s.tensors()).hasSize(DType.values().length);
            assertThat(s.get("t.F32").toFloatArray()).hasSize(6);
        }
    }

    private void rejects(TorchCheckpointWriter w, String... fragments) throws IOException {
        Path f = dir.resolve("bad.pth");
        w.write(f);
        rejects(f, fragments);
    }

    private static void rejects(Path f, String... fragments) {
        assertThatThrownBy(() -> TorchCheckpoint.open(f)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining(f.getFileName().toString())
                .satisfies(e -> {
                    for (String s : fragments) {
                        assertThat(e.getMessage()).contains(s);
                    }
                });
    }

    @Test
    void refusesForeignGlobalsWithoutRunningThem() throws IOException {
        // the classic exploit: os.system('touch PWNED') through GLOBAL + REDUCE
        Path marker = dir.resolve("PWNED");
        TorchCheckpointWriter w = everyDtype(false);
        w.rawPickle = new PickleWriter().proto().global("os", "system").str("touch " + marker)
                .op(0x85).reduce().stop().bytes();
        rejects(w, "refusing global 'os.system'");
        assertThat(marker).doesNotExist();
        w.rawPickle = new PickleWriter().proto().global("builtins", "eval").stop().bytes();
        rejects(w, "builtins.eval");
        w.rawPickle = new PickleWriter().proto().global("torch", "DoubleStorage").stop().bytes();
        rejects(w, "torch.DoubleStorage", "not supported");
        // a storage type may be named but not called
        w.rawPickle = new PickleWriter().proto().global("torch", "FloatStorage").emptyTuple().reduce().stop().bytes();
        rejects(w, "refusing to call torch.FloatStorage");
    }

    @Test
    void refusesUnsupportedOpcodesAndMalformedPickles() throws IOException {
        TorchCheckpointWriter w = everyDtype(false);
        w.rawPickle = new PickleWriter().proto().op('i').stop().bytes(); // INST
        rejects(w, "unsupported pickle opcode 0x69");
        w.rawPickle = new PickleWriter().proto().op('}').bytes();
        rejects(w, "without a STOP");
        w.rawPickle = new PickleWriter().proto().op('}').op('}').stop().bytes();
        rejects(w, "2 values on the stack");
        w.rawPickle = new PickleWriter().proto().get(9).stop().bytes();
        rejects(w, "memo entry 9");
        w.rawPickle = new PickleWriter().proto().op('s').stop().bytes();
        rejects(w, "underflow");
        w.rawPickle = new PickleWriter().proto().str("x").op('Q').stop().bytes();
        rejects(w, "persistent id");
        w.rawPickle = new PickleWriter().proto().op(']').stop().bytes();
        rejects(w, "does not hold a dict");
        w.rawPickle = new PickleWriter().proto().op('}').str("n").integer(3).op('s').stop().bytes();
        rejects(w, "'n'", "not a tensor");
        w.rawPickle = new PickleWriter().proto().op('X').le32(1000).stop().bytes();
        rejects(w, "truncated");
        w.rawPickle = new PickleWriter().op(0x80).op(9).stop().bytes();
        rejects(w, "protocol 9");
    }

    @Test
    void refusesNonContiguousAndOutOfRangeTensors() throws IOException {
        TorchCheckpointWriter w = new TorchCheckpointWriter();
        w.storage("0", DType.F32, TestBytes.pattern(DType.F32, 6, 1));
        w.tensor("transposed", "0", 0, new long[]{2, 3}, 1, 2);
        rejects(w, "'transposed'", "not contiguous");

        w.tensors.clear();
        w.tensor("big", "0", 2, new long[]{2, 3});
        rejects(w, "'big'", "past the end of storage '0'");

        w.tensors.clear();
        w.tensor("ghost", "7", 0, new long[]{1});
        w.rawPickle = null;
        // storage key 7 is not in the archive (the pickle references it, the writer wrote only "0")
        w.storages.put("7", new TorchCheckpointWriter.Storage("7", DType.F32, new byte[4]));
        byte[] pkl = w.pickle();
        w.storages.remove("7");
        w.rawPickle = pkl;
        rejects(w, "'ghost'", "data/7", "missing");
    }

    @Test
    void refusesStorageSizeMismatch() throws IOException {
        TorchCheckpointWriter w = new TorchCheckpointWriter();
        w.storage("0", DType.F32, new byte[16]);
        w.tensor("w", "0", 0, new long[]{4});
        byte[] pkl = w.pickle();
        w.storage("0", DType.F32, new byte[12]);
        w.rawPickle = pkl;
        rejects(w, "'w'", "should hold 4 F32 values", "12");
    }

    @Test
    void refusesCompressedEntriesBigEndianAndMissingPickle() throws IOException {
        TorchCheckpointWriter w = everyDtype(false);
        w.compressStorages = true;
        rejects(w, "compressed");
        w = everyDtype(true);
        w.byteorder = "big";
        rejects(w, "byteorder is 'big'");
        w = everyDtype(false);
        Path f = dir.resolve("nopkl.pth");
        w.write(f);
        byte[] b = Files.readAllBytes(f);
        // rename data.pkl to data.pkx in both local and central headers
        String s = new String(b, java.nio.charset.StandardCharsets.ISO_8859_1).replace("data.pkl", "data.pkx");
        Files.write(f, s.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        rejects(f, "no <archive>/data.pkl");
    }

    @Test
    void refusesNonZipFiles() throws IOException {
        Path f = dir.resolve("x.pth");
        Files.write(f, new byte[0]);
        rejects(f, "not a zip archive");
        Files.write(f, new byte[]{(byte) 0x80, 2, '}', '.'});
        rejects(f, "legacy");
        Files.write(f, "hello, this is not a zip file at all, just some text".getBytes());
        rejects(f, "no end-of-central-directory");
        rejects(dir.resolve("missing.pth"), "not found");
        // a valid archive cut short loses its central directory
        everyDtype(true).write(f);
        byte[] all = Files.readAllBytes(f);
        Files.write(f, Arrays.copyOf(all, all.length - 30));
        rejects(f);
    }

    @Test
    void readsZip64Archives() throws IOException {
        TorchCheckpointWriter w = everyDtype(false);
        java.util.Map<String, byte[]> entries = new java.util.LinkedHashMap<>();
        entries.put("archive/data.pkl", w.pickle());
        for (TorchCheckpointWriter.Storage s : w.storages.values()) {
            entries.put("archive/data/" + s.key(), s.bytes());
        }
        entries.put("archive/version", "3\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        Path f = dir.resolve("z64.pth");
        Zip64Writer.write(f, entries);
        // the JDK's own reader agrees the archive is well formed
        try (java.util.zip.ZipFile zf = new java.util.zip.ZipFile(f.toFile())) {
            assertThat(zf.size()).isEqualTo(entries.size());
            assertThat(zf.getInputStream(zf.getEntry("archive/data/0")).readAllBytes()).isEqualTo(entries.get("archive/data/0"));
        }
        try (TensorStore s = TorchCheckpoint.open(f)) {
            int key = 0;
            for (DType d : DType.values()) {
                assertThat(s.get("t." + d).data().toArray(ValueLayout.JAVA_BYTE))
                        .isEqualTo(TestBytes.pattern(d, 6, key++));
            }
        }
    }

    @Test
    void longMemoOpcodes() throws IOException {
        TorchCheckpointWriter w = new TorchCheckpointWriter();
        w.storage("0", DType.F32, TestBytes.pattern(DType.F32, 2, 3));
        // {'a': t, 'b': t} where the second value comes back through LONG_BINGET
        PickleWriter p = new PickleWriter().proto().op('}').str("a")
                .global("torch._utils", "_rebuild_tensor_v2").mark()
                .mark().str("storage").global("torch", "FloatStorage").str("0").str("cpu").integer(2).tuple().op('Q')
                .integer(0).integer(2).op(0x85).integer(1).op(0x85).op(0x88)
                .global("collections", "OrderedDict").emptyTuple().reduce().tuple().reduce().longPut(70000)
                .op('s').str("b").longGet(70000).op('s').stop();
        w.rawPickle = p.bytes();
        Path f = dir.resolve("memo.pth");
        w.write(f);
        try (TensorStore s = TorchCheckpoint.open(f)) {
            assertThat(s.tensors().keySet()).containsExactly("a", "b");
            assertThat(s.get("b").data().toArray(ValueLayout.JAVA_BYTE)).isEqualTo(TestBytes.pattern(DType.F32, 2, 3));
        }
    }

    @Test
    void writerRoundTripIsExactAndReproducible() throws IOException {
        TorchCheckpointWriter w = new TorchCheckpointWriter();
        float[] f = {1.5f, -2f, 3e-8f, 0f, -0f, 7f};
        byte[] i64 = TestBytes.pattern(DType.I64, 3, 5);
        w.addF32("conv.weight", f, 2, 3).addBF16("ln.bias", new float[] {0.1f, -4f}, 2)
                .add("steps", DType.I64, new long[] {3}, i64).addF32("scalar", new float[] {9f});
        Path a = dir.resolve("a.pth");
        Path b = dir.resolve("b.pth");
        w.write(a);
        w.write(b);
        assertThat(Files.readAllBytes(a)).isEqualTo(Files.readAllBytes(b));
        try (TensorStore s = TorchCheckpoint.open(a)) {
            assertThat(s.tensors().keySet()).containsExactly("conv.weight", "ln.bias", "steps", "scalar");
            assertThat(s.get("conv.weight").dtype()).isEqualTo(DType.F32);
            assertThat(s.get("conv.weight").shape()).containsExactly(2, 3);
            assertThat(s.get("conv.weight").toFloatArray()).containsExactly(f);
            assertThat(s.get("ln.bias").dtype()).isEqualTo(DType.BF16);
            assertThat(s.get("ln.bias").toFloatArray()).containsExactly(
                    io.soundflow.kernels.WeightMatrix.bf16ToFloat(io.soundflow.kernels.WeightMatrix.floatToBf16(0.1f)), -4f);
            assertThat(s.get("steps").data().toArray(ValueLayout.JAVA_BYTE)).isEqualTo(i64);
            assertThat(s.get("scalar").rank()).isZero();
        }
        assertThatThrownBy(() -> w.addF32("scalar", new float[1])).hasMessageContaining("added twice");
        assertThatThrownBy(() -> w.addF32("x", new float[3], 2, 2)).hasMessageContaining("do not match");
    }
}
