package io.soundflow.engine.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.soundflow.weights.SafeTensorsWriter;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Generates small random Qwen2.5-Omni checkpoints in the Hugging Face layout (config.json + one
 * safetensors file) with chosen sizes, dtype and tying, for loader and numerics tests. The tensors are
 * kept by name so a test can drop or rename some before writing.
 */
final class TinyCheckpoint {
    int audioD = 32, audioLayers = 1, audioHeads = 2, audioFfn = 64, melBins = 128, nWindow = 100;
    int hidden = 48, layers = 2, heads = 6, kvHeads = 3, headDim = 8, ffn = 96, vocab = 256;
    boolean tied = false;
    boolean bf16 = false;
    final Map<String, float[]> values = new LinkedHashMap<>();
    final Map<String, long[]> shapes = new LinkedHashMap<>();
    private final SplittableRandom rnd;

    TinyCheckpoint(long seed) {
        rnd = new SplittableRandom(seed);
    }

    /** Creates every tensor (with "thinker." names) plus decoys. */
    TinyCheckpoint generate() {
        String a = "thinker.audio_tower.";
        put(a + "conv1.weight", 0.1f, audioD, melBins, 3);
        put(a + "conv1.bias", 0.1f, audioD);
        put(a + "conv2.weight", 0.1f, audioD, audioD, 3);
        put(a + "conv2.bias", 0.1f, audioD);
        for (int i = 0; i < audioLayers; i++) {
            String p = a + "layers." + i + ".";
            for (String m : new String[] {"q_proj", "k_proj", "v_proj", "out_proj"}) {
                put(p + "self_attn." + m + ".weight", 0.2f, audioD, audioD);
                if (!m.equals("k_proj")) {
                    put(p + "self_attn." + m + ".bias", 0.1f, audioD);
                }
            }
            norm(p + "self_attn_layer_norm", audioD, true);
            norm(p + "final_layer_norm", audioD, true);
            put(p + "fc1.weight", 0.2f, audioFfn, audioD);
            put(p + "fc1.bias", 0.1f, audioFfn);
            put(p + "fc2.weight", 0.2f, audioD, audioFfn);
            put(p + "fc2.bias", 0.1f, audioD);
        }
        norm(a + "ln_post", audioD, true);
        put(a + "proj.weight", 0.2f, hidden, audioD);
        put(a + "proj.bias", 0.1f, hidden);
        put(a + "audio_bos_eos_token.weight", 0.1f, 2, hidden);
        String m = "thinker.model.";
        put(m + "embed_tokens.weight", 1f, vocab, hidden);
        int q = heads * headDim, kv = kvHeads * headDim;
        for (int i = 0; i < layers; i++) {
            String p = m + "layers." + i + ".";
            norm(p + "input_layernorm", hidden, false);
            put(p + "self_attn.q_proj.weight", 0.3f, q, hidden);
            put(p + "self_attn.q_proj.bias", 0.2f, q);
            put(p + "self_attn.k_proj.weight", 0.3f, kv, hidden);
            put(p + "self_attn.k_proj.bias", 0.2f, kv);
            put(p + "self_attn.v_proj.weight", 0.3f, kv, hidden);
            put(p + "self_attn.v_proj.bias", 0.2f, kv);
            put(p + "self_attn.o_proj.weight", 0.2f, hidden, q);
            norm(p + "post_attention_layernorm", hidden, false);
            put(p + "mlp.gate_proj.weight", 0.2f, ffn, hidden);
            put(p + "mlp.up_proj.weight", 0.2f, ffn, hidden);
            put(p + "mlp.down_proj.weight", 0.2f, hidden, ffn);
        }
        norm(m + "norm", hidden, false);
        if (!tied) {
            put("thinker.lm_head.weight", 0.3f, vocab, hidden);
        }
        put("thinker.visual.patch_embed.proj.weight", 0.1f, 4, 3, 2);
        put("talker.model.norm.weight", 0.1f, 16);
        put("token2wav.code2wav.weight", 0.1f, 2, 2);
        return this;
    }

    private void norm(String name, int d, boolean bias) {
        float[] w = new float[d];
        for (int i = 0; i < d; i++) {
            w[i] = 1f + (float) (rnd.nextDouble() - 0.5) * 0.4f;
        }
        values.put(name + ".weight", round(w));
        shapes.put(name + ".weight", new long[] {d});
        if (bias) {
            put(name + ".bias", 0.1f, d);
        }
    }

    private void put(String name, float scale, long... shape) {
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        float[] v = new float[(int) n];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (rnd.nextGaussian() * scale);
        }
        values.put(name, round(v));
        shapes.put(name, shape);
    }

    /** Values are rounded to bf16 so that F32 and BF16 files hold the same numbers. */
    private static float[] round(float[] v) {
        for (int i = 0; i < v.length; i++) {
            v[i] = io.soundflow.kernels.WeightMatrix.bf16ToFloat(io.soundflow.kernels.WeightMatrix.floatToBf16(v[i]));
        }
        return v;
    }

    float[] get(String name) {
        return values.get(name);
    }

    /** Writes config.json and model.safetensors into {@code dir}. */
    void write(Path dir) throws IOException {
        java.nio.file.Files.createDirectories(dir);
        SafeTensorsWriter w = new SafeTensorsWriter().metadata("format", "pt");
        for (var e : values.entrySet()) {
            if (bf16) {
                w.addBF16(e.getKey(), e.getValue(), shapes.get(e.getKey()));
            } else {
                w.addF32(e.getKey(), e.getValue(), shapes.get(e.getKey()));
            }
        }
        w.write(dir.resolve("model.safetensors"));
        ObjectMapper om = new ObjectMapper();
        ObjectNode root = om.createObjectNode();
        root.put("model_type", "qwen2_5_omni");
        ObjectNode t = root.putObject("thinker_config");
        t.put("audio_token_index", vocab - 4).put("audio_start_token_id", vocab - 3)
                .put("audio_end_token_id", vocab - 2).put("eos_token_id", vocab - 5).put("pad_token_id", vocab - 6);
        ObjectNode ac = t.putObject("audio_config");
        ac.put("num_mel_bins", melBins).put("d_model", audioD).put("encoder_layers", audioLayers)
                .put("encoder_attention_heads", audioHeads).put("encoder_ffn_dim", audioFfn).put("n_window", nWindow)
                .put("max_source_positions", 1500).put("output_dim", hidden).put("activation_function", "gelu");
        ObjectNode tc = t.putObject("text_config");
        tc.put("hidden_size", hidden).put("num_hidden_layers", layers).put("num_attention_heads", heads)
                .put("num_key_value_heads", kvHeads).put("head_dim", headDim).put("intermediate_size", ffn)
                .put("vocab_size", vocab).put("rms_norm_eps", 1e-6).put("rope_theta", 10000.0)
                .put("max_position_embeddings", 4096).put("hidden_act", "silu").put("tie_word_embeddings", tied);
        om.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("config.json").toFile(), root);
    }
}
