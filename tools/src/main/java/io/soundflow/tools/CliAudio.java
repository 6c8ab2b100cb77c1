package io.soundflow.tools;

import io.soundflow.engine.audio.AudioInteractionMel;
import io.soundflow.engine.audio.LogMel;
import io.soundflow.engine.audio.WavReader;
import io.soundflow.engine.audio.WavStream;
import io.soundflow.engine.model.OmniThinker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Reading a command's {@code --wav} argument: a file, a FIFO, a device or {@code -} (standard input), as
 * 16 kHz mono samples (whole, or as a {@link WavStream} read in blocks), or one clear error naming the input.
 */
final class CliAudio {
    /** The name of standard input as a {@code --wav} argument. */
    static final String STDIN = "-";

    private CliAudio() {
    }

    /** Opens {@code --wav} for reading in blocks at 16 kHz (the header is parsed here). */
    static WavStream open16k(Path wav) {
        try {
            return wav.toString().equals(STDIN) ? WavReader.open(System.in, "standard input", LogMel.SAMPLE_RATE)
                    : WavReader.open(wav, LogMel.SAMPLE_RATE);
        } catch (IOException e) {
            throw unchecked(wav, e);
        }
    }

    /**
     * Opens raw 16-bit little-endian mono PCM at {@code rate} Hz ({@code --raw-rate}; a file, a FIFO or
     * {@code -}) for reading in blocks at 16 kHz: the bytes are read behind a WAV header that says so and
     * runs to the end of the input, so every WAV policy (rate range, truncation, blocks) applies.
     */
    static WavStream openRaw16k(Path input, int rate) {
        java.nio.ByteBuffer h = java.nio.ByteBuffer.allocate(44).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        h.put("RIFF".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(-1)
                .put("WAVEfmt ".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(16)
                .putShort((short) 1).putShort((short) 1).putInt(rate).putInt(rate * 2).putShort((short) 2).putShort((short) 16)
                .put("data".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(-1); // 0xFFFFFFFF: up to the end
        String name = input.toString().equals(STDIN) ? "standard input (raw s16le)" : input + " (raw s16le)";
        try {
            java.io.InputStream body = input.toString().equals(STDIN) ? System.in
                    : java.nio.file.Files.newInputStream(input);
            return WavReader.open(new java.io.SequenceInputStream(new java.io.ByteArrayInputStream(h.array()), body),
                    name, LogMel.SAMPLE_RATE);
        } catch (IOException e) {
            throw unchecked(input, e);
        }
    }

    /** Reads {@code --wav} whole at 16 kHz; an empty file is refused. */
    static float[] read16k(Path wav) {
        try (WavStream s = open16k(wav)) {
            float[] samples = s.readAll(Long.MAX_VALUE);
            if (samples.length == 0) {
                throw new IllegalArgumentException(s.name() + ": the audio is empty");
            }
            return samples;
        } catch (IOException e) {
            throw unchecked(wav, e);
        }
    }

    /**
     * Refuses audio too short for the model's audio tower (fewer than 3 mel frames), naming the input and the
     * minimum, instead of failing deep in the encoder.
     */
    static void requireLongEnough(Path wav, float[] samples, OmniThinker model, String command) {
        int min = 1;
        while (melFrames(model, min) < 3) {
            min++;
        }
        if (samples.length < min) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "%s: %d sample%s (%.2f ms) is too short: %s needs at least %d samples (%.1f ms at 16 kHz)",
                    wav, samples.length, samples.length == 1 ? "" : "s", samples.length / 16.0, command, min, min / 16.0));
        }
    }

    /** Mel frames the model's front end makes of {@code samples} 16 kHz samples (as {@code model.mel(x).frames()}). */
    static int melFrames(OmniThinker model, int samples) {
        return model.convention() == OmniThinker.AudioConvention.QWEN_OFFLINE ? LogMel.qwenFrameCount(samples)
                : (samples + AudioInteractionMel.CHUNK_SAMPLES - 1) / AudioInteractionMel.CHUNK_SAMPLES * 40;
    }

    /** The error as one line that starts with the input's name. */
    static UncheckedIOException unchecked(Path wav, IOException e) {
        String m = e.getMessage() == null ? e.toString() : e.getMessage();
        String name = wav.toString().equals(STDIN) ? "standard input" : wav.toString();
        return new UncheckedIOException(m.startsWith(name) ? m : name + ": " + m, e);
    }
}
