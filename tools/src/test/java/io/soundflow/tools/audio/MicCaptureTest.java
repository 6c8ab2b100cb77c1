package io.soundflow.tools.audio;

import io.soundflow.engine.audio.Resampler;
import org.junit.jupiter.api.Test;

import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioSystem;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MicCaptureTest {
    private static final int NS = AudioSystem.NOT_SPECIFIED;

    static AudioFormat pcm16(float rate, int channels) {
        return new AudioFormat(AudioFormat.Encoding.PCM_SIGNED, rate, 16, channels, channels == NS ? NS : 2 * channels, rate, false);
    }

    /** 1 s of a 48 kHz stereo 1 kHz sine, the same on both channels, amplitude 0.5. */
    static short[] stereoSine(int frames) {
        short[] s = new short[2 * frames];
        for (int i = 0; i < frames; i++) {
            short v = (short) Math.round(16384 * Math.sin(2 * Math.PI * 1000 * i / 48000.0));
            s[2 * i] = v;
            s[2 * i + 1] = v;
        }
        return s;
    }

    @Test
    void deliversSixteenKilohertzMonoFromAFortyEightKilohertzStereoLine() throws Exception {
        short[] signal = stereoSine(48000);
        FakeTargetDataLine line = new FakeTargetDataLine(new AudioFormat[] {pcm16(48000, 2)}, f -> true, signal);
        List<float[]> blocks = new CopyOnWriteArrayList<>();
        List<String> threads = new CopyOnWriteArrayList<>();
        MicCapture mic = MicCapture.open(line, b -> {
            blocks.add(b);
            threads.add(Thread.currentThread().getName());
        });
        assertThat(mic.format().getSampleRate()).isEqualTo(48000f);
        assertThat(mic.format().getChannels()).isEqualTo(2);
        mic.start();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (mic.framesCaptured() < 48000 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        mic.stop();
        assertThat(mic.framesCaptured()).isEqualTo(48000);
        assertThat(line.isOpen()).isFalse();
        assertThat(threads).containsOnly("soundflow-mic");

        float[] got = concat(blocks);
        float[] mono = new float[48000];
        for (int i = 0; i < mono.length; i++) {
            mono[i] = signal[2 * i] / 32768f; // both channels equal: the mixdown is exact
        }
        assertThat(got).containsExactly(Resampler.resample(mono, 48000, 16000));
        // and it is the 1 kHz sine at 16 kHz: y[m] = 0.5 sin(2 pi 1000 m / 16000) away from the edges
        for (int m = 800; m < got.length - 800; m++) {
            assertThat((double) got[m]).isCloseTo(0.5 * Math.sin(2 * Math.PI * 1000 * m / 16000.0),
                    org.assertj.core.data.Offset.offset(2e-3));
        }
    }

    @Test
    void prefersSixteenBitAtFortyEightThenFallsBack() throws Exception {
        AudioFormat u8 = new AudioFormat(AudioFormat.Encoding.PCM_UNSIGNED, 44100, 8, 1, 1, 44100, false);
        AudioFormat any16 = pcm16(NS, NS);
        FakeTargetDataLine line = new FakeTargetDataLine(new AudioFormat[] {u8, any16}, f -> true, new short[0]);
        List<AudioFormat> c = MicCapture.candidates(line);
        assertThat(c.get(0).getSampleRate()).isEqualTo(48000f);
        assertThat(c.get(0).getSampleSizeInBits()).isEqualTo(16);
        assertThat(c.get(0).getChannels()).isEqualTo(1);
        assertThat(c.get(c.size() - 1).getSampleSizeInBits()).isEqualTo(8);

        // a device that refuses 48 kHz gets opened at 44.1 kHz
        FakeTargetDataLine picky = new FakeTargetDataLine(new AudioFormat[] {any16}, f -> f.getSampleRate() != 48000f, new short[0]);
        MicCapture mic = MicCapture.open(picky, b -> { });
        assertThat(mic.format().getSampleRate()).isEqualTo(44100f);
        mic.close();
    }

    @Test
    void noDeviceIsOneClearError() {
        assertThatThrownBy(() -> MicCapture.open(() -> null, b -> { })).isInstanceOf(NoAudioDeviceException.class)
                .hasMessageStartingWith("no audio input device");
        assertThatThrownBy(() -> MicCapture.open(() -> {
            throw new IllegalArgumentException("Line unsupported: interface TargetDataLine");
        }, b -> { })).isInstanceOf(NoAudioDeviceException.class).hasMessageContaining("no audio input device");
        FakeTargetDataLine refuses = new FakeTargetDataLine(new AudioFormat[] {pcm16(48000, 1)}, f -> false, new short[0]);
        assertThatThrownBy(() -> MicCapture.open(refuses, b -> { })).isInstanceOf(NoAudioDeviceException.class)
                .hasMessageContaining("supported format");
    }

    @Test
    void sinkErrorsStopTheCaptureAndAreReported() throws Exception {
        FakeTargetDataLine line = new FakeTargetDataLine(new AudioFormat[] {pcm16(16000, 1)}, f -> true, new short[16000]);
        AtomicReference<Exception> seen = new AtomicReference<>();
        MicCapture mic = MicCapture.open(line, b -> {
            throw new IllegalStateException("sink full");
        }).onError(seen::set);
        mic.start();
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (seen.get() == null && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        mic.stop();
        assertThat(seen.get()).hasMessage("sink full");
    }

    private static float[] concat(List<float[]> blocks) {
        int n = 0;
        for (float[] b : new ArrayList<>(blocks)) {
            n += b.length;
        }
        float[] out = new float[n];
        int p = 0;
        for (float[] b : blocks) {
            System.arraycopy(b, 0, out, p, b.length);
            p += b.length;
        }
        return out;
    }
}
