package io.soundflow.tools.audio;

import io.soundflow.engine.audio.PcmDecoder;
import io.soundflow.engine.audio.StreamingResampler;

import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioSystem;
import javax.sound.sampled.DataLine;
import javax.sound.sampled.LineUnavailableException;
import javax.sound.sampled.TargetDataLine;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Captures the default audio input device: opens its {@link TargetDataLine} at a native format (16-bit
 * PCM at 48, 44.1 or 16 kHz preferred, any channel count), mixes to mono float, resamples to 16 kHz with
 * a {@link StreamingResampler} and hands blocks of 16 kHz samples to a callback on its own capture
 * thread (about every 20 ms). {@link #stop()} ends the capture, delivers the resampler's tail and joins
 * the thread. Typical use: {@code MicCapture.openDefault(session::accept).start()}.
 */
public final class MicCapture implements AutoCloseable {
    /** Rate of the delivered samples. */
    public static final int TARGET_RATE = 16000;
    private static final float[] PREFERRED_RATES = {48000f, 44100f, 16000f, 32000f, 22050f, 96000f, 8000f};
    private static final int READ_MILLIS = 20;

    /** Supplies the capture line (the default device, or a fake in tests). */
    @FunctionalInterface
    interface LineSource {
        TargetDataLine get() throws Exception;
    }

    private final TargetDataLine line;
    private final AudioFormat format;
    private final Consumer<float[]> sink;
    private final PcmDecoder decoder;
    private final StreamingResampler resampler;
    private volatile Consumer<Exception> errorHandler = e -> System.err.println("microphone capture failed: " + e);
    private volatile boolean running;
    private volatile long framesCaptured;
    private Thread thread;

    private MicCapture(TargetDataLine line, AudioFormat format, Consumer<float[]> sink) {
        this.line = line;
        this.format = format;
        this.sink = sink;
        this.decoder = decoderFor(format);
        this.resampler = new StreamingResampler(Math.round(format.getSampleRate()), TARGET_RATE);
    }

    /** Opens the default input device; {@link NoAudioDeviceException} with one clear line when there is none. */
    public static MicCapture openDefault(Consumer<float[]> sink) throws NoAudioDeviceException {
        return open(MicCapture::defaultLine, sink);
    }

    /** Opens {@code line} at its best supported format (see the class comment). */
    public static MicCapture open(TargetDataLine line, Consumer<float[]> sink) throws NoAudioDeviceException {
        return open(() -> line, sink);
    }

    static MicCapture open(LineSource source, Consumer<float[]> sink) throws NoAudioDeviceException {
        Objects.requireNonNull(sink, "sink");
        TargetDataLine line;
        try {
            line = source.get();
        } catch (Exception e) {
            throw new NoAudioDeviceException("no audio input device: " + e.getMessage(), e);
        }
        if (line == null) {
            throw new NoAudioDeviceException("no audio input device: the Java sound system reports no capture line"
                    + " (connect a microphone, or check that the JVM may use the sound system)", null);
        }
        List<AudioFormat> candidates = candidates(line);
        Exception last = null;
        for (AudioFormat f : candidates) {
            try {
                int bytes = Math.max(f.getFrameSize(), (int) (f.getSampleRate() * f.getFrameSize() * 0.2)); // 200 ms buffer
                line.open(f, bytes);
                return new MicCapture(line, f, sink);
            } catch (LineUnavailableException | IllegalArgumentException | SecurityException e) {
                last = e;
            }
        }
        throw new NoAudioDeviceException("no audio input device could be opened in a supported format (tried "
                + candidates.size() + " formats" + (last == null ? "" : "; last error: " + last.getMessage()) + ")", last);
    }

    /** A capture device of the Java sound system: the mixer's name and description. */
    public record Device(String name, String description) {
    }

    /** The mixers that offer a capture line, in the sound system's order (empty when there are none). */
    public static List<Device> devices() {
        List<Device> out = new java.util.ArrayList<>();
        DataLine.Info capture = new DataLine.Info(TargetDataLine.class, null);
        for (javax.sound.sampled.Mixer.Info m : AudioSystem.getMixerInfo()) {
            try {
                if (AudioSystem.getMixer(m).isLineSupported(capture)) {
                    out.add(new Device(m.getName(), m.getDescription()));
                }
            } catch (RuntimeException e) {
                // a mixer that cannot be queried is not offered
            }
        }
        return out;
    }

    /**
     * Opens the capture device whose name equals {@code name} or, failing that, the only one whose name
     * contains it (case-insensitive); a clear error lists the devices when none or several match.
     */
    public static MicCapture openNamed(String name, Consumer<float[]> sink) throws NoAudioDeviceException {
        List<Device> all = devices();
        Device pick = pick(all, name);
        return open(() -> {
            for (javax.sound.sampled.Mixer.Info m : AudioSystem.getMixerInfo()) {
                if (m.getName().equals(pick.name())) {
                    return (TargetDataLine) AudioSystem.getMixer(m).getLine(new DataLine.Info(TargetDataLine.class, null));
                }
            }
            return null;
        }, sink);
    }

    /** The device {@code name} chooses among {@code all} (see {@link #openNamed}). */
    static Device pick(List<Device> all, String name) throws NoAudioDeviceException {
        for (Device d : all) {
            if (d.name().equals(name)) {
                return d;
            }
        }
        String lower = name.toLowerCase(java.util.Locale.ROOT);
        List<Device> partial = all.stream().filter(d -> d.name().toLowerCase(java.util.Locale.ROOT).contains(lower)).toList();
        if (partial.size() == 1) {
            return partial.get(0);
        }
        String listed = all.isEmpty() ? "there are no capture devices"
                : "capture devices: " + all.stream().map(d -> "\"" + d.name() + "\"").collect(java.util.stream.Collectors.joining(", "));
        throw new NoAudioDeviceException("--mic-device " + name + ": " + (partial.isEmpty() ? "no capture device matches" :
                partial.size() + " capture devices match; give more of the name") + " (" + listed
                + "; ./soundflow devices lists them)", null);
    }

    private static TargetDataLine defaultLine() throws Exception {
        DataLine.Info info = new DataLine.Info(TargetDataLine.class, null);
        if (!AudioSystem.isLineSupported(info)) {
            return null;
        }
        return (TargetDataLine) AudioSystem.getLine(info);
    }

    /**
     * Concrete formats the line claims to support, best first: 16-bit signed PCM before other widths,
     * then rate 48 k, 44.1 k, 16 k, others; then fewer channels. Unspecified rates or channel counts are
     * expanded to the usual values.
     */
    static List<AudioFormat> candidates(TargetDataLine line) {
        AudioFormat[] declared = line.getLineInfo() instanceof DataLine.Info d ? d.getFormats() : new AudioFormat[0];
        Set<AudioFormat> out = new LinkedHashSet<>();
        List<AudioFormat> all = new ArrayList<>();
        if (declared.length == 0) {
            declared = new AudioFormat[] {new AudioFormat(AudioFormat.Encoding.PCM_SIGNED, AudioSystem.NOT_SPECIFIED,
                    16, AudioSystem.NOT_SPECIFIED, AudioSystem.NOT_SPECIFIED, AudioSystem.NOT_SPECIFIED, false)};
        }
        for (AudioFormat f : declared) {
            if (!decodable(f)) {
                continue;
            }
            float[] rates = f.getSampleRate() == AudioSystem.NOT_SPECIFIED ? PREFERRED_RATES : new float[] {f.getSampleRate()};
            int[] chans = f.getChannels() == AudioSystem.NOT_SPECIFIED ? new int[] {1, 2} : new int[] {f.getChannels()};
            for (float r : rates) {
                for (int c : chans) {
                    int frame = c * f.getSampleSizeInBits() / 8;
                    all.add(new AudioFormat(f.getEncoding(), r, f.getSampleSizeInBits(), c, frame, r, f.isBigEndian()));
                }
            }
        }
        all.sort(Comparator.comparingInt(MicCapture::score));
        for (AudioFormat f : all) {
            if (out.stream().noneMatch(f::matches)) {
                out.add(f);
            }
        }
        return new ArrayList<>(out);
    }

    private static int score(AudioFormat f) {
        boolean pcm16 = f.getEncoding().equals(AudioFormat.Encoding.PCM_SIGNED) && f.getSampleSizeInBits() == 16;
        int rate = PREFERRED_RATES.length;
        for (int i = 0; i < PREFERRED_RATES.length; i++) {
            if (PREFERRED_RATES[i] == f.getSampleRate()) {
                rate = i;
            }
        }
        return (pcm16 ? 0 : 1000) + rate * 10 + Math.min(f.getChannels(), 9);
    }

    private static boolean decodable(AudioFormat f) {
        int bits = f.getSampleSizeInBits();
        AudioFormat.Encoding e = f.getEncoding();
        if (f.getChannels() == 0 || (f.getSampleRate() != AudioSystem.NOT_SPECIFIED && f.getSampleRate() < 1000)
                || (f.getSampleRate() != AudioSystem.NOT_SPECIFIED && f.getSampleRate() != Math.round(f.getSampleRate()))) {
            return false;
        }
        return (e.equals(AudioFormat.Encoding.PCM_SIGNED) && (bits == 8 || bits == 16 || bits == 24 || bits == 32))
                || (e.equals(AudioFormat.Encoding.PCM_UNSIGNED) && bits == 8)
                || (e.equals(AudioFormat.Encoding.PCM_FLOAT) && (bits == 32 || bits == 64));
    }

    private static PcmDecoder decoderFor(AudioFormat f) {
        PcmDecoder.Encoding enc = f.getEncoding().equals(AudioFormat.Encoding.PCM_FLOAT)
                ? PcmDecoder.Encoding.FLOAT : PcmDecoder.Encoding.INT;
        return new PcmDecoder(enc, f.getSampleSizeInBits(), f.getChannels(), f.isBigEndian(),
                f.getEncoding().equals(AudioFormat.Encoding.PCM_SIGNED));
    }

    /** The device format in use. */
    public AudioFormat format() {
        return format;
    }

    /** Device frames read so far. */
    public long framesCaptured() {
        return framesCaptured;
    }

    /** Where capture errors go (default: one line on stderr); capture stops after an error. */
    public MicCapture onError(Consumer<Exception> handler) {
        this.errorHandler = Objects.requireNonNull(handler, "handler");
        return this;
    }

    /** Starts capturing on a daemon thread. */
    public synchronized MicCapture start() {
        if (thread != null) {
            throw new IllegalStateException("capture already started");
        }
        running = true;
        line.start();
        thread = new Thread(this::captureLoop, "soundflow-mic");
        thread.setDaemon(true);
        thread.start();
        return this;
    }

    private void captureLoop() {
        int frameBytes = format.getFrameSize();
        int frames = Math.max(1, Math.round(format.getSampleRate() * READ_MILLIS / 1000f));
        byte[] buf = new byte[frames * frameBytes];
        float[] mono = new float[frames];
        try {
            while (running) {
                int n = line.read(buf, 0, buf.length);
                int got = n / frameBytes;
                if (got > 0) {
                    decoder.decode(buf, 0, got, mono, 0);
                    framesCaptured += got;
                    deliver(resampler.process(mono, 0, got));
                } else if (!line.isOpen()) {
                    break;
                }
            }
            deliver(resampler.flush());
        } catch (Exception e) {
            running = false;
            errorHandler.accept(e);
        }
    }

    private void deliver(float[] block) {
        if (block.length > 0) {
            sink.accept(block);
        }
    }

    /** Stops the capture, delivers what is still buffered, closes the line and joins the thread. */
    public void stop() {
        Thread t;
        synchronized (this) {
            running = false;
            t = thread;
        }
        line.stop();
        line.flush();
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        line.close();
    }

    @Override
    public void close() {
        stop();
    }
}
