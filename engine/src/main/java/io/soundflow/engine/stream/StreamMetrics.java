package io.soundflow.engine.stream;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Collects a session's metrics with bounded memory: decision latencies go into an HdrHistogram (three
 * significant digits, 1 microsecond to an hour), so the percentiles cover every decision of a stream of
 * any length in a few tens of kilobytes.
 * Written by the engine threads; {@link #snapshot} may be called from any thread (it synchronizes).
 */
final class StreamMetrics {
    static final double CHUNK_MS = 400.0;

    /** Decision latencies in microseconds. */
    private final org.HdrHistogram.Histogram latencies = new org.HdrHistogram.Histogram(1, 3_600_000_000L, 3);
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
        latencies.recordValue(Math.max(1, Math.min(3_600_000_000L, Math.round(latencyMs * 1000))));
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
        long k = latencies.getTotalCount();
        double audioSec = acceptedSamples / 16_000.0;
        long enc = encodedChunks.get();
        double encNs = encoderNanos.get();
        return new StreamStats(enc, decisions, responses, audioSec, pct(0.50), pct(0.95),
                k == 0 ? Double.NaN : maxLatency, fclCount == 0 ? Double.NaN : fclSum / fclCount, fclCount,
                decisions == 0 ? 0 : (double) stalls / decisions, depthMax, depthCount == 0 ? 0 : (double) depthSum / depthCount,
                enc == 0 ? Double.NaN : encNs / 1e6 / enc, audioSec == 0 ? 0 : encNs / 1e9 / audioSec,
                audioSec == 0 ? 0 : decoderNanos / 1e9 / audioSec, droppedSamples, nonFiniteSamples, unexpected, contextLimits, positions);
    }

    /** The latency at quantile {@code p}, in ms (within 0.1%; NaN before the first decision). */
    private double pct(double p) {
        return latencies.getTotalCount() == 0 ? Double.NaN : latencies.getValueAtPercentile(100 * p) / 1000.0;
    }
}
