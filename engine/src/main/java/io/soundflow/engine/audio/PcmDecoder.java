package io.soundflow.engine.audio;

import java.util.Objects;

/**
 * Interleaved PCM bytes to mono float samples (channels averaged). Integer PCM is scaled by
 * 2^-(bits-1) (16-bit: x / 32768, as ffmpeg's s16le to float does); 8-bit is unsigned with bias 128
 * unless {@code signed8}; float PCM is taken as is.
 */
public final class PcmDecoder {
    /** Sample encodings. */
    public enum Encoding { INT, FLOAT }

    private final Encoding encoding;
    private final int bits;
    private final int channels;
    private final boolean bigEndian;
    private final boolean signed8;

    /**
     * @param encoding  integer or IEEE float samples
     * @param bits      8, 16, 24 or 32 for INT; 32 or 64 for FLOAT
     * @param channels  interleaved channels, at least 1
     * @param bigEndian byte order of multi-byte samples
     * @param signed8   whether 8-bit integer samples are signed (WAV uses unsigned)
     */
    public PcmDecoder(Encoding encoding, int bits, int channels, boolean bigEndian, boolean signed8) {
        this.encoding = Objects.requireNonNull(encoding, "encoding");
        boolean ok = encoding == Encoding.INT ? (bits == 8 || bits == 16 || bits == 24 || bits == 32)
                : (bits == 32 || bits == 64);
        if (!ok) {
            throw new IllegalArgumentException("unsupported " + encoding + " sample width " + bits + " bits");
        }
        if (channels < 1) {
            throw new IllegalArgumentException("channel count must be at least 1, got " + channels);
        }
        this.bits = bits;
        this.channels = channels;
        this.bigEndian = bigEndian;
        this.signed8 = signed8;
    }

    /** Bytes per interleaved frame (all channels). */
    public int frameBytes() {
        return bits / 8 * channels;
    }

    /** Decodes {@code frames} frames from {@code in[off..]} into {@code out[outOff..]} (mono). */
    public void decode(byte[] in, int off, int frames, float[] out, int outOff) {
        int bps = bits / 8;
        Objects.checkFromIndexSize(off, frames * frameBytes(), in.length);
        Objects.checkFromIndexSize(outOff, frames, out.length);
        int p = off;
        for (int f = 0; f < frames; f++) {
            double sum = 0.0;
            for (int c = 0; c < channels; c++, p += bps) {
                sum += sampleAt(in, p);
            }
            out[outOff + f] = (float) (channels == 1 ? sum : sum / channels);
        }
    }

    /** The value of one channel of frame {@code frame} in {@code in} (from offset 0), before mixing. */
    public double sample(byte[] in, int frame, int channel) {
        Objects.checkIndex(channel, channels);
        return sampleAt(in, Math.multiplyExact(frame, frameBytes()) + channel * (bits / 8));
    }

    private double sampleAt(byte[] b, int p) {
        if (encoding == Encoding.FLOAT) {
            return bits == 32 ? Float.intBitsToFloat((int) readBits(b, p, 4)) : Double.longBitsToDouble(readBits(b, p, 8));
        }
        switch (bits) {
            case 8:
                return signed8 ? b[p] / 128.0 : ((b[p] & 0xff) - 128) / 128.0;
            case 16:
                return (short) readBits(b, p, 2) / 32768.0;
            case 24: {
                int v = (int) readBits(b, p, 3);
                return ((v << 8) >> 8) / 8388608.0;
            }
            default:
                return (int) readBits(b, p, 4) / 2147483648.0;
        }
    }

    private long readBits(byte[] b, int p, int n) {
        long v = 0;
        for (int i = 0; i < n; i++) {
            int idx = bigEndian ? p + i : p + n - 1 - i;
            v = (v << 8) | (b[idx] & 0xff);
        }
        return v;
    }
}
