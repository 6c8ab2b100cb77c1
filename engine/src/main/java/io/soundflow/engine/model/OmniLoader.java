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
            NameTable table = table(prefix, ac, tc);
            table.verify(store, "Qwen2.5-Omni thinker");
            WeightSource w = new WeightSource(store, prefix, options, table.tensorCount());
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
        textLayout(CheckpointTensors.declaring(t, prefix), c);
    }

    static TextDecoder buildText(WeightSource w, TextDecoderConfig c) {
        return textLayout(CheckpointTensors.building(w), c);
    }

    /** The HF Qwen2.5 decoder's tensors, spelled once for the table and the build (null while declaring). */
    static TextDecoder textLayout(CheckpointTensors t, TextDecoderConfig c) {
        long h = c.hidden(), q = c.qDim(), kv = c.kvDim(), f = c.intermediate(), v = c.vocab();
        var embed = t.table("model.embed_tokens.weight", v, h);
        List<DecoderLayer> layers = new ArrayList<>();
        for (int i = 0; i < c.layers(); i++) {
            String p = "model.layers." + i + ".";
            Norm attnNorm = t.rmsNorm(p + "input_layernorm", h);
            Linear qp = t.linear(p + "self_attn.q_proj", q, h, true);
            Linear kp = t.linear(p + "self_attn.k_proj", kv, h, true);
            Linear vp = t.linear(p + "self_attn.v_proj", kv, h, true);
            Linear o = t.linear(p + "self_attn.o_proj", h, q, false);
            Norm mlpNorm = t.rmsNorm(p + "post_attention_layernorm", h);
            Linear gate = t.linear(p + "mlp.gate_proj", f, h, false);
            Linear up = t.linear(p + "mlp.up_proj", f, h, false);
            Linear down = t.linear(p + "mlp.down_proj", h, f, false);
            layers.add(t.make(() -> new DecoderLayer(attnNorm, new QkvProjection.Split(qp, kp, vp), o, mlpNorm, gate, up, down)));
        }
        Norm finalNorm = t.rmsNorm("model.norm", h);
        var head = t.optionalMatrix("lm_head.weight", v, h);
        return t.make(() -> new TextDecoder(c, t.kernels(), embed, layers, finalNorm, head != null ? head : t.kernels().upload(embed)));
    }
}
