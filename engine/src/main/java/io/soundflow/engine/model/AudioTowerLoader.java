package io.soundflow.engine.model;

import java.util.ArrayList;
import java.util.List;

/** The audio tower's name table (HF {@code Qwen2_5OmniAudioEncoder} state-dict names) and its builder. */
final class AudioTowerLoader {
    private AudioTowerLoader() {
    }

    /** Adds the tower's tensors under {@code prefix} to {@code table}. */
    static void declare(NameTable table, String prefix, AudioEncoderConfig c) {
        long d = c.dModel(), f = c.ffnDim();
        table.require(prefix + "conv1.weight", d, c.melBins(), 3).require(prefix + "conv1.bias", d);
        table.require(prefix + "conv2.weight", d, d, 3).require(prefix + "conv2.bias", d);
        for (int i = 0; i < c.layers(); i++) {
            String p = prefix + "layers." + i + ".";
            table.require(p + "self_attn.q_proj.weight", d, d).require(p + "self_attn.q_proj.bias", d);
            table.require(p + "self_attn.k_proj.weight", d, d);
            table.require(p + "self_attn.v_proj.weight", d, d).require(p + "self_attn.v_proj.bias", d);
            table.require(p + "self_attn.out_proj.weight", d, d).require(p + "self_attn.out_proj.bias", d);
            table.require(p + "self_attn_layer_norm.weight", d).require(p + "self_attn_layer_norm.bias", d);
            table.require(p + "fc1.weight", f, d).require(p + "fc1.bias", f);
            table.require(p + "fc2.weight", d, f).require(p + "fc2.bias", d);
            table.require(p + "final_layer_norm.weight", d).require(p + "final_layer_norm.bias", d);
        }
        table.require(prefix + "ln_post.weight", d).require(prefix + "ln_post.bias", d);
        table.require(prefix + "proj.weight", c.outputDim(), d).require(prefix + "proj.bias", c.outputDim());
        table.skip(prefix + "audio_bos_eos_token.weight");
    }

    /** Builds the tower from verified tensors (names relative to the source's prefix + {@code prefix}). */
    static AudioTower build(WeightSource w, String prefix, AudioEncoderConfig c) {
        List<AudioLayer> layers = new ArrayList<>();
        for (int i = 0; i < c.layers(); i++) {
            String p = prefix + "layers." + i + ".";
            layers.add(new AudioLayer(
                    w.layerNorm(p + "self_attn_layer_norm"),
                    w.linear(p + "self_attn.q_proj", true),
                    w.linear(p + "self_attn.k_proj", false),
                    w.linear(p + "self_attn.v_proj", true),
                    w.linear(p + "self_attn.out_proj", true),
                    w.layerNorm(p + "final_layer_norm"),
                    w.linear(p + "fc1", true),
                    w.linear(p + "fc2", true)));
        }
        return new AudioTower(c, w.kernels(),
                w.matrix(prefix + "conv1.weight"), w.vector(prefix + "conv1.bias"),
                w.matrix(prefix + "conv2.weight"), w.vector(prefix + "conv2.bias"),
                layers, w.layerNorm(prefix + "ln_post"), w.linear(prefix + "proj", true));
    }
}
