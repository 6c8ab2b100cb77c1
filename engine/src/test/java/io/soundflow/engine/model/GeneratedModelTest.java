package io.soundflow.engine.model;

import io.soundflow.kernels.Backends;
import io.soundflow.weights.CheckpointException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Generated tiny checkpoints of sizes the golden set does not cover (6 heads over 3 KV heads, head dim 8,
 * F32 and BF16 files, tied and untied lm_head) against an independent double-precision decoder; the KV
 * cache (incremental decode and truncation); and load errors that list every bad tensor.
 */
class GeneratedModelTest {
    @TempDir
    Path tmp;

    static LoadOptions scalar() {
        return new LoadOptions(Backends.create("scalar"), null);
    }

    @ParameterizedTest(name = "bf16={0} tied={1} heads={2}/{3} headDim={4}")
    @CsvSource({"false,false,6,3,8", "true,true,4,1,16", "false,true,2,2,24"})
    void decoderMatchesNaiveReference(boolean bf16, boolean tied, int heads, int kvHeads, int headDim) throws Exception {
        TinyCheckpoint ck = new TinyCheckpoint(7);
        ck.bf16 = bf16;
        ck.tied = tied;
        ck.heads = heads;
        ck.kvHeads = kvHeads;
        ck.headDim = headDim;
        ck.generate().write(tmp);
        try (OmniThinker model = OmniLoader.load(tmp, scalar())) {
            assertThat(model.text().tiedLmHead()).isEqualTo(tied);
            int[] ids = new SplittableRandom(3).ints(20, 0, ck.vocab - 8).toArray();
            ids[5] = model.tokens().audio();
            ids[6] = model.tokens().audio();
            float[] audio = new float[2 * ck.hidden];
            for (int i = 0; i < audio.length; i++) {
                audio[i] = (float) Math.sin(i * 0.37);
            }
            int[] all = new int[ids.length];
            Arrays.setAll(all, i -> i);
            float[] got = model.prefill(model.newCache(64), ids, audio, all, Probe.NONE);
            double[][] want = new NaiveDecoder(ck).logits(ids,
                    new float[][] {Arrays.copyOf(audio, ck.hidden), Arrays.copyOfRange(audio, ck.hidden, 2 * ck.hidden)},
                    new int[] {5, 6});
            float[] flat = new float[ids.length * ck.vocab];
            for (int t = 0; t < ids.length; t++) {
                for (int v = 0; v < ck.vocab; v++) {
                    flat[t * ck.vocab + v] = (float) want[t][v];
                }
            }
            assertThat(Golden.relErr(got, flat)).isLessThan(1e-4);
        }
    }

    @ParameterizedTest(name = "d={0} heads={1} layers={2} nWindow={3} frames={4}")
    @CsvSource({"32,2,1,10,47", "48,3,2,10,20", "32,4,1,100,233"})
    void audioTowerMatchesNaiveReference(int d, int heads, int layers, int nWindow, int frames) throws Exception {
        TinyCheckpoint ck = new TinyCheckpoint(23);
        ck.audioD = d;
        ck.audioHeads = heads;
        ck.audioLayers = layers;
        ck.nWindow = nWindow;
        ck.generate().write(tmp);
        double[][] mel = new double[ck.melBins][frames];
        float[] flat = new float[ck.melBins * frames];
        SplittableRandom r = new SplittableRandom(9);
        for (int b = 0; b < ck.melBins; b++) {
            for (int t = 0; t < frames; t++) {
                mel[b][t] = r.nextDouble(-1.5, 1.5);
                flat[b * frames + t] = (float) mel[b][t];
            }
        }
        try (OmniThinker model = OmniLoader.load(tmp, scalar())) {
            float[] got = model.encodeAudio(flat, frames, Probe.NONE);
            assertThat(got.length / ck.hidden).isEqualTo(OmniThinker.audioTokenCount(frames));
            double[][] want = new NaiveAudioTower(ck).encode(mel, 2 * nWindow);
            float[] w = new float[want.length * ck.hidden];
            for (int i = 0; i < want.length; i++) {
                for (int j = 0; j < ck.hidden; j++) {
                    w[i * ck.hidden + j] = (float) want[i][j];
                }
            }
            assertThat(Golden.relErr(got, w)).isLessThan(1e-4);
        }
    }

