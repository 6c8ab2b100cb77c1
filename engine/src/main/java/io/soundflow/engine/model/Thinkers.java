package io.soundflow.engine.model;

import io.soundflow.weights.CheckpointException;
import io.soundflow.weights.CheckpointLayout;
import io.soundflow.weights.RegularFiles;
import io.soundflow.weights.SafeTensors;

import java.nio.file.Files;
import java.nio.file.Path;

/** Opens a checkpoint folder of either supported layout, detected from its files. */
public final class Thinkers {
    private Thinkers() {
    }

    /**
     * An offline thinker for {@code dir}: a Hugging Face Qwen2.5-Omni checkpoint, or the Audio-Interaction
     * release (seen through {@link AudioInteractionModel#asThinker()}, owning the loaded model).
     */
    public static OmniThinker open(Path dir, LoadOptions options) {
        if (!Files.isDirectory(dir)) {
            throw new CheckpointException(dir + ": model folder not found");
        }
        return switch (CheckpointLayout.detect(dir)) {
            case QWEN25_OMNI_HF -> OmniLoader.load(dir, options);
            case AUDIO_INTERACTION -> {
                AudioInteractionModel m = AudioInteractionLoader.load(dir, options);
                OmniThinker view = m.asThinker();
                yield new OmniThinker(view.audio(), view.text(), view.tokens(), view.convention(),
                        java.util.List.of(), m);
            }
            case UNKNOWN -> {
                requireLayoutFilesRegular(dir);
                throw new CheckpointException(dir + ": not a model folder this engine can load (expected "
                        + CheckpointLayout.QWEN25_OMNI_HF.description() + " or "
                        + CheckpointLayout.AUDIO_INTERACTION.description() + ")");
            }
        };
    }

    /**
     * Layout detection sees only regular files: one of the layouts' files that is present as a device, a
     * named pipe, a folder or a broken link is named for what it is rather than reported as missing.
     */
    private static void requireLayoutFilesRegular(Path dir) {
        for (String f : new String[] {CheckpointLayout.AI_MODEL_CONFIG, CheckpointLayout.AI_AUDIO_TOWER, "config.json",
                SafeTensors.INDEX_FILE, SafeTensors.SINGLE_FILE}) {
            RegularFiles.requireIfPresent(dir.resolve(f));
        }
    }

    /** The Audio-Interaction release in {@code dir}, for streaming. */
    public static AudioInteractionModel openInteraction(Path dir, LoadOptions options) {
        if (CheckpointLayout.detect(dir) != CheckpointLayout.AUDIO_INTERACTION) {
            requireLayoutFilesRegular(dir);
            throw new CheckpointException(dir + ": not an Audio-Interaction checkpoint (needs "
                    + CheckpointLayout.AI_MODEL_CONFIG + ", " + CheckpointLayout.AI_AUDIO_TOWER + " and safetensors)");
        }
        return AudioInteractionLoader.load(dir, options);
    }
}
