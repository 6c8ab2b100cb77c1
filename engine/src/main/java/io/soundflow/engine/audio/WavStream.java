package io.soundflow.engine.audio;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A WAV file or stream read in blocks: {@link WavReader#open} parses the header, then {@link #read} decodes
 * the data chunk a block at a time, mixes it to mono (channel mean) and resamples it to the requested rate
 * with a {@link StreamingResampler}. Memory is bounded by the block size, whatever the file's length, and the
 * source may be a pipe of unknown length (data size 0xFFFFFFFF, or larger than what arrives: the streamed
 * writer's convention).
 *
 * <p>Policies (every refusal is an {@link AudioFormatException} naming the source):
 * <ul>
 *   <li>sample rates from {@value #MIN_RATE} to {@value #MAX_RATE} Hz are accepted, others refused;</li>
 *   <li>a float sample that is NaN or infinite (or beyond the float range) is refused when it is read, naming
 *       its frame, channel and time: it would poison every later result;</li>
 *   <li>a data chunk that declares more bytes than are present (a recorder killed mid-write) is read as far as
 *       it goes, with one {@link #warning()} that says how much was missing (also logged as a warning); a data size of 0xFFFFFFFF means
 *       "up to the end" and gives no warning.</li>
 * </ul>
 * Not thread-safe.
 */
public final class WavStream implements Closeable {
    /** Lowest accepted sample rate. */
    public static final int MIN_RATE = 4_000;
    /** Highest accepted sample rate. */
    public static final int MAX_RATE = 384_000;

    private static final int TAG_PCM = 1;
    private static final int TAG_FLOAT = 3;
    private static final int TAG_EXTENSIBLE = 0xFFFE;
    private static final long UNKNOWN_SIZE = 0xFFFFFFFFL;
    private static final int BLOCK_BYTES = 1 << 16;
    private static final int MAX_HELD_DATA = 1 << 24;
    private static final System.Logger LOG = System.getLogger(WavStream.class.getName());

    private final String name;
    private final Input in;
    private final int sampleRate;
    private final int channels;
    private final int frameBytes;
    private final PcmDecoder decoder;
    private final boolean floatSamples;
    private final long declaredBytes; // -1: up to the end of the stream
    private final StreamingResampler resampler; // null: no resampling
    private final int rate;
    private final byte[] raw;
    private final float[] mono;
    private long bytesLeft;  // of the data chunk (Long.MAX_VALUE when it runs to the end)
    private long framesRead;
    private float[] pending = new float[0];
    private int pendingPos;
    private boolean ended;
    private String warning;
    private int carry;                   // a stream's bytes of an incomplete frame, at raw[0, carry)
    private AudioFormatException deferred; // a non-finite sample: thrown once the samples before it were read

    private WavStream(String name, Input in, int targetRate) throws IOException {
        this.name = name;
        this.in = in;
        Header h = parseHeader();
        this.sampleRate = h.rate;
        this.channels = h.channels;
        this.frameBytes = h.blockAlign;
        this.decoder = new PcmDecoder(h.encoding, h.bits, h.channels, false, false);
        this.floatSamples = h.encoding == PcmDecoder.Encoding.FLOAT;
        this.declaredBytes = h.dataBytes;
        this.bytesLeft = h.dataBytes < 0 ? Long.MAX_VALUE : h.dataBytes;
        if (warning != null) {
            LOG.log(System.Logger.Level.WARNING, warning);
        }
        this.rate = targetRate <= 0 ? sampleRate : targetRate;
        if (rate == sampleRate) {
            resampler = null;
        } else {
            try {
                resampler = new StreamingResampler(sampleRate, rate);
            } catch (IllegalArgumentException e) {
                throw new AudioFormatException(name, e.getMessage());
            }
        }
        int framesPerBlock = Math.max(1, BLOCK_BYTES / frameBytes);
        raw = new byte[framesPerBlock * frameBytes];
        mono = new float[framesPerBlock];
    }

    static WavStream open(String name, ReadableByteChannel ch, long size, SeekableByteChannel seek, int targetRate)
            throws IOException {
        Input input = new Input(ch, size, seek);
        try {
            return new WavStream(name, input, targetRate);
        } catch (IOException | RuntimeException e) {
            try {
                ch.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** Reads a WAV stream of unknown length from {@code in}; {@code name} names it in messages. */
    static WavStream open(String name, InputStream in, int targetRate) throws IOException {
        return open(name, Channels.newChannel(in), -1, null, targetRate);
    }

    /** The source's name, as messages give it. */
    public String name() {
        return name;
    }

    /** The file's sample rate (before resampling). */
    public int sourceRate() {
        return sampleRate;
    }

    /** The rate of the samples {@link #read} gives. */
    public int sampleRate() {
        return rate;
    }

    /** Interleaved channels in the file (mixed to one). */
    public int channels() {
        return channels;
    }

    /** Frames the data chunk holds at the source rate (what is present, for a short file), or -1 when unknown (a pipe). */
    public long sourceFrames() {
        return declaredBytes < 0 ? -1 : declaredBytes / frameBytes;
    }

    /** Samples {@link #read} gives in all, or -1 when unknown (a pipe). */
    public long length() {
        long frames = sourceFrames();
        return frames < 0 ? -1 : resampler == null ? frames : resampler.outputLength(frames);
    }

    /** Duration in seconds, or NaN when unknown (a pipe). */
    public double seconds() {
        long frames = sourceFrames();
        return frames < 0 ? Double.NaN : frames / (double) sampleRate;
    }

    /**
     * The truncation warning ("the data chunk declares N bytes but only M are present; reading the K frames
     * that are there"), or null. Known at open for a file, at the end of the data for a pipe.
     */
    public String warning() {
        return warning;
    }

    /**
     * Reads up to {@code len} mono samples at {@link #sampleRate()} into {@code out[off..]}; returns how many
     * (at least 1 when {@code len > 0}, blocking on a slow source), or -1 at the end of the audio.
     */
    public int read(float[] out, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, out.length);
        while (pendingPos == pending.length) {
            if (ended) {
                return -1;
            }
            refill();
        }
        int n = Math.min(len, pending.length - pendingPos);
        System.arraycopy(pending, pendingPos, out, off, n);
        pendingPos += n;
        return n;
    }

    /** Reads the rest of the audio into one array (at most {@code maxSamples}; longer audio is refused by name). */
    public float[] readAll(long maxSamples) throws IOException {
        long limit = Math.min(maxSamples, Integer.MAX_VALUE - 8);
        long known = length();
        if (known > limit && in.size >= 0) { // a file's length is known; a stream's header may overstate it
            throw tooLong(known, limit);
        }
        float[] all = readUpTo(limit);
        if (all.length == limit && read(new float[1], 0, 1) >= 0) {
            throw tooLong(-1, limit);
        }
        return all;
    }

    /** Reads up to {@code maxSamples} (at most {@code Integer.MAX_VALUE - 8}) into one array; the rest stays unread. */
    public float[] readUpTo(long maxSamples) throws IOException {
        long limit = Math.min(maxSamples, Integer.MAX_VALUE - 8);
        long known = length();
        float[] all = new float[(int) Math.min(limit, known < 0 ? 1 << 16 : in.size >= 0 ? known : Math.min(known, 1 << 20))];
        int n = 0;
        float[] one = new float[1];
        while (n < limit) {
            if (n == all.length) {
                if (n == known) { // all the header said: only a stream can hold more, so look before growing
                    if (read(one, 0, 1) < 0) {
                        break;
                    }
                    all = java.util.Arrays.copyOf(all, (int) Math.min(limit, 2L * all.length + 1));
                    all[n++] = one[0];
                    continue;
                }
                all = java.util.Arrays.copyOf(all, (int) Math.min(limit, 2L * all.length + 1));
            }
            int r = read(all, n, all.length - n);
            if (r < 0) {
                break;
            }
            n += r;
        }
        return n == all.length ? all : java.util.Arrays.copyOf(all, n);
    }

    private AudioFormatException tooLong(long samples, long limit) {
        return new AudioFormatException(name, (samples < 0 ? "more than " + limit : String.valueOf(samples))
                + " samples at " + rate + " Hz (" + String.format(Locale.ROOT, "%.1f s", (samples < 0 ? limit : samples) / (double) rate)
                + ") is too long to hold in memory (at most " + limit + " samples)");
    }

    @Override
    public void close() throws IOException {
        in.ch.close();
    }

    /**
     * Decodes the next block into {@code pending} (maybe empty while the resampler fills), or ends. A file
     * is read in whole blocks; a stream (pipe, FIFO, standard input) returns as soon as one whole frame has
     * arrived, so live input is not held back until a block fills.
     */
    private void refill() throws IOException {
        if (deferred != null) {
            throw deferred;
        }
        int want = (int) Math.min(raw.length, bytesLeft);
        int got;    // bytes at raw[0, got)
        boolean atEnd;
        try {
            if (in.seek == null && in.replay == null) {
                got = carry;
                atEnd = false;
                while (got < want && (got < frameBytes || got == carry)) { // at least one whole frame, or the end
                    int r = in.readSome(raw, got, want - got);
                    if (r < 0) {
                        atEnd = true;
                        break;
                    }
                    got += r;
                }
                atEnd |= got == want && (long) got >= bytesLeft;
            } else {
                got = want == 0 ? 0 : in.readFully(raw, 0, want);
                atEnd = got < want || bytesLeft == got;
            }
        } catch (IOException e) {
            throw new IOException(name + ": read failed after " + framesRead + " frames: "
                    + (e.getMessage() == null ? e.toString() : e.getMessage()), e);
        }
        int frames = got / frameBytes;
        if (frames > 0) {
            decoder.decode(raw, 0, frames, mono, 0);
            int bad = floatSamples ? firstNonFinite(frames) : -1;
            if (bad >= 0) { // hand out the samples before it; the next read throws
                deferred = nonFinite(bad);
                frames = bad;
                atEnd = false;
            }
            framesRead += frames;
            bytesLeft -= (long) frames * frameBytes;
            pending = resampler == null ? java.util.Arrays.copyOf(mono, frames) : resampler.process(mono, 0, frames);
        } else {
            pending = new float[0];
        }
        pendingPos = 0;
        int partial = got - frames * frameBytes;
        if (deferred == null) {
            carry = partial;
            System.arraycopy(raw, frames * frameBytes, raw, 0, partial);
        }
        if (deferred == null && (atEnd || bytesLeft == 0)) { // end of the data (or of the stream)
            if (declaredBytes >= 0 && bytesLeft > 0 && warning == null) {
                warning = truncation(declaredBytes, framesRead * frameBytes + partial, frameBytes);
                LOG.log(System.Logger.Level.WARNING, warning);
            } else if (declaredBytes < 0 && partial != 0) {
                warning = name + ": the stream ends with " + partial + " bytes of an incomplete "
                        + frameBytes + "-byte frame; reading the " + framesRead + " whole frames";
                LOG.log(System.Logger.Level.WARNING, warning);
            }
            ended = true;
            if (resampler != null) {
                float[] tail = resampler.flush();
                float[] both = java.util.Arrays.copyOf(pending, pending.length + tail.length);
                System.arraycopy(tail, 0, both, pending.length, tail.length);
                pending = both;
            }
        }
    }

    private String truncation(long declared, long present, int frameBytes) {
        return name + ": the data chunk declares " + declared + " bytes but only " + present
                + " are present; reading the " + present / frameBytes + " frames that are there";
    }

    /** The first decoded frame of this block whose mono value is not finite, or -1. */
    private int firstNonFinite(int frames) {
        for (int f = 0; f < frames; f++) {
            if (!Float.isFinite(mono[f])) {
                return f;
            }
        }
        return -1;
    }

    /** The error for the non-finite frame {@code f} of this block, naming the channel and the time. */
    private AudioFormatException nonFinite(int f) {
        int channel = 0;
        double value = mono[f];
        for (int c = 0; c < channels; c++) {
            double v = decoder.sample(raw, f, c);
            if (!Double.isFinite(v) || !Float.isFinite((float) v)) {
                channel = c;
                value = v;
                break;
            }
        }
        long frame = framesRead + f;
        String what = Double.isNaN(value) ? "NaN" : Double.isInfinite(value) ? (value > 0 ? "+Inf" : "-Inf")
                : "beyond the float range (" + value + ")";
        return new AudioFormatException(name, String.format(Locale.ROOT,
                "sample %s at frame %d, channel %d (%.4f s): float samples must be finite", what, frame, channel,
                frame / (double) sampleRate));
    }

    // ---- header ----

    private record Header(int rate, int channels, int blockAlign, int bits, PcmDecoder.Encoding encoding, long dataBytes) {
    }

    private Header parseHeader() throws IOException {
        byte[] b = new byte[12];
        int n = in.readFully(b, 0, 12);
        if (n < 12) {
            throw new AudioFormatException(name, "not a WAV file: " + n + " bytes is too short for a RIFF header");
        }
        String riff = fourCc(b, 0);
        if (!riff.equals("RIFF")) {
            throw new AudioFormatException(name, "not a WAV file: starts with '" + printable(riff) + "', expected 'RIFF'"
                    + (riff.equals("RIFX") || riff.equals("RF64") ? " (" + riff + " files are not supported)" : ""));
        }
        if (!fourCc(b, 8).equals("WAVE")) {
            throw new AudioFormatException(name, "not a WAV file: RIFF form type is '" + printable(fourCc(b, 8)) + "', expected 'WAVE'");
        }
        Header fmt = null;
        long truncatedFrom = -1;
        byte[] held = null; // a stream's data chunk that came before the fmt chunk
        long dataPos = -1;
        long dataBytes = 0;
        byte[] ch = new byte[8];
        while (fmt == null || dataPos < 0) {
            if (in.readFully(ch, 0, 8) < 8) {
                break;
            }
            String id = fourCc(ch, 0);
            long size = Integer.toUnsignedLong(ByteBuffer.wrap(ch, 4, 4).order(ByteOrder.LITTLE_ENDIAN).getInt());
            long body = in.pos;
            long available = in.size < 0 ? Long.MAX_VALUE : in.size - body;
            if (id.equals("data")) {
                dataPos = body;
                if (size == UNKNOWN_SIZE) {
                    dataBytes = in.size < 0 ? -1 : available; // streamed writer: the data runs to the end
                } else if (size > available) {
                    truncatedFrom = size; // a recorder killed mid-write: read what is there (whole frames)
                    dataBytes = available;
                } else {
                    dataBytes = size;
                }
                if (fmt != null) {
                    break;
                }
                if (dataBytes < 0 || size == UNKNOWN_SIZE || truncatedFrom >= 0) {
                    break; // the data runs to the end: no fmt can follow
                }
                if (in.seek == null) { // a stream cannot come back: hold the data (bounded) until the fmt chunk
                    if (size > MAX_HELD_DATA) {
                        throw new AudioFormatException(name, "the data chunk (" + size + " bytes) comes before the fmt "
                                + "chunk, which a stream (a pipe) can only hold up to " + MAX_HELD_DATA + " bytes of");
                    }
                    held = new byte[(int) size];
                    dataBytes = in.readFully(held, 0, held.length);
                    in.skip(size & 1);
                    continue;
                }
                in.skip(size + (size & 1));
            } else if (id.equals("fmt ")) {
                if (size > available) {
                    throw new AudioFormatException(name, "truncated fmt chunk (" + size + " bytes declared, " + available + " present)");
                }
                if (fmt != null) {
                    throw new AudioFormatException(name, "bad fmt chunk: more than one fmt chunk");
                }
                int keep = (int) Math.min(size, 40);
                byte[] f = new byte[keep];
                int got = in.readFully(f, 0, keep);
                if (got < keep) {
                    throw new AudioFormatException(name, "truncated fmt chunk (" + size + " bytes declared, " + got + " present)");
                }
                fmt = parseFmt(ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN), (int) Math.min(size, Integer.MAX_VALUE));
                if (in.skip(size - keep + (size & 1)) < size - keep) {
                    throw new AudioFormatException(name, "truncated fmt chunk (" + size + " bytes declared)");
                }
            } else {
                if (size > available) {
                    throw new AudioFormatException(name, "truncated: chunk '" + printable(id) + "' declares " + size
                            + " bytes but only " + available + " are present");
                }
                if (in.skip(size + (size & 1)) < size) {
                    break;
                }
            }
        }
        if (fmt == null) {
            throw new AudioFormatException(name, "bad WAV file: no fmt chunk" + (dataPos < 0 ? " and no data chunk" : ""));
        }
        if (dataPos < 0) {
            throw new AudioFormatException(name, "bad WAV file: no data chunk");
        }
        if (held != null) {
            in.replay(held, (int) dataBytes);
        } else if (in.pos != dataPos) {
            in.seekTo(dataPos);
        }
        int frameBytes = fmt.blockAlign;
        if (truncatedFrom >= 0) {
            warning = truncation(truncatedFrom, dataBytes, frameBytes);
            dataBytes -= dataBytes % frameBytes;
        } else if (dataBytes > 0 && dataBytes % frameBytes != 0) {
            throw new AudioFormatException(name, "truncated data: " + dataBytes + " bytes is not a whole number of "
                    + frameBytes + "-byte frames");
        }
        return new Header(fmt.rate, fmt.channels, fmt.blockAlign, fmt.bits, fmt.encoding, dataBytes);
    }

    private Header parseFmt(ByteBuffer buf, int size) throws AudioFormatException {
        if (size < 16) {
            throw new AudioFormatException(name, "bad fmt chunk: " + size + " bytes, at least 16 needed");
        }
        int tag = Short.toUnsignedInt(buf.getShort(0));
        int channels = Short.toUnsignedInt(buf.getShort(2));
        long rate = Integer.toUnsignedLong(buf.getInt(4));
        int blockAlign = Short.toUnsignedInt(buf.getShort(12));
        int bits = Short.toUnsignedInt(buf.getShort(14));
        if (tag == TAG_EXTENSIBLE) {
            if (size < 40) {
                throw new AudioFormatException(name, "bad fmt chunk: WAVE_FORMAT_EXTENSIBLE needs 40 bytes, got " + size);
            }
            int validBits = Short.toUnsignedInt(buf.getShort(18));
            if (validBits > bits) {
                throw new AudioFormatException(name, "bad fmt chunk: " + validBits + " valid bits in a " + bits + "-bit container");
            }
            tag = Short.toUnsignedInt(buf.getShort(24)); // first two bytes of the sub-format GUID
        }
        if (channels == 0) {
            throw new AudioFormatException(name, "bad fmt chunk: zero channels");
        }
        if (rate < MIN_RATE || rate > MAX_RATE) {
            throw new AudioFormatException(name, "sample rate " + rate + " Hz is outside the supported "
                    + MIN_RATE + ".." + MAX_RATE + " Hz");
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
        return new Header((int) rate, channels, blockAlign, bits, enc, 0);
    }

    private static String fourCc(byte[] b, int off) {
        return new String(b, off, 4, StandardCharsets.ISO_8859_1);
    }

    private static String printable(String s) {
        StringBuilder sb = new StringBuilder();
        for (char c : s.toCharArray()) {
            sb.append(c >= 32 && c < 127 ? String.valueOf(c) : String.format("\\x%02X", (int) c));
        }
        return sb.toString();
    }

    /** A byte source with a position: a regular file (size known, seekable) or a stream (neither). */
    private static final class Input {
        final ReadableByteChannel ch;
        final long size;               // -1 when unknown
        final SeekableByteChannel seek; // null for a stream
        long pos;
        ByteBuffer replay; // a held data chunk, read instead of the channel

        Input(ReadableByteChannel ch, long size, SeekableByteChannel seek) {
            this.ch = ch;
            this.size = size;
            this.seek = seek;
        }

        /** Makes the next reads return {@code b[0, n)} (and then nothing more is needed: the data chunk ends there). */
        void replay(byte[] b, int n) {
            replay = ByteBuffer.wrap(b, 0, n);
        }

        /** One read of a stream: at least one byte, or -1 at its end. */
        int readSome(byte[] b, int off, int len) throws IOException {
            ByteBuffer bb = ByteBuffer.wrap(b, off, len);
            int r;
            do {
                r = ch.read(bb);
            } while (r == 0);
            if (r > 0) {
                pos += r;
            }
            return r;
        }

        /** Reads until {@code len} bytes or the end; returns the count. */
        int readFully(byte[] b, int off, int len) throws IOException {
            if (replay != null) {
                int n = Math.min(len, replay.remaining());
                replay.get(b, off, n);
                return n;
            }
            ByteBuffer bb = ByteBuffer.wrap(b, off, len);
            while (bb.hasRemaining()) {
                if (ch.read(bb) < 0) {
                    break;
                }
            }
            int n = bb.position() - off;
            pos += n;
            return n;
        }

        /** Skips {@code n} bytes (fewer at the end); returns how many. */
        long skip(long n) throws IOException {
            if (n <= 0) {
                return 0;
            }
            if (seek != null) {
                long to = Math.min(size, pos + n);
                seek.position(to);
                long skipped = to - pos;
                pos = to;
                return skipped;
            }
            byte[] scratch = new byte[(int) Math.min(n, 8192)];
            long left = n;
            while (left > 0) {
                int r = readFully(scratch, 0, (int) Math.min(left, scratch.length));
                if (r == 0) {
                    break;
                }
                left -= r;
            }
            return n - left;
        }

        void seekTo(long p) throws IOException {
            seek.position(p);
            pos = p;
        }
    }
}
