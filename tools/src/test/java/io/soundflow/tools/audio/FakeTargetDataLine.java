package io.soundflow.tools.audio;

import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.Control;
import javax.sound.sampled.DataLine;
import javax.sound.sampled.LineListener;
import javax.sound.sampled.LineUnavailableException;
import javax.sound.sampled.TargetDataLine;
import java.util.function.Predicate;

/**
 * A capture line that plays back a fixed interleaved 16-bit little-endian signal as fast as it is read,
 * then blocks (as a silent real device would not, but a finished test signal should) until stopped.
 */
final class FakeTargetDataLine implements TargetDataLine {
    private final AudioFormat[] formats;
    private final Predicate<AudioFormat> accepts;
    private final short[] signal; // interleaved
    private AudioFormat format;
    private int pos;
    private volatile boolean open;
    private volatile boolean running;
    private final Object lock = new Object();

    FakeTargetDataLine(AudioFormat[] formats, Predicate<AudioFormat> accepts, short[] signal) {
        this.formats = formats;
        this.accepts = accepts;
        this.signal = signal;
    }

    boolean exhausted() {
        synchronized (lock) {
            return pos >= signal.length;
        }
    }

    @Override
    public void open(AudioFormat f, int bufferSize) throws LineUnavailableException {
        open(f);
    }

    @Override
    public void open(AudioFormat f) throws LineUnavailableException {
        if (!accepts.test(f)) {
            throw new LineUnavailableException("fake line refuses " + f);
        }
        format = f;
        open = true;
    }

    @Override
    public int read(byte[] b, int off, int len) {
        synchronized (lock) {
            while (running && pos >= signal.length) {
                try {
                    lock.wait(); // nothing more to capture: block like an idle device until stopped
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return 0;
                }
            }
            if (!running) {
                return 0;
            }
            int n = 0;
            while (n + 2 <= len && pos < signal.length) {
                short s = signal[pos++];
                b[off + n++] = (byte) s;
                b[off + n++] = (byte) (s >> 8);
            }
            return n;
        }
    }

    @Override
    public void start() {
        running = true;
    }

    @Override
    public void stop() {
        synchronized (lock) {
            running = false;
            lock.notifyAll();
        }
    }

    @Override
    public void close() {
        stop();
        open = false;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public boolean isActive() {
        return running;
    }

    @Override
    public AudioFormat getFormat() {
        return format;
    }

    @Override
    public DataLine.Info getLineInfo() {
        return new DataLine.Info(TargetDataLine.class, formats, 0, 1 << 20);
    }

    @Override
    public void drain() {
    }

    @Override
    public void flush() {
    }

    @Override
    public int getBufferSize() {
        return 1 << 16;
    }

    @Override
    public int available() {
        return 0;
    }

    @Override
    public int getFramePosition() {
        return 0;
    }

    @Override
    public long getLongFramePosition() {
        return 0;
    }

    @Override
    public long getMicrosecondPosition() {
        return 0;
    }

    @Override
    public float getLevel() {
        return AudioFormatLevel.NOT_SPECIFIED;
    }

    @Override
    public void open() throws LineUnavailableException {
        throw new LineUnavailableException("open() without a format is not supported by the fake");
    }

    @Override
    public Control[] getControls() {
        return new Control[0];
    }

    @Override
    public boolean isControlSupported(Control.Type control) {
        return false;
    }

    @Override
    public Control getControl(Control.Type control) {
        throw new IllegalArgumentException("no controls");
    }

    @Override
    public void addLineListener(LineListener listener) {
    }

    @Override
    public void removeLineListener(LineListener listener) {
    }

    private static final class AudioFormatLevel {
        static final float NOT_SPECIFIED = javax.sound.sampled.AudioSystem.NOT_SPECIFIED;
    }
}
