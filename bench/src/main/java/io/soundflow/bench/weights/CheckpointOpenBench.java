package io.soundflow.bench.weights;

import io.soundflow.weights.SafeTensors;
import io.soundflow.weights.TensorStore;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Cost of opening a checkpoint: header parse, validation of every tensor, memory mapping and unmapping,
 * on a sparse safetensors file with the 3B thinker's names and shapes (audio tower + decoder + lm_head,
 * 924 BF16 tensors, about 8.9 GB; sparse, so no disk is used and no weight byte is read).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@State(Scope.Benchmark)
public class CheckpointOpenBench {

    private Path dir;
    private Path file;
    private int count;

    @Setup
    public void setup() throws IOException {
        dir = Files.createTempDirectory("soundflow-open-bench");
        file = dir.resolve("model.safetensors");
        List<Object[]> t = thinkerTensors();
        count = t.size();
        StringBuilder h = new StringBuilder("{");
        long off = 0;
        for (Object[] e : t) {
            long[] shape = (long[]) e[1];
            long n = 1;
            StringBuilder s = new StringBuilder();
            for (long d : shape) {
                n *= d;
                s.append(s.isEmpty() ? "" : ",").append(d);
            }
            h.append(h.length() > 1 ? "," : "").append('"').append(e[0]).append("\":{\"dtype\":\"BF16\",\"shape\":[")
                    .append(s).append("],\"data_offsets\":[").append(off).append(',').append(off + 2 * n).append("]}");
            off += 2 * n;
        }
        byte[] hb = h.append('}').toString().getBytes(StandardCharsets.UTF_8);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                StandardOpenOption.SPARSE)) {
            ch.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, hb.length));
            ch.write(ByteBuffer.wrap(hb));
            ch.write(ByteBuffer.allocate(1), 8 + hb.length + off - 1);
        }
    }

    @TearDown
    public void tearDown() throws IOException {
        Files.deleteIfExists(file);
        Files.deleteIfExists(dir);
    }

    @Benchmark
    public int openValidateMapClose() {
        try (TensorStore s = SafeTensors.open(file)) {
            if (s.tensors().size() != count) {
                throw new AssertionError("expected " + count + " tensors");
            }
            return s.tensors().size();
        }
    }

    /** Names and shapes of the Qwen2.5-Omni-3B thinker (research/qwen25-omni-thinker.md section 6). */
    private static List<Object[]> thinkerTensors() {
        List<Object[]> t = new ArrayList<>();
        String a = "thinker.audio_tower.";
        t.add(new Object[]{a + "conv1.weight", new long[]{1280, 128, 3}});
        t.add(new Object[]{a + "conv1.bias", new long[]{1280}});
        t.add(new Object[]{a + "conv2.weight", new long[]{1280, 1280, 3}});
        t.add(new Object[]{a + "conv2.bias", new long[]{1280}});
        t.add(new Object[]{a + "audio_bos_eos_token.weight", new long[]{2, 2048}});
        for (int i = 0; i < 32; i++) {
            String l = a + "layers." + i + ".";
            for (String p : new String[]{"q_proj", "k_proj", "v_proj", "out_proj"}) {
                t.add(new Object[]{l + "self_attn." + p + ".weight", new long[]{1280, 1280}});
                if (!p.equals("k_proj")) {
                    t.add(new Object[]{l + "self_attn." + p + ".bias", new long[]{1280}});
                }
            }
            for (String n : new String[]{"self_attn_layer_norm", "final_layer_norm"}) {
                t.add(new Object[]{l + n + ".weight", new long[]{1280}});
                t.add(new Object[]{l + n + ".bias", new long[]{1280}});
            }
            t.add(new Object[]{l + "fc1.weight", new long[]{5120, 1280}});
            t.add(new Object[]{l + "fc1.bias", new long[]{5120}});
            t.add(new Object[]{l + "fc2.weight", new long[]{1280, 5120}});
            t.add(new Object[]{l + "fc2.bias", new long[]{1280}});
        }
        t.add(new Object[]{a + "ln_post.weight", new long[]{1280}});
        t.add(new Object[]{a + "ln_post.bias", new long[]{1280}});
        t.add(new Object[]{a + "proj.weight", new long[]{2048, 1280}});
        t.add(new Object[]{a + "proj.bias", new long[]{2048}});
        String m = "thinker.model.";
        t.add(new Object[]{m + "embed_tokens.weight", new long[]{151936, 2048}});
        for (int i = 0; i < 36; i++) {
            String l = m + "layers." + i + ".";
            t.add(new Object[]{l + "input_layernorm.weight", new long[]{2048}});
            t.add(new Object[]{l + "self_attn.q_proj.weight", new long[]{2048, 2048}});
            t.add(new Object[]{l + "self_attn.q_proj.bias", new long[]{2048}});
            t.add(new Object[]{l + "self_attn.k_proj.weight", new long[]{256, 2048}});
            t.add(new Object[]{l + "self_attn.k_proj.bias", new long[]{256}});
            t.add(new Object[]{l + "self_attn.v_proj.weight", new long[]{256, 2048}});
            t.add(new Object[]{l + "self_attn.v_proj.bias", new long[]{256}});
            t.add(new Object[]{l + "self_attn.o_proj.weight", new long[]{2048, 2048}});
            t.add(new Object[]{l + "post_attention_layernorm.weight", new long[]{2048}});
            t.add(new Object[]{l + "mlp.gate_proj.weight", new long[]{11008, 2048}});
            t.add(new Object[]{l + "mlp.up_proj.weight", new long[]{11008, 2048}});
            t.add(new Object[]{l + "mlp.down_proj.weight", new long[]{2048, 11008}});
        }
        t.add(new Object[]{m + "norm.weight", new long[]{2048}});
        t.add(new Object[]{"thinker.lm_head.weight", new long[]{151936, 2048}});
        return t;
    }
}
