package io.soundflow.tools;

import io.soundflow.engine.audio.Audio;
import io.soundflow.engine.audio.LogMel;
import io.soundflow.engine.audio.WavReader;
import io.soundflow.engine.model.LoadOptions;
import io.soundflow.engine.model.OmniThinker;
import io.soundflow.engine.model.Thinkers;
import io.soundflow.kernels.Backends;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Options shared by the model commands ({@code forward}, {@code ask}): model folder, WAV, quantization. */
final class ModelOptions {
    @Option(names = "--model", required = true, paramLabel = "DIR",
            description = "Checkpoint folder (Qwen2.5-Omni Hugging Face layout or the Audio-Interaction release).")
    Path model;

    @Option(names = "--wav", paramLabel = "FILE", description = "Audio file (WAV; resampled to 16 kHz mono).")
    Path wav;

    @Option(names = "--quantize", paramLabel = "q8_0|q4_0",
            description = "Convert the weight matrices at load (embedding and lm_head included).")
    String quantize;

    @Option(names = "--verbose", description = "Stack traces on errors.")
    boolean verbose;

    OmniThinker open() {
        return Thinkers.open(model, new LoadOptions(Backends.get(), LoadOptions.parseQuantize(quantize)));
    }

    /** The WAV as 16 kHz mono samples, or null without --wav. */
    float[] samples() {
        if (wav == null) {
            return null;
        }
        if (!Files.isRegularFile(wav)) {
            throw new IllegalArgumentException(wav + ": no such audio file");
        }
        try {
            Audio a = WavReader.read(wav).toRate(LogMel.SAMPLE_RATE);
            if (a.samples().length == 0) {
                throw new IllegalArgumentException(wav + ": the audio is empty");
            }
            return a.samples();
        } catch (IOException e) {
            String m = e.getMessage() == null ? e.toString() : e.getMessage();
            throw new UncheckedIOException(m.startsWith(wav.toString()) ? m : wav + ": " + m, e);
        }
    }
}
