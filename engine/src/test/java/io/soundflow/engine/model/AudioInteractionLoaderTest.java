package io.soundflow.engine.model;

import io.soundflow.kernels.Backends;
import io.soundflow.testing.SharedData;
import io.soundflow.weights.CheckpointException;
import io.soundflow.weights.SafeTensors;
import io.soundflow.weights.SafeTensorsWriter;
import io.soundflow.weights.TensorInfo;
import io.soundflow.weights.TensorStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.BiPredicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The Audio-Interaction loader on checkpoints derived from ai-tiny: the LM rewritten as one F32
 * safetensors file (the real release's dtype) gives the same logits as the BF16 shards; missing, renamed
 * and extra tensors fail the load listing all of them; a folder without the tower fails clearly.
 */
class AudioInteractionLoaderTest {
    @TempDir
    Path tmp;

    /** Copies ai-tiny's configs and tower to tmp and writes its LM tensors as F32, filtered by keep(name, info). */
    private Path derived(BiPredicate<String, TensorInfo> keep, String rename, String renameTo) throws IOException {
        return derived(keep, rename, renameTo, false);
    }

    private Path derived(BiPredicate<String, TensorInfo> keep, String rename, String renameTo, boolean legacyQkv)
            throws IOException {
        Path src = SharedData.require("golden/ai-tiny/model");
        Path dst = tmp.resolve("model");
        Files.createDirectories(dst.resolve("qwen25OmniConfig"));
        for (String f : new String[] {"model_config.yaml", "audiointeraction_ChunkwisedEncoder.pth",
                "qwen25OmniConfig/config.json", "tokenizer.json"}) {
            Files.copy(src.resolve(f), dst.resolve(f));
        }
        SafeTensorsWriter w = new SafeTensorsWriter();
        try (TensorStore lm = SafeTensors.open(src)) {
            for (TensorInfo t : lm.tensors().values()) {
                if (!keep.test(t.name(), t)) {
                    continue;
                }
                String name = t.name().equals(rename) ? renameTo : t.name();
                float[] v = t.toFloatArray();
                if (legacyQkv && name.contains(".attn.qkv.")) {
                    name = name.replace(".attn.qkv.", ".attn.attn.");
                    v = toLegacy(v, (int) (v.length / t.dim(0)));
                }
                w.addF32(name, v, t.shape());
            }
        }
        w.write(dst.resolve("model.safetensors"));
        return dst;
    }

    @Test
    void f32LmGivesTheSameLogitsAsTheBf16Shards() throws IOException {
        Path f32 = derived((n, t) -> true, "", "");
        LoadOptions opts = new LoadOptions(Backends.create("vector"), null);
        try (AudioInteractionModel a = AudioInteractionLoader.load(SharedData.require("golden/ai-tiny/model"), opts);
             AudioInteractionModel b = Thinkers.openInteraction(f32, opts)) {
            int[] ids = {151609, 151611, 151644, 151644, 2610, 525, 264, 151643, 151647};
            float[] la = a.forward(a.newCache(16, true), ids, new int[0], null, new int[] {8});
            float[] lb = b.forward(b.newCache(16, true), ids, new int[0], null, new int[] {8});
            assertThat(Golden.relErr(lb, la)).isLessThan(1e-6);
            assertThat(a.text().tiedLmHead()).isFalse();
        }
    }

    /** Writes [Q; K; V] rows in litgpt's legacy per-group interleaving (4 heads, 2 groups, head 16 in ai-tiny). */
    private static float[] toLegacy(float[] qkv, int cols) {
        int hs = 16, perKv = 2, groups = 2, qDim = 64, kvDim = 32;
        float[] out = new float[qkv.length];
        int row = 0;
        for (int g = 0; g < groups; g++) {
            int[][] blocks = {{g * perKv * hs, perKv * hs}, {qDim + g * hs, hs}, {qDim + kvDim + g * hs, hs}};
            for (int[] b : blocks) {
                for (int r = 0; r < b[1]; r++) {
                    System.arraycopy(qkv, (b[0] + r) * cols, out, row++ * cols, cols);
                }
            }
        }
        return out;
    }

    @Test
    void legacyInterleavedQkvIsRegroupedAtLoad() throws IOException {
        Path legacy = derived((n, t) -> true, "", "", true);
        LoadOptions opts = new LoadOptions(Backends.create("vector"), null);
        try (AudioInteractionModel a = AudioInteractionLoader.load(SharedData.require("golden/ai-tiny/model"), opts);
             AudioInteractionModel b = AudioInteractionLoader.load(legacy, opts)) {
            int[] ids = {151609, 151611, 151644, 151644, 2610, 525, 264, 151643, 151647};
            float[] la = a.forward(a.newCache(16, true), ids, new int[0], null, new int[] {8});
            float[] lb = b.forward(b.newCache(16, true), ids, new int[0], null, new int[] {8});
            assertThat(Golden.relErr(lb, la)).isLessThan(1e-6);
        }
    }

    @Test
    void missingRenamedAndExtraTensorsAreAllListed() throws IOException {
        Path bad = derived((n, t) -> !n.equals("transformer.h.1.mlp.fc_2.weight"),
                "transformer.h.0.attn.qkv.bias", "transformer.h.0.attn.bogus.bias");
        assertThatThrownBy(() -> AudioInteractionLoader.load(bad, new LoadOptions(Backends.create("scalar"), null)))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("2 missing")
                .hasMessageContaining("transformer.h.1.mlp.fc_2.weight")
                .hasMessageContaining("transformer.h.0.attn.qkv.bias")
                .hasMessageContaining("1 unexpected: transformer.h.0.attn.bogus.bias");
    }

    @Test
    void aFolderWithoutTheTowerFailsClearly() throws IOException {
        Path dir = derived((n, t) -> true, "", "");
        Files.delete(dir.resolve("audiointeraction_ChunkwisedEncoder.pth"));
        assertThatThrownBy(() -> AudioInteractionLoader.load(dir, new LoadOptions(Backends.create("scalar"), null)))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("audiointeraction_ChunkwisedEncoder.pth");
        assertThatThrownBy(() -> Thinkers.openInteraction(dir, new LoadOptions(Backends.create("scalar"), null)))
                .hasMessageContaining("not an Audio-Interaction checkpoint");
        assertThatThrownBy(() -> Thinkers.open(tmp.resolve("absent"), LoadOptions.defaults()))
                .hasMessageContaining("model folder not found");
    }

    @Test
    void offlineThinkerViewUsesTheReleaseConvention() {
        try (OmniThinker t = Thinkers.open(SharedData.require("golden/ai-tiny/model"),
                new LoadOptions(Backends.create("vector"), null))) {
            assertThat(t.convention()).isEqualTo(OmniThinker.AudioConvention.AUDIO_INTERACTION);
            assertThat(t.window()).isEqualTo(40);
            assertThat(t.audioVectors(80)).isEqualTo(20);
            assertThat(t.tokens().audio()).isEqualTo(151646);
            float[] samples = new float[12800];
            Arrays.fill(samples, 0.01f);
            var mel = t.mel(samples);
            assertThat(mel.frames()).isEqualTo(80);
        }
    }
}
