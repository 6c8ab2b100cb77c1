package io.soundflow.engine.model;

import com.fasterxml.jackson.databind.JsonNode;
import io.soundflow.weights.CheckpointException;
import io.soundflow.weights.CheckpointLayout;
import io.soundflow.weights.Configs;
import io.soundflow.weights.SafeTensors;
import io.soundflow.weights.TensorStore;
import io.soundflow.weights.TorchCheckpoint;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Loads the released Audio-Interaction checkpoint unchanged: the litgpt LM ({@code model_config.yaml},
 * safetensors shards through the index: {@code transformer.wte}, fused {@code attn.qkv} with rows
 * [Q; K; V], {@code mlp.fc_1} = gate, {@code fc_2} = up, {@code mlp.proj} = down, {@code ln_f},
 * a separate {@code lm_head}) and the audio tower {@code .pth} (HF encoder names, adapter in {@code proj})
 * configured by {@code qwen25OmniConfig/config.json}.
 */
public final class AudioInteractionLoader {
    static final String OMNI_CONFIG = "qwen25OmniConfig/config.json";

    private AudioInteractionLoader() {
    }

    public static AudioInteractionModel load(Path dir, LoadOptions options) {
        Path yaml = dir.resolve(CheckpointLayout.AI_MODEL_CONFIG);
        Path omni = dir.resolve(OMNI_CONFIG);
        Path pth = dir.resolve(CheckpointLayout.AI_AUDIO_TOWER);
        for (Path p : new Path[] {yaml, omni, pth}) {
            if (!Files.isRegularFile(p)) {
                throw new CheckpointException(dir + ": not an Audio-Interaction checkpoint folder (missing "
                        + dir.relativize(p) + ")");
            }
        }
        TextDecoderConfig tc;
        AudioEncoderConfig ac;
        try {
            tc = TextDecoderConfig.fromLitgpt(Configs.readYaml(yaml), yaml.toString());
            JsonNode root = Configs.readJson(omni);
            JsonNode audioCfg = root.path("thinker_config").path("audio_config");
            if (!audioCfg.isObject()) {
                audioCfg = root.path("audio_config");
            }
            if (!audioCfg.isObject()) {
                throw new CheckpointException(omni + ": no thinker_config.audio_config");
            }
            ac = AudioEncoderConfig.fromJson(audioCfg, omni.toString());
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(ConfigValues.named(dir, e.getMessage()), e);
        }
        TensorStore lm = SafeTensors.open(dir);
        TensorStore tower = null;
        try {
            textTable(tc).verify(lm, "Audio-Interaction LM");
            tower = TorchCheckpoint.open(pth);
            NameTable towerTable = new NameTable();
            AudioTowerLoader.declare(towerTable, "", ac);
            towerTable.verify(tower, "Audio-Interaction audio tower");
            AudioTower audio = AudioTowerLoader.build(new WeightSource(tower, "", options), "", ac);
            TextDecoder text = buildText(new WeightSource(lm, "", options), tc);
            return new AudioInteractionModel(audio, text, List.of(lm, tower));
        } catch (RuntimeException e) {
            lm.close();
            if (tower != null) {
                tower.close();
            }
            throw e;
        }
    }

    static NameTable textTable(TextDecoderConfig c) {
        long h = c.hidden(), qkv = c.qDim() + 2L * c.kvDim(), f = c.intermediate(), v = c.vocab();
        NameTable t = new NameTable();
        t.require("transformer.wte.weight", v, h);
        for (int i = 0; i < c.layers(); i++) {
            String p = "transformer.h." + i + ".";
            t.require(p + "norm_1.weight", h);
            t.require(p + "attn.qkv.weight", qkv, h).require(p + "attn.qkv.bias", qkv);
            t.require(p + "attn.proj.weight", h, c.qDim());
            t.require(p + "norm_2.weight", h);
            t.require(p + "mlp.fc_1.weight", f, h);
            t.require(p + "mlp.fc_2.weight", f, h);
            t.require(p + "mlp.proj.weight", h, f);
        }
        t.require("transformer.ln_f.weight", h);
        t.optional("lm_head.weight", v, h);
        return t;
    }

    static TextDecoder buildText(WeightSource w, TextDecoderConfig c) {
        List<DecoderLayer> layers = new ArrayList<>();
        for (int i = 0; i < c.layers(); i++) {
            String p = "transformer.h." + i + ".";
            layers.add(new DecoderLayer(
                    w.rmsNorm(p + "norm_1"),
                    new QkvProjection.Fused(w.linear(p + "attn.qkv", true), c.qDim(), c.kvDim()),
                    w.linear(p + "attn.proj", false),
                    w.rmsNorm(p + "norm_2"),
                    w.linear(p + "mlp.fc_1", false),
                    w.linear(p + "mlp.fc_2", false),
                    w.linear(p + "mlp.proj", false)));
        }
        var embed = w.matrix("transformer.wte.weight");
        var head = w.has("lm_head.weight") ? w.matrix("lm_head.weight") : embed;
        return new TextDecoder(c, w.kernels(), embed, layers, w.rmsNorm("transformer.ln_f"), head);
    }
}
