package io.soundflow.weights;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.file.Files;
import java.nio.file.Path;

/** Which on-disk layout a checkpoint folder has (decides which loader applies). */
public enum CheckpointLayout {
    /** Hugging Face Qwen2.5-Omni: config.json with a nested thinker_config, safetensors (sharded or not). */
    QWEN25_OMNI_HF("Qwen2.5-Omni (Hugging Face: config.json with thinker_config, safetensors)"),
    /** The Audio-Interaction release: litgpt LM shards + model_config.yaml, audio tower .pth. */
    AUDIO_INTERACTION("Audio-Interaction release (litgpt LM safetensors + model_config.yaml, audio tower .pth)"),
    UNKNOWN("unknown");

    /** The audio tower file of the Audio-Interaction release. */
    public static final String AI_AUDIO_TOWER = "audiointeraction_ChunkwisedEncoder.pth";
    /** litgpt's config of the Audio-Interaction LM. */
    public static final String AI_MODEL_CONFIG = "model_config.yaml";

    private final String description;

    CheckpointLayout(String description) {
        this.description = description;
    }

    /** A one-line human description. */
    public String description() {
        return description;
    }

    /**
     * Detects the layout of a checkpoint folder from the files it holds (and, for Hugging Face, the
     * config's thinker_config). Never throws for a bad config: a folder that does not match is UNKNOWN.
     */
    public static CheckpointLayout detect(Path dir) {
        if (dir == null || !Files.isDirectory(dir)) {
            return UNKNOWN;
        }
        boolean safetensors = Files.isRegularFile(dir.resolve(SafeTensors.INDEX_FILE))
                || Files.isRegularFile(dir.resolve(SafeTensors.SINGLE_FILE));
        if (safetensors && Files.isRegularFile(dir.resolve(AI_MODEL_CONFIG))
                && Files.isRegularFile(dir.resolve(AI_AUDIO_TOWER))) {
            return AUDIO_INTERACTION;
        }
        Path config = dir.resolve("config.json");
        if (safetensors && Files.isRegularFile(config)) {
            try {
                JsonNode c = Configs.readJson(config);
                if (c.path("thinker_config").isObject() || c.path("model_type").asText().startsWith("qwen2_5_omni")) {
                    return QWEN25_OMNI_HF;
                }
            } catch (CheckpointException e) {
                return UNKNOWN;
            }
        }
        return UNKNOWN;
    }
}
