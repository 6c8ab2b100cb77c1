package io.soundflow.tools;

import io.soundflow.engine.audio.WavReader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reading a command's {@code --wav} argument: 16 kHz mono samples, or one clear error naming the file. */
final class CliAudio {
    private CliAudio() {
    }

    static float[] read16k(Path wav) {
        if (!Files.isRegularFile(wav)) {
            throw new IllegalArgumentException(wav + ": no such audio file");
        }
        try {
            float[] samples = WavReader.read16k(wav).samples();
            if (samples.length == 0) {
                throw new IllegalArgumentException(wav + ": the audio is empty");
            }
            return samples;
        } catch (IOException e) {
            String m = e.getMessage() == null ? e.toString() : e.getMessage();
            throw new UncheckedIOException(m.startsWith(wav.toString()) ? m : wav + ": " + m, e);
        }
    }
}