    @Test
    void incrementalDecodeAndTruncationMatchPrefill() throws Exception {
        TinyCheckpoint ck = new TinyCheckpoint(11).generate();
        ck.write(tmp);
        try (OmniThinker model = OmniLoader.load(tmp, scalar())) {
            int[] ids = new SplittableRandom(5).ints(12, 0, ck.vocab - 8).toArray();
            int[] all = new int[ids.length];
            Arrays.setAll(all, i -> i);
            float[] full = model.prefill(model.newCache(32), ids, null, all, Probe.NONE);
            KvCache cache = model.newCache(32);
            model.prefill(cache, Arrays.copyOf(ids, 4), null, new int[0], Probe.NONE);
            for (int t = 4; t < ids.length; t++) {
                float[] row = model.step(cache, ids[t]);
                assertThat(Golden.relErr(row, Golden.rows(full, t, t + 1, ck.vocab))).isLessThan(1e-5);
            }
            assertThat(cache.length()).isEqualTo(ids.length);
            cache.truncate(7);
            float[] again = model.prefill(cache, Arrays.copyOfRange(ids, 7, 12), null, new int[] {4}, Probe.NONE);
            assertThat(Golden.relErr(again, Golden.rows(full, 11, 12, ck.vocab))).isLessThan(1e-5);
            assertThatThrownBy(() -> cache.truncate(13)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> model.newCache(ck.hidden * 1000)).hasMessageContaining("exceeds the model's 4096");
            KvCache small = model.newCache(3);
            assertThatThrownBy(() -> model.prefill(small, Arrays.copyOf(ids, 4), null, new int[0], Probe.NONE))
                    .hasMessageContaining("capacity 3");
        }
    }

    @Test
    void oneModelServesConcurrentSessions() throws Exception {
        TinyCheckpoint ck = new TinyCheckpoint(29).generate();
        ck.write(tmp);
        try (OmniThinker model = OmniLoader.load(tmp, new LoadOptions(Backends.create("vector"), null))) {
            int[][] prompts = new int[4][];
            float[][] alone = new float[4][];
            for (int s = 0; s < 4; s++) {
                prompts[s] = new SplittableRandom(100 + s).ints(9, 0, ck.vocab - 8).toArray();
                alone[s] = session(model, prompts[s]);
            }
            var pool = java.util.concurrent.Executors.newFixedThreadPool(4);
            try {
                java.util.List<java.util.concurrent.Future<float[]>> futures = new java.util.ArrayList<>();
                for (int round = 0; round < 3; round++) {
                    for (int s = 0; s < 4; s++) {
                        int[] p = prompts[s];
                        futures.add(pool.submit(() -> session(model, p)));
                    }
                }
                // not bit-equal: the vector backend's rounding differs slightly with the JIT tier and the
                // way work is split (measured ~5e-7); a race would give garbage
                for (int i = 0; i < futures.size(); i++) {
                    assertThat(Golden.relErr(futures.get(i).get(), alone[i % 4])).isLessThan(1e-5);
                }
            } finally {
                pool.shutdown();
            }
        }
    }

    /** Prefill then 5 greedy steps in a fresh cache; returns the last logits. */
    private static float[] session(OmniThinker model, int[] prompt) {
        KvCache cache = model.newCache(32);
        float[] row = model.prefill(cache, prompt, null, new int[] {prompt.length - 1}, Probe.NONE);
        for (int i = 0; i < 5; i++) {
            row = model.step(cache, Sampler.argmax(row, 0, row.length));
        }
        return row;
    }

    @Test
    void float16PositionsRoundHalfToEven() {
        assertThat(KvCache.position(2048, true)).isEqualTo(2048f);
        assertThat(KvCache.position(2049, true)).isEqualTo(2048f);
        assertThat(KvCache.position(2051, true)).isEqualTo(2052f);
        assertThat(KvCache.position(4097, true)).isEqualTo(4096f);
        assertThat(KvCache.position(4099, true)).isEqualTo(4100f);
        assertThat(KvCache.position(2049, false)).isEqualTo(2049f);
    }

