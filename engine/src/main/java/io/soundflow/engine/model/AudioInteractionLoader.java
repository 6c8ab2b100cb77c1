package io.soundflow.engine.model;

import com.fasterxml.jackson.databind.JsonNode;
import io.soundflow.weights.CheckpointException;
import io.soundflow.weights.CheckpointLayout;
import io.soundflow.weights.Configs;
import io.soundflow.weights.RegularFiles;
import io.soundflow.weights.SafeTensors;
import io.soundflow.weights.TensorStore;
import io.soundflow.weights.TorchCheckpoint;

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
            String problem = RegularFiles.problem(p);
            if (problem != null && !RegularFiles.present(p)) {
                throw new CheckpointException(dir + ": not an Audio-Interaction checkpoint folder (missing "
                        + dir.relativize(p) + ")");
            }
            if (problem != null) {
                throw CheckpointException.of(p, problem);
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
            ac.requireWindow(AudioInteractionModel.CHUNK_FRAMES, "one Audio-Interaction chunk", omni.toString());
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(ConfigValues.named(dir, e.getMessage()), e);
        }
        TensorStore lm = SafeTensors.open(dir);
        TensorStore tower = null;
        try {
            NameTable lmTable = textTable(tc, lm::contains);
            lmTable.verify(lm, "Audio-Interaction LM");
            tower = TorchCheckpoint.open(pth);
            NameTable towerTable = new NameTable();
            AudioTowerLoader.declare(towerTable, "", ac);
            towerTable.verify(tower, "Audio-Interaction audio tower");
            int all = towerTable.tensorCount() + lmTable.tensorCount();
            AudioTower audio = AudioTowerLoader.build(new WeightSource(tower, "", options, all), "", ac);
            TextDecoder text = buildText(new WeightSource(lm, "", options, all, towerTable.tensorCount()), tc);
            return new AudioInteractionModel(audio, text, List.of(lm, tower));
        } catch (RuntimeException e) {
            lm.close();
            if (tower != null) {
                tower.close();
            }
            throw e;
        }
    }

    /**
     * The LM's name table. A layer stored with litgpt's legacy fused key {@code attn.attn} (rows interleaved
     * per query group) instead of {@code attn.qkv} is accepted and regrouped at load.
     */
    static NameTable textTable(TextDecoderConfig c, java.util.function.Predicate<String> present) {
        NameTable t = new NameTable();
        textLayout(CheckpointTensors.declaring(t, ""), c, present);
        return t;
    }

    private static boolean legacy(String layerPrefix, java.util.function.Predicate<String> present) {
        return !present.test(layerPrefix + "attn.qkv.weight") && present.test(layerPrefix + "attn.attn.weight");
    }

    /**
     * For each row of the [Q; K; V] layout, its row in litgpt's legacy layout, which stores per query
     * group g: that group's Q heads, then its K head, then its V head (as {@code qkv_reassemble} reads it).
     */
    static int[] legacyQkvRows(TextDecoderConfig c) {
        int hs = c.headDim(), perKv = c.heads() / c.kvHeads(), group = (perKv + 2) * hs;
        int qDim = c.qDim(), kvDim = c.kvDim();
        int[] src = new int[qDim + 2 * kvDim];
        for (int r = 0; r < src.length; r++) {
            if (r < qDim) {
                src[r] = r / (perKv * hs) * group + r % (perKv * hs);
            } else if (r < qDim + kvDim) {
                int k = r - qDim;
                src[r] = k / hs * group + perKv * hs + k % hs;
            } else {
                int v = r - qDim - kvDim;
                src[r] = v / hs * group + (perKv + 1) * hs + v % hs;
            }
        }
        return src;
    }

    static TextDecoder buildText(WeightSource w, TextDecoderConfig c) {
        return textLayout(CheckpointTensors.building(w), c, w::has);
    }

    /**
     * The litgpt decoder's tensors, spelled once for the table and the build (null while declaring);
     * {@code present} says which fused key a layer uses.
     */
    static TextDecoder textLayout(CheckpointTensors t, TextDecoderConfig c, java.util.function.Predicate<String> present) {
        long h = c.hidden(), qkvRows = c.qDim() + 2L * c.kvDim(), f = c.intermediate(), v = c.vocab();
        int[] legacyRows = legacyQkvRows(c);
        var embed = t.table("transformer.wte.weight", v, h);
        List<DecoderLayer> layers = new ArrayList<>();
        for (int i = 0; i < c.layers(); i++) {
            String p = "transformer.h." + i + ".";
            Norm attnNorm = t.rmsNorm(p + "norm_1", h);
            Linear qkv = legacy(p, present) ? t.linearRowsPermuted(p + "attn.attn", qkvRows, h, legacyRows)
                    : t.linear(p + "attn.qkv", qkvRows, h, true);
            Linear o = t.linear(p + "attn.proj", h, c.qDim(), false);
            Norm mlpNorm = t.rmsNorm(p + "norm_2", h);
            Linear gate = t.linear(p + "mlp.fc_1", f, h, false);
            Linear up = t.linear(p + "mlp.fc_2", f, h, false);
            Linear down = t.linear(p + "mlp.proj", h, f, false);
            layers.add(t.make(() -> new DecoderLayer(attnNorm, new QkvProjection.Fused(qkv, c.qDim(), c.kvDim()), o,
                    mlpNorm, gate, up, down)));
        }
        Norm finalNorm = t.rmsNorm("transformer.ln_f", h);
        var head = t.optionalMatrix("lm_head.weight", v, h);
        return t.make(() -> new TextDecoder(c, t.kernels(), embed, layers, finalNorm, head != null ? head : t.kernels().upload(embed)));
    }
}
