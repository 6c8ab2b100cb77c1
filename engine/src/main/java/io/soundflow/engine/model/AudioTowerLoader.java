package io.soundflow.engine.model;

import java.util.ArrayList;
import java.util.List;

/**
 * The audio tower's layout (HF {@code Qwen2_5OmniAudioEncoder} state-dict names), spelled once for both
 * the name table and the build (see {@link CheckpointTensors}).
 */
final class AudioTowerLoader {
    private AudioTowerLoader() {
    }

    /** Adds the tower's tensors under {@code prefix} to {@code table}. */
    static void declare(NameTable table, String prefix, AudioEncoderConfig c) {
        layout(CheckpointTensors.declaring(table, ""), prefix, c);
    }

    /** Builds the tower from verified tensors (names relative to the source's prefix + {@code prefix}). */
    static AudioTower build(WeightSource w, String prefix, AudioEncoderConfig c) {
        return layout(CheckpointTensors.building(w), prefix, c);
    }

    /** The tower's tensors under {@code prefix}, and the tower made of them (null while declaring). */
    static AudioTower layout(CheckpointTensors t, String prefix, AudioEncoderConfig c) {
        long d = c.dModel(), f = c.ffnDim();
        var conv1 = t.matrix(prefix + "conv1.weight", d, c.melBins(), 3);
        var conv1Bias = t.vector(prefix + "conv1.bias", d);
        var conv2 = t.matrix(prefix + "conv2.weight", d, d, 3);
        var conv2Bias = t.vector(prefix + "conv2.bias", d);
        List<AudioLayer> layers = new ArrayList<>();
        for (int i = 0; i < c.layers(); i++) {
            String p = prefix + "layers." + i + ".";
            Norm attnNorm = t.layerNorm(p + "self_attn_layer_norm", d);
            Linear q = t.linear(p + "self_attn.q_proj", d, d, true);
            Linear k = t.linear(p + "self_attn.k_proj", d, d, false);
            Linear v = t.linear(p + "self_attn.v_proj", d, d, true);
            Linear out = t.linear(p + "self_attn.out_proj", d, d, true);
            Norm mlpNorm = t.layerNorm(p + "final_layer_norm", d);
            Linear fc1 = t.linear(p + "fc1", f, d, true);
            Linear fc2 = t.linear(p + "fc2", d, f, true);
            layers.add(t.make(() -> new AudioLayer(attnNorm, q, k, v, out, mlpNorm, fc1, fc2)));
        }
        Norm lnPost = t.layerNorm(prefix + "ln_post", d);
        Linear proj = t.linear(prefix + "proj", c.outputDim(), d, true);
        t.skip(prefix + "audio_bos_eos_token.weight");
        return t.make(() -> new AudioTower(c, t.kernels(), conv1, conv1Bias, conv2, conv2Bias, layers, lnPost, proj));
    }
}