    @Test
    void missingRenamedAndMisshapedTensorsAreAllListed() throws Exception {
        TinyCheckpoint ck = new TinyCheckpoint(13).generate();
        ck.values.remove("thinker.model.layers.1.mlp.up_proj.weight");
        ck.shapes.remove("thinker.model.layers.1.mlp.up_proj.weight");
        float[] k = ck.values.remove("thinker.audio_tower.layers.0.self_attn.k_proj.weight");
        long[] ks = ck.shapes.remove("thinker.audio_tower.layers.0.self_attn.k_proj.weight");
        ck.values.put("thinker.audio_tower.layers.0.self_attn.key.weight", k);
        ck.shapes.put("thinker.audio_tower.layers.0.self_attn.key.weight", ks);
        ck.shapes.put("thinker.model.norm.weight", new long[] {1, ck.hidden});
        ck.write(tmp);
        assertThatThrownBy(() -> OmniLoader.load(tmp, scalar()))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining(tmp.toString())
                .hasMessageContaining("2 missing")
                .hasMessageContaining("thinker.model.layers.1.mlp.up_proj.weight")
                .hasMessageContaining("thinker.audio_tower.layers.0.self_attn.k_proj.weight")
                .hasMessageContaining("1 unexpected: thinker.audio_tower.layers.0.self_attn.key.weight")
                .hasMessageContaining("thinker.model.norm.weight is [1, " + ck.hidden + "]");
    }

    @Test
    void audioKProjBiasIsUnexpected() throws Exception {
        TinyCheckpoint ck = new TinyCheckpoint(17).generate();
        ck.values.put("thinker.audio_tower.layers.0.self_attn.k_proj.bias", new float[ck.audioD]);
        ck.shapes.put("thinker.audio_tower.layers.0.self_attn.k_proj.bias", new long[] {ck.audioD});
        ck.write(tmp);
        assertThatThrownBy(() -> OmniLoader.load(tmp, scalar()))
                .hasMessageContaining("unexpected: thinker.audio_tower.layers.0.self_attn.k_proj.bias");
    }

    @Test
    void badConfigAndMissingFolderFailClearly() throws Exception {
        assertThatThrownBy(() -> OmniLoader.load(tmp.resolve("nope"), scalar()))
                .hasMessageContaining("no config.json");
        TinyCheckpoint ck = new TinyCheckpoint(19).generate();
        ck.heads = 5; // not a multiple of kvHeads 3
        ck.write(tmp);
        assertThatThrownBy(() -> OmniLoader.load(tmp, scalar()))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("config.json")
                .hasMessageContaining("key/value heads");
    }

    @Test
    void unsupportedRopeSettingsFailClearly() throws Exception {
        var om = new com.fasterxml.jackson.databind.ObjectMapper();
        var t = (com.fasterxml.jackson.databind.node.ObjectNode) om.readTree(
                "{\"hidden_size\":64,\"num_hidden_layers\":1,\"num_attention_heads\":4,\"num_key_value_heads\":2,"
                        + "\"intermediate_size\":128,\"vocab_size\":32,\"rope_scaling\":{\"mrope_section\":[2,3,3],"
                        + "\"rope_type\":\"default\"}}");
        assertThat(TextDecoderConfig.fromHf(t, "c.json").headDim()).isEqualTo(16);
        ((com.fasterxml.jackson.databind.node.ObjectNode) t.get("rope_scaling")).putArray("mrope_section").add(2).add(2);
        assertThatThrownBy(() -> TextDecoderConfig.fromHf(t, "c.json")).hasMessageContaining("mrope_section sums to 4");
        ((com.fasterxml.jackson.databind.node.ObjectNode) t.get("rope_scaling")).put("rope_type", "yarn");
        assertThatThrownBy(() -> TextDecoderConfig.fromHf(t, "c.json")).hasMessageContaining("rope_type 'yarn'");
    }

    @Test
    void audioTokenCountFollowsTheSpec() {
        assertThat(OmniThinker.audioTokenCount(100)).isEqualTo(25);
        assertThat(OmniThinker.audioTokenCount(471)).isEqualTo(118);
        assertThat(OmniThinker.audioTokenCount(2097)).isEqualTo(524);
        assertThat(AudioTower.outputLength(471, 200)).isEqualTo(118);
        assertThat(AudioTower.outputLength(40, 40)).isEqualTo(10);
    }
}
