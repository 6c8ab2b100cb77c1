package io.soundflow.engine.model;

import com.fasterxml.jackson.databind.JsonNode;
import io.soundflow.weights.CheckpointException;
import io.soundflow.weights.Configs;
import io.soundflow.weights.RegularFiles;
import io.soundflow.weights.SafeTensors;
import io.soundflow.weights.TensorStore;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Loads a Hugging Face Qwen2.5-Omni checkpoint (config.json with {@code thinker_config}, safetensors single
 * or sharded through the index) unchanged: names {@code thinker.audio_tower.*}, {@code thinker.model.*},
 * {@code thinker.lm_head.weight} (or the same without {@code thinker.} for thinker-only re-saves); the
 * vision tower, talker and token2wav tensors and the unused {@code audio_bos_eos_token} are skipped.
 */
public final class OmniLoader {
    private OmniLoader() {
    }

    public static OmniThinker load(Path dir, LoadOptions options) {
        Path configFile = dir.resolve("config.json");
        if (!RegularFiles.present(configFile)) {
            throw new CheckpointException(dir + ": not a Qwen2.5-Omni checkpoint folder (no config.json)");
        }
        RegularFiles.require(configFile);
        JsonNode root = Configs.readJson(configFile);
        JsonNode thinker = root.has("thinker_config") ? root.get("thinker_config") : root;
        if (!thinker.path("audio_config").isObject() || !thinker.path("text_config").isObject()) {
            throw new CheckpointException(configFile + ": no thinker_config.audio_config / text_config");
        }
        AudioEncoderConfig ac;
        TextDecoderConfig tc;
        try {
            ac = AudioEncoderConfig.fromJson(thinker.get("audio_config"), configFile.toString());
            tc = TextDecoderConfig.fromHf(thinker.get("text_config"), configFile.toString());
            ac.requireWindow(2L * ac.nWindow(), "2 x n_window " + ac.nWindow(), configFile.toString());
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(ConfigValues.named(configFile, e.getMessage()), e);
        }
        OmniTokens tokens;
        try {
            tokens = OmniTokens.fromThinkerConfig(thinker, tc.vocab(), configFile.toString());
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(e.getMessage(), e);
        }
        TensorStore store = SafeTensors.open(dir);
        try {
            String prefix = store.contains("thinker.model.embed_tokens.weight") ? "thinker." : "";
            table(prefix, ac, tc).verify(store, "Qwen2.5-Omni thinker");
            WeightSource w = new WeightSource(store, prefix, options);
            AudioTower audio = AudioTowerLoader.build(w, "audio_tower.", ac);
            TextDecoder text = buildText(w, tc);
            return new OmniThinker(audio, text, tokens, List.of(store));
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    /** The table with every name under {@code prefix} and the decoys skipped. */
    static NameTable table(String prefix, AudioEncoderConfig ac, TextDecoderConfig tc) {
        NameTable t = new NameTable();
        AudioTowerLoader.declare(t, prefix + "audio_tower.", ac);
        declareText(t, tc, prefix);
        t.skipPrefix(prefix + "visual.").skipPrefix("talker.").skipPrefix("token2wav.");
        return t;
    }

    static void declareText(NameTable t, TextDecoderConfig c, String prefix) {
        long h = c.hidden(), q = c.qDim(), kv = c.kvDim(), f = c.intermediate(), v = c.vocab();
        t.require(prefix + "model.embed_tokens.weight", v, h);
        for (int i = 0; i < c.layers(); i++) {
            String p = prefix + "model.layers." + i + ".";
            t.require(p + "input_layernorm.weight", h);
            t.require(p + "self_attn.q_proj.weight", q, h).require(p + "self_attn.q_proj.bias", q);
            t.require(p + "self_attn.k_proj.weight", kv, h).require(p + "self_attn.k_proj.bias", kv);
            t.require(p + "self_attn.v_proj.weight", kv, h).require(p + "self_attn.v_proj.bias", kv);
            t.require(p + "self_attn.o_proj.weight", h, q);
            t.require(p + "post_attention_layernorm.weight", h);
            t.require(p + "mlp.gate_proj.weight", f, h);
            t.require(p + "mlp.up_proj.weight", f, h);
            t.require(p + "mlp.down_proj.weight", h, f);
        }
        t.require(prefix + "model.norm.weight", h);
        t.optional(prefix + "lm_head.weight", v, h);
    }

    static TextDecoder buildText(WeightSource w, TextDecoderConfig c) {
        List<DecoderLayer> layers = new ArrayList<>();
        for (int i = 0; i < c.layers(); i++) {
            String p = "model.layers." + i + ".";
            layers.add(new DecoderLayer(
                    w.rmsNorm(p + "input_layernorm"),
                    new QkvProjection.Split(w.linear(p + "self_attn.q_proj", true),
                            w.linear(p + "self_attn.k_proj", true), w.linear(p + "self_attn.v_proj", true)),
                    w.linear(p + "self_attn.o_proj", false),
                    w.rmsNorm(p + "post_attention_layernorm"),
                    w.linear(p + "mlp.gate_proj", false),
                    w.linear(p + "mlp.up_proj", false),
                    w.linear(p + "mlp.down_proj", false)));
        }
        var embed = w.matrix("model.embed_tokens.weight");
        var head = w.has("lm_head.weight") ? w.matrix("lm_head.weight") : embed;
        return new TextDecoder(c, w.kernels(), embed, layers, w.rmsNorm("model.norm"), head);
    }
}
