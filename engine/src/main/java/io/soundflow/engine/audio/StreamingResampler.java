package io.soundflow.engine.audio;

import java.util.Arrays;
import java.util.Objects;

/**
 * Streaming form of {@link Resampler}: feed input blocks of any size, get every output sample whose
 * inputs have arrived (the filter looks about half its length ahead, 150 input samples for 48 to 16 kHz).
 * {@link #flush()} ends the stream and returns the rest, treating the input after the end as zeros.
 * The concatenated outputs equal {@link Resampler#resample} of the concatenated input, bit for bit.
 * Equal rates pass the input through unchanged. Not thread-safe.
 */
public final class StreamingResampler {
    /** The most samples one call returns (the largest Java array). */
    static final int MAX_BLOCK = Integer.MAX_VALUE - 8;

    private final PolyphaseFilter filter; // null when the rates are equal (identity)
    private final int fromRate;
    private final int toRate;
    private float[] hist = new float[4096]; // input samples with absolute indices [base, base + count)
    private long base;
    private int count;
    private long received;
    private long nextOut;
    private boolean flushed;

    public StreamingResampler(int fromRate, int toRate) {
        this.filter = fromRate == toRate && fromRate > 0 ? null : new PolyphaseFilter(fromRate, toRate);
        this.fromRate = fromRate;
        this.toRate = toRate;
    }

    public int fromRate() {
        return fromRate;
    }

    public int toRate() {
        return toRate;
    }

    /**
     * Samples the whole stream gives for {@code inputSamples} input samples: ceil(n L / M) (n when the rates
     * are equal). Throws {@link ArithmeticException} naming the counts when that overflows a long.
     */
    public long outputLength(long inputSamples) {
        return filter == null ? inputSamples : filter.outputLength(inputSamples);
    }

    /** Appends {@code in[off, off+len)} and returns the outputs that became computable (maybe none). */
    public float[] process(float[] in, int off, int len) {
        Objects.checkFromIndexSize(off, len, in.length);
        if (flushed) {
            throw new IllegalStateException("the resampler was flushed; create a new one for a new stream");
        }
        if (filter == null) {
            received += len;
            return Arrays.copyOfRange(in, off, off + len);
        }
        append(in, off, len);
        received += len;
        // outputs m with newestInput(m) <= received - 1, i.e. m M + half <= received L - 1
        long num = filter.scaled(received) - 1 - filter.half;
        long end = num < 0 ? 0 : num / filter.down + 1;
        float[] out = produce(end);
        discardOld();
        return out;
    }

    /** Ends the stream: the remaining outputs up to ceil(total L / M), zeros standing in for later input. */
    public float[] flush() {
        if (flushed) {
            return new float[0];
        }
        flushed = true;
        if (filter == null) {
            return new float[0];
        }
        return produce(filter.outputLength(received));
    }

    private float[] produce(long end) {
        long count = Math.max(0, end - nextOut);
        if (count > MAX_BLOCK) {
            throw new IllegalArgumentException("resampling " + fromRate + " -> " + toRate + " Hz: this block gives "
                    + count + " output samples, more than one array holds (at most " + MAX_BLOCK + "); feed smaller blocks");
        }
        int n = (int) count;
        float[] out = new float[n];
        for (int j = 0; j < n; j++, nextOut++) {
            out[j] = (float) output(nextOut);
        }
        return out;
    }

    /** y[m] = sum_i branch[i] * x[n0 - i], x = 0 before the start and after what was received. */
    private double output(long m) {
        double[] b = filter.branchOf(m);
        long n0 = filter.newestInput(m);
        double acc = 0.0;
        int iStart = (int) Math.max(0, n0 - (received - 1)); // skip inputs not received (flush only)
        int iEnd = (int) Math.min(b.length, n0 + 1);          // stop before the start of the stream
        for (int i = iStart; i < iEnd; i++) {
            acc += b[i] * hist[(int) (n0 - i - base)];
        }
        return acc;
    }

    private void append(float[] in, int off, int len) {
        if (count + len > hist.length) {
            discardOld();
            if (count + len > hist.length) {
                hist = Arrays.copyOf(hist, Math.max(2 * hist.length, count + len));
            }
        }
        System.arraycopy(in, off, hist, count, len);
        count += len;
    }

    /** Drops inputs no future output reads (older than newestInput(nextOut) - maxTaps + 1). */
    private void discardOld() {
        long keepFrom = Math.max(base, filter.newestInput(nextOut) - filter.maxTaps() + 1);
        int drop = (int) Math.min(count, keepFrom - base);
        if (drop > 0) {
            System.arraycopy(hist, drop, hist, 0, count - drop);
            count -= drop;
            base += drop;
        }
    }
}
