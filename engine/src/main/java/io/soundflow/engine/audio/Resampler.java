package io.soundflow.engine.audio;

/**
 * Sample-rate conversion by a rational factor L/M (to/from reduced; 48 kHz to 16 kHz is 1/3) with a
 * polyphase Kaiser-windowed-sinc low-pass FIR: flat within about 0.001 dB up to 0.9 of the lower
 * Nyquist frequency, at least 80 dB down from that Nyquist frequency on (design attenuation; anti-alias
 * when downsampling, anti-image when upsampling). Zero phase: output m is the signal at time m / to.
 */
public final class Resampler {
    private Resampler() {
    }

    /**
     * Resamples {@code x} from {@code fromRate} to {@code toRate}. The result has ceil(n * L / M)
     * samples (those whose time lies inside the input); samples outside the input count as zeros, so
     * the first and last ~half filter length of output see the edges. Returns a copy when the rates are
     * equal.
     */
    public static float[] resample(float[] x, int fromRate, int toRate) {
        if (fromRate == toRate) {
            if (fromRate <= 0) {
                throw new IllegalArgumentException("sample rates must be positive: " + fromRate + " -> " + toRate);
            }
            return x.clone();
        }
        StreamingResampler r = new StreamingResampler(fromRate, toRate);
        long total = r.outputLength(x.length);
        if (total > StreamingResampler.MAX_BLOCK) {
            throw new IllegalArgumentException("resampling " + x.length + " samples from " + fromRate + " to " + toRate
                    + " Hz gives " + total + " samples, more than one array holds (at most " + StreamingResampler.MAX_BLOCK + ")");
        }
        float[] a = r.process(x, 0, x.length);
        float[] b = r.flush();
        float[] out = new float[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
