package io.soundflow.engine.stream;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Collects a session's metrics with bounded memory: decision latencies are kept in a ring of the most
 * recent {@value #WINDOW} values (percentiles are over that window; the maximum is over all).
 * Written by the engine threads; {@link #snapshot} may be called from any thread (it synchronizes).
 */
final class StreamMetrics {
    static final int WINDOW = 8192;
    static final double CHUNK_MS = 400.0;

    private final double[] latencies = new double[WINDOW];
    private long decisions;
    private double maxLatency;
    private long stalls;
    private double fclSum;
    private long fclCount;
    private long depthSum;
    private long depthCount;
    private int depthMax;
    private long responses;
    private long unexpected;
    private long contextLimits;
    private int positions;
    final AtomicLong encodedChunks = new AtomicLong();
    final AtomicLong encoderNanos = new AtomicLong();
    private long decoderNanos;
    private final int session;

    /** The metrics of session {@code session} (its id, for the flight recorder's forward events). */
    StreamMetrics(int session) {
        this.session = session;
    }

    synchronized void decision(double latencyMs) {
        latencies[(int) (decisions % WINDOW)] = latencyMs;
        decisions++;
        maxLatency = Math.max(maxLatency, latencyMs);
        if (latencyMs > CHUNK_MS) {
            stalls++;
        }
    }

    synchronized void fcl(double ms) {
        fclSum += ms;
        fclCount++;
    }

    synchronized void queueDepth(int depth) {
        depthSum += depth;
        depthCount++;
        depthMax = Math.max(depthMax, depth);
    }

    synchronized void response() {
        responses++;
    }

    synchronized void unexpectedToken() {
        unexpected++;
    }

    synchronized void contextLimit() {
        contextLimits++;
    }

    synchronized void decoderBusy(long nanos, int positionsNow) {
        decoderNanos += nanos;
        positions = positionsNow;
        FlightEvents.forward(session, nanos, positionsNow);
    }

    synchronized StreamStats snapshot(long acceptedSamples, long droppedSamples, long nonFiniteSamples) {
        int k = (int) Math.min(decisions, WINDOW);
        double[] sorted = Arrays.copyOf(latencies, k);
        Arrays.sort(sorted);
        double audioSec = acceptedSamples / 16_000.0;
        long enc = encodedChunks.get();
        double encNs = encoderNanos.get();
        return new StreamStats(enc, decisions, responses, audioSec, pct(sorted, 0.50), pct(sorted, 0.95),
                k == 0 ? Double.NaN : maxLatency, fclCount == 0 ? Double.NaN : fclSum / fclCount, fclCount,
                decisions == 0 ? 0 : (double) stalls / decisions, depthMax, depthCount == 0 ? 0 : (double) depthSum / depthCount,
                enc == 0 ? Double.NaN : encNs / 1e6 / enc, audioSec == 0 ? 0 : encNs / 1e9 / audioSec,
                audioSec == 0 ? 0 : decoderNanos / 1e9 / audioSec, droppedSamples, nonFiniteSamples, unexpected, contextLimits, positions);
    }

    /** Nearest-rank percentile of sorted values (NaN when empty). */
    static double pct(double[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int i = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }
}
