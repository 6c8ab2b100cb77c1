package io.soundflow.tools;

import io.soundflow.engine.model.LoadOptions;
import io.soundflow.engine.model.OmniThinker;
import io.soundflow.engine.model.Thinkers;
import io.soundflow.kernels.Backends;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** Options shared by the model commands ({@code forward}, {@code ask}): model folder, WAV, quantization. */
final class ModelOptions {
    @Option(names = "--model", required = true, paramLabel = "DIR",
            description = "Checkpoint folder (Qwen2.5-Omni Hugging Face layout or the Audio-Interaction release).")
    Path model;

    @Option(names = "--wav", paramLabel = "FILE", description = "Audio file, FIFO or - for standard input (WAV, 4 to 384 kHz; resampled to 16 kHz mono).")
    Path wav;

    @Option(names = "--quantize", paramLabel = "q8_0|q4_0",
            description = "Convert the weight matrices at load (embedding and lm_head included).")
    String quantize;

    @Mixin
    VerboseOption verboseOption;

    @Mixin
    KernelsOption kernelsOption;

    OmniThinker open() {
        try (LoadProgressLine progress = LoadProgressLine.forTerminal("loading " + model.getFileName())) {
            return Thinkers.open(model, new LoadOptions(Backends.get(), LoadOptions.parseQuantize(quantize), progress));
        }
    }

    /** The WAV as 16 kHz mono samples, or null without --wav. */
    float[] samples() {
        return wav == null ? null : CliAudio.read16k(wav);
    }
}
