package io.soundflow.engine.audio;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes mono 16-bit PCM WAV files (for tests and the demo clip). */
public final class WavWriter {
    private WavWriter() {
    }

    /**
     * Writes {@code samples} (clipped to [-1, 1), scaled by 32768 and rounded to nearest) as a mono
     * 16-bit PCM WAV at {@code rate}. A sample k / 32768 reads back exactly.
     */
    public static void writePcm16(Path path, float[] samples, int rate) throws IOException {
        if (rate <= 0) {
            throw new IllegalArgumentException("sample rate must be positive, got " + rate);
        }
        long dataBytes = 2L * samples.length;
        if (dataBytes > 0xFFFFFFFFL - 36) {
            throw new IllegalArgumentException("too many samples for a WAV file: " + samples.length);
        }
        ByteBuffer b = ByteBuffer.allocate(44 + (int) dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt((int) (36 + dataBytes));
        b.put("WAVEfmt ".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(16);
        b.putShort((short) 1).putShort((short) 1).putInt(rate).putInt(rate * 2).putShort((short) 2).putShort((short) 16);
        b.put("data".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt((int) dataBytes);
        for (float s : samples) {
            long v = Math.round(s * 32768.0);
            b.putShort((short) Math.max(-32768, Math.min(32767, v)));
        }
        Files.write(path, b.array());
    }
}
