package io.soundflow.engine.audio;

/**
 * The low-pass FIR of a rational L/M resampler, split into its L polyphase branches.
 *
 * <p>Design: Kaiser-windowed sinc at the upsampled rate R = from * L, stopband attenuation 80 dB
 * (Kaiser beta 7.857, passband ripple about 0.001 dB), passband up to 0.9 and stopband from 1.0 times
 * the lower of the two Nyquist frequencies, cutoff in between; gain L so that the zero-stuffed signal
 * keeps its level. Odd length N, centred: output m is aligned with input time m / to.
 */
final class PolyphaseFilter {
    static final double STOPBAND_DB = 80.0;
    static final double PASSBAND_EDGE = 0.9;
    private static final long MAX_TAPS = 8_000_000;

    final int up;   // L
    final int down; // M
    final int half; // (N - 1) / 2
    /** branch[p][i] = h[p + i L]. */
    final double[][] branch;

    PolyphaseFilter(int fromRate, int toRate) {
        if (fromRate <= 0 || toRate <= 0) {
            throw new IllegalArgumentException("sample rates must be positive: " + fromRate + " -> " + toRate);
        }
        int g = gcd(fromRate, toRate);
        up = toRate / g;
        down = fromRate / g;
        double rate = (double) fromRate * up; // upsampled rate R
        double nyquist = Math.min(fromRate, toRate) / 2.0;
        double fPass = PASSBAND_EDGE * nyquist;
        double fStop = nyquist;
        double dOmega = 2 * Math.PI * (fStop - fPass) / rate;
        long n = (long) Math.ceil((STOPBAND_DB - 7.95) / (2.285 * dOmega)) + 1;
        n = Math.max(n, 3);
        if (n % 2 == 0) {
            n++;
        }
        if (n > MAX_TAPS) {
            throw new IllegalArgumentException("unsupported sample-rate ratio " + fromRate + " -> " + toRate
                    + " (reduced " + down + ":" + up + "; its filter would need " + n + " taps)");
        }
        half = (int) ((n - 1) / 2);
        double beta = 0.1102 * (STOPBAND_DB - 8.7);
        double i0Beta = besselI0(beta);
        double fc = (fPass + fStop) / 2 / rate; // cycles per upsampled sample
        double[] h = new double[(int) n];
        for (int k = 0; k < n; k++) {
            double t = k - half;
            double sinc = t == 0 ? 2 * fc : Math.sin(2 * Math.PI * fc * t) / (Math.PI * t);
            double r = t / half;
            double w = besselI0(beta * Math.sqrt(Math.max(0.0, 1 - r * r))) / i0Beta;
            h[k] = up * sinc * w;
        }
        branch = new double[up][];
        for (int p = 0; p < up; p++) {
            int taps = (int) ((n - 1 - p) / up) + 1;
            if (p >= n) {
                taps = 0;
            }
            double[] b = new double[taps];
            for (int i = 0; i < taps; i++) {
                b[i] = h[p + i * up];
            }
            branch[p] = b;
        }
    }

    /** Taps of the longest branch: how many past inputs one output reads. */
    int maxTaps() {
        return branch[0].length;
    }

    /** Index of the newest input sample output m reads: floor((m M + half) / L). */
    long newestInput(long m) {
        return Math.floorDiv(m * down + half, up);
    }

    /** The polyphase branch output m uses. */
    double[] branchOf(long m) {
        return branch[(int) Math.floorMod(m * down + half, (long) up)];
    }

    /** Output count for n input samples: ceil(n L / M) (outputs whose time lies inside the input). */
    long outputLength(long n) {
        return Math.ceilDiv(scaled(n), down);
    }

    /** n L, refused by name when it overflows a long. */
    long scaled(long n) {
        try {
            return Math.multiplyExact(n, (long) up);
        } catch (ArithmeticException e) {
            throw new ArithmeticException(n + " input samples x " + up + " overflow a long in the resampler");
        }
    }

    private static int gcd(int a, int b) {
        while (b != 0) {
            int t = a % b;
            a = b;
            b = t;
        }
        return a;
    }

    /** Modified Bessel function of the first kind, order 0 (power series). */
    static double besselI0(double x) {
        double sum = 1.0;
        double term = 1.0;
        double q = x * x / 4.0;
        for (int k = 1; k < 500; k++) {
            term *= q / ((double) k * k);
            sum += term;
            if (term < sum * 1e-17) {
                break;
            }
        }
        return sum;
    }
}
