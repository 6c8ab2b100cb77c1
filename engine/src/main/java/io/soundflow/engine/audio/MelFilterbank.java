package io.soundflow.engine.audio;

/**
 * The Slaney-scale, Slaney-normalised mel filter bank of Whisper / librosa
 * ({@code librosa.filters.mel(sr=16000, n_fft=400, n_mels=128, fmin=0, fmax=8000, htk=False, norm="slaney")}),
 * built once in double precision. Each filter is stored as its non-zero range of FFT bins.
 */
final class MelFilterbank {
    static final int N_BINS = LogMel.N_FFT / 2 + 1; // 201 one-sided FFT bins

    /** First non-zero FFT bin of filter i. */
    static final int[] START = new int[LogMel.N_MELS];
    /** Weights of filter i over bins START[i] .. START[i] + WEIGHTS[i].length - 1. */
    static final double[][] WEIGHTS = new double[LogMel.N_MELS][];

    static {
        int nEdges = LogMel.N_MELS + 2; // 130
        double melMax = hzToMel(LogMel.SAMPLE_RATE / 2.0);
        double[] f = new double[nEdges];
        for (int j = 0; j < nEdges; j++) {
            f[j] = melToHz(j * melMax / (nEdges - 1));
        }
        for (int i = 0; i < LogMel.N_MELS; i++) {
            double norm = 2.0 / (f[i + 2] - f[i]);
            double[] row = new double[N_BINS];
            int lo = -1;
            int hi = -1;
            for (int k = 0; k < N_BINS; k++) {
                double b = k * (double) LogMel.SAMPLE_RATE / LogMel.N_FFT;
                double lower = (b - f[i]) / (f[i + 1] - f[i]);
                double upper = (f[i + 2] - b) / (f[i + 2] - f[i + 1]);
                double w = Math.max(0.0, Math.min(lower, upper)) * norm;
                row[k] = w;
                if (w != 0.0) {
                    if (lo < 0) {
                        lo = k;
                    }
                    hi = k;
                }
            }
            if (lo < 0) { // cannot happen with 128 bins at 16 kHz, kept for safety
                lo = 0;
                hi = -1;
            }
            START[i] = lo;
            WEIGHTS[i] = java.util.Arrays.copyOfRange(row, lo, hi + 1);
        }
    }

    private MelFilterbank() {
    }

    /** Slaney Hz to mel: linear below 1 kHz, logarithmic above. */
    static double hzToMel(double hz) {
        if (hz < 1000.0) {
            return 3.0 * hz / 200.0;
        }
        return 15.0 + Math.log(hz / 1000.0) * 27.0 / Math.log(6.4);
    }

    /** Inverse of {@link #hzToMel}. */
    static double melToHz(double mel) {
        if (mel < 15.0) {
            return 200.0 * mel / 3.0;
        }
        return 1000.0 * Math.exp(Math.log(6.4) / 27.0 * (mel - 15.0));
    }
}
