package io.soundflow.engine.audio;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ResamplerTest {

    static float[] sine(int n, double freq, int rate, double amp) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (amp * Math.sin(2 * Math.PI * freq * i / rate));
        }
        return x;
    }

    /** Least-squares amplitude of a sinusoid at freq over y[from, to). */
    static double amplitudeAt(float[] y, int from, int to, double freq, int rate) {
        double ss = 0, sc = 0, cc = 0, ys = 0, yc = 0;
        for (int i = from; i < to; i++) {
            double w = 2 * Math.PI * freq * i / rate;
            double s = Math.sin(w);
            double c = Math.cos(w);
            ss += s * s;
            sc += s * c;
            cc += c * c;
            ys += y[i] * s;
            yc += y[i] * c;
        }
        double det = ss * cc - sc * sc;
        double a = (ys * cc - yc * sc) / det;
        double b = (yc * ss - ys * sc) / det;
        return Math.hypot(a, b);
    }

    static double rms(float[] y, int from, int to) {
        double s = 0;
        for (int i = from; i < to; i++) {
            s += (double) y[i] * y[i];
        }
        return Math.sqrt(s / (to - from));
    }

    static double db(double ratio) {
        return 20 * Math.log10(ratio);
    }

    @ParameterizedTest
    @CsvSource({"48000,16000,1000", "48000,16000,7000", "44100,16000,440", "44100,16000,7100", "8000,16000,3000",
            "22050,16000,5000", "16000,48000,7000"})
    void passbandSineKeepsAmplitudeFrequencyAndTime(int from, int to, double freq) {
        float[] x = sine(from, freq, from, 0.5); // 1 s
        float[] y = Resampler.resample(x, from, to);
        int edge = to / 20; // skip 50 ms at both ends (filter start-up against the zero extension)
        double amp = amplitudeAt(y, edge, y.length - edge, freq, to);
        assertThat(Math.abs(db(amp / 0.5))).as("gain in dB").isLessThan(0.1);
        // same frequency and no delay: y[m] is the sine at time m / to
        double err = 0;
        for (int m = edge; m < y.length - edge; m++) {
            err = Math.max(err, Math.abs(y[m] - 0.5 * Math.sin(2 * Math.PI * freq * m / to)));
        }
        assertThat(db(err / 0.5)).as("error vs ideal in dB").isLessThan(-50);
    }

    @ParameterizedTest
    @CsvSource({"48000,16000,8200", "48000,16000,9000", "48000,16000,12000", "48000,16000,20000", "48000,16000,23900",
            "44100,16000,8500", "44100,16000,15000", "44100,16000,21000"})
    void contentAboveTheNewNyquistIsRemoved(int from, int to, double freq) {
        float[] x = sine(from, freq, from, 0.5);
        float[] y = Resampler.resample(x, from, to);
        int edge = to / 20;
        double ratio = rms(y, edge, y.length - edge) / rms(x, 0, x.length);
        assertThat(db(ratio)).as("attenuation of %s Hz", freq).isLessThan(-60);
    }

    @Test
    void upsamplingRemovesTheImage() {
        float[] y = Resampler.resample(sine(8000, 3000, 8000, 0.5), 8000, 16000);
        assertThat(db(amplitudeAt(y, 800, y.length - 800, 5000, 16000) / 0.5)).isLessThan(-60);
    }

    @Test
    void lengthIsCeilOfNTimesLOverM() {
        assertThat(Resampler.resample(new float[48000], 48000, 16000)).hasSize(16000);
        assertThat(Resampler.resample(new float[48001], 48000, 16000)).hasSize(16001);
        assertThat(Resampler.resample(new float[44100], 44100, 16000)).hasSize(16000);
        assertThat(Resampler.resample(new float[1000], 44100, 16000)).hasSize(363); // ceil(1000*160/441)
        assertThat(Resampler.resample(new float[7], 8000, 16000)).hasSize(14);
        assertThat(Resampler.resample(new float[0], 48000, 16000)).isEmpty();
        float[] same = {1, 2, 3};
        assertThat(Resampler.resample(same, 16000, 16000)).containsExactly(same).isNotSameAs(same);
    }

    @Property(tries = 30)
    void streamingEqualsOneShot(@ForAll @IntRange(min = 0, max = 2) int pair, @ForAll long seed) {
        int[][] rates = {{48000, 16000}, {44100, 16000}, {8000, 16000}};
        int from = rates[pair][0];
        int to = rates[pair][1];
        Random r = new Random(seed);
        float[] x = new float[3000 + r.nextInt(5000)];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        float[] want = Resampler.resample(x, from, to);
        StreamingResampler s = new StreamingResampler(from, to);
        float[] got = new float[want.length + 1];
        int n = 0;
        for (int off = 0; off < x.length; ) {
            int len = Math.min(x.length - off, r.nextInt(700)); // includes empty blocks
            for (float v : s.process(x, off, len)) {
                got[n++] = v;
            }
            off += len;
        }
        for (float v : s.flush()) {
            got[n++] = v;
        }
        assertThat(n).isEqualTo(want.length);
        assertThat(java.util.Arrays.copyOf(got, n)).containsExactly(want);
    }

    @Test
    void streamingDelaysLittleAndRejectsUseAfterFlush() {
        StreamingResampler s = new StreamingResampler(48000, 16000);
        float[] out = s.process(new float[4800], 0, 4800); // 100 ms in
        assertThat(out.length).isBetween(1600 - 60, 1600); // at most ~3 ms behind
        s.flush();
        assertThatThrownBy(() -> s.process(new float[1], 0, 1)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> new StreamingResampler(0, 16000)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void audioToRate() {
        Audio a = new Audio(sine(48000, 440, 48000, 0.3), 48000, 1, null);
        Audio b = a.toRate(16000);
        assertThat(b.sampleRate()).isEqualTo(16000);
        assertThat(b.samples()).hasSize(16000);
        assertThat(b.toRate(16000)).isSameAs(b);
    }
}
