package io.soundflow.engine.audio;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads RIFF/WAVE files: integer PCM of 8 (unsigned), 16, 24 or 32 bits and IEEE float of 32 or 64 bits,
 * plain or WAVE_FORMAT_EXTENSIBLE, any channel count (mixed to mono by averaging), any sample rate (not
 * resampled here: see {@link Audio#toRate}). Chunks may come in any order; unknown chunks are skipped.
 * Every malformed input gives an {@link AudioFormatException} naming the file and the problem.
 */
public final class WavReader {
    private static final int TAG_PCM = 1;
    private static final int TAG_FLOAT = 3;
    private static final int TAG_EXTENSIBLE = 0xFFFE;
    private static final long UNKNOWN_SIZE = 0xFFFFFFFFL;
    private static final long MAX_BYTES = Integer.MAX_VALUE - 16;

    private WavReader() {
    }

    /** Reads a WAV file. */
    public static Audio read(Path path) throws IOException {
        byte[] bytes;
        try {
            long size = Files.size(path);
            if (size > MAX_BYTES) {
                throw new AudioFormatException(path.toString(), "too large: " + size + " bytes (at most " + MAX_BYTES + ")");
            }
            bytes = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(path.toString(), null, "no such audio file");
        } catch (AudioFormatException e) {
            throw e;
        } catch (IOException e) {
            throw new IOException(path + ": cannot read the audio file: " + e.getMessage(), e);
        }
        return parse(bytes, path.toString(), path);
    }

    /** Reads a WAV file and resamples it to 16 kHz when needed (the rate both models take). */
    public static Audio read16k(Path path) throws IOException {
        return read(path).toRate(LogMel.SAMPLE_RATE);
    }

    /** Reads a WAV stream; {@code name} names it in error messages. */
    public static Audio read(InputStream in, String name) throws IOException {
        return parse(in.readAllBytes(), name, null);
    }

    private static Audio parse(byte[] b, String name, Path source) throws AudioFormatException {
        ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        if (b.length < 12) {
            throw new AudioFormatException(name, "not a WAV file: " + b.length + " bytes is too short for a RIFF header");
        }
        String riff = fourCc(b, 0);
        if (!riff.equals("RIFF")) {
            throw new AudioFormatException(name, "not a WAV file: starts with '" + printable(riff) + "', expected 'RIFF'"
                    + (riff.equals("RIFX") || riff.equals("RF64") ? " (" + riff + " files are not supported)" : ""));
        }
        if (!fourCc(b, 8).equals("WAVE")) {
            throw new AudioFormatException(name, "not a WAV file: RIFF form type is '" + printable(fourCc(b, 8)) + "', expected 'WAVE'");
        }
        Format fmt = null;
        int dataOff = -1;
        long dataSize = 0;
        int pos = 12;
        while (b.length - pos >= 8 && (fmt == null || dataOff < 0)) {
            String id = fourCc(b, pos);
            long size = Integer.toUnsignedLong(buf.getInt(pos + 4));
            int body = pos + 8;
            long available = b.length - body;
            if (id.equals("data")) {
                if (size == UNKNOWN_SIZE) {
                    size = available; // streamed file: data runs to the end
                } else if (size > available) {
                    throw new AudioFormatException(name, "truncated: the data chunk declares " + size
                            + " bytes but only " + available + " are present");
                }
                dataOff = body;
                dataSize = size;
            } else if (id.equals("fmt ")) {
                if (size > available) {
                    throw new AudioFormatException(name, "truncated fmt chunk (" + size + " bytes declared, " + available + " present)");
                }
                if (fmt != null) {
                    throw new AudioFormatException(name, "bad fmt chunk: more than one fmt chunk");
                }
                fmt = parseFmt(buf, body, (int) size, name);
            } else if (size > available) {
                throw new AudioFormatException(name, "truncated: chunk '" + printable(id) + "' declares " + size
                        + " bytes but only " + available + " are present");
            }
            long next = body + size + (size & 1); // chunks are word aligned
            if (next > b.length) {
                break;
            }
            pos = (int) next;
        }
        if (fmt == null) {
            throw new AudioFormatException(name, "bad WAV file: no fmt chunk" + (dataOff < 0 ? " and no data chunk" : ""));
        }
        if (dataOff < 0) {
            throw new AudioFormatException(name, "bad WAV file: no data chunk");
        }
        int frameBytes = fmt.blockAlign;
        if (dataSize % frameBytes != 0) {
            throw new AudioFormatException(name, "truncated data: " + dataSize + " bytes is not a whole number of "
                    + frameBytes + "-byte frames");
        }
        long frames = dataSize / frameBytes;
        if (frames > Integer.MAX_VALUE - 8) {
            throw new AudioFormatException(name, "too long: " + frames + " frames");
        }
        float[] samples = new float[(int) frames];
        fmt.decoder.decode(b, dataOff, (int) frames, samples, 0);
        return new Audio(samples, fmt.sampleRate, 1, source);
    }

    private record Format(int sampleRate, int blockAlign, PcmDecoder decoder) {
    }

    private static Format parseFmt(ByteBuffer buf, int off, int size, String name) throws AudioFormatException {
        if (size < 16) {
            throw new AudioFormatException(name, "bad fmt chunk: " + size + " bytes, at least 16 needed");
        }
        int tag = Short.toUnsignedInt(buf.getShort(off));
        int channels = Short.toUnsignedInt(buf.getShort(off + 2));
        long rate = Integer.toUnsignedLong(buf.getInt(off + 4));
        int blockAlign = Short.toUnsignedInt(buf.getShort(off + 12));
        int bits = Short.toUnsignedInt(buf.getShort(off + 14));
        if (tag == TAG_EXTENSIBLE) {
            if (size < 40) {
                throw new AudioFormatException(name, "bad fmt chunk: WAVE_FORMAT_EXTENSIBLE needs 40 bytes, got " + size);
            }
            int validBits = Short.toUnsignedInt(buf.getShort(off + 18));
            if (validBits > bits) {
                throw new AudioFormatException(name, "bad fmt chunk: " + validBits + " valid bits in a " + bits + "-bit container");
            }
            tag = Short.toUnsignedInt(buf.getShort(off + 24)); // first two bytes of the sub-format GUID
        }
        if (channels == 0) {
            throw new AudioFormatException(name, "bad fmt chunk: zero channels");
        }
        if (rate == 0 || rate > 1_000_000) {
            throw new AudioFormatException(name, "bad fmt chunk: sample rate " + rate + " Hz");
        }
        PcmDecoder.Encoding enc;
        if (tag == TAG_PCM && (bits == 8 || bits == 16 || bits == 24 || bits == 32)) {
            enc = PcmDecoder.Encoding.INT;
        } else if (tag == TAG_FLOAT && (bits == 32 || bits == 64)) {
            enc = PcmDecoder.Encoding.FLOAT;
        } else if (tag == TAG_PCM || tag == TAG_FLOAT) {
            throw new AudioFormatException(name, "unsupported sample width: " + bits + " bits for "
                    + (tag == TAG_PCM ? "integer PCM (8, 16, 24 or 32 supported)" : "float PCM (32 or 64 supported)"));
        } else {
            throw new AudioFormatException(name, String.format(
                    "unsupported WAV encoding: format tag 0x%04X (only PCM and IEEE float are supported)", tag));
        }
        if (blockAlign != channels * (bits / 8)) {
            throw new AudioFormatException(name, "bad fmt chunk: block align " + blockAlign + " does not match "
                    + channels + " channels x " + bits / 8 + " bytes");
        }
        return new Format((int) rate, blockAlign, new PcmDecoder(enc, bits, channels, false, false));
    }

    private static String fourCc(byte[] b, int off) {
        return new String(b, off, 4, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    private static String printable(String s) {
        StringBuilder sb = new StringBuilder();
        for (char c : s.toCharArray()) {
            sb.append(c >= 32 && c < 127 ? String.valueOf(c) : String.format("\\x%02X", (int) c));
        }
        return sb.toString();
    }
}
