package io.soundflow.engine.stream;

/**
 * A session's metrics at one moment.
 *
 * @param chunksEncoded      chunks through the audio tower
 * @param chunksDecided      chunks with a decision (forced ones included)
 * @param responses          responses generated
 * @param audioSeconds       audio accepted into the ring, in seconds
 * @param decisionP50Ms      decision latency (chunk complete, look-ahead included, to its decision): median
 * @param decisionP95Ms      95th percentile
 * @param decisionMaxMs      maximum
 * @param fclMeanMs          first-chunk latency after a response (the paper's FCL): mean time from a
 *                           response's TEXT_END to the next decision; NaN before any response was followed by one
 * @param fclCount           how many FCL samples
 * @param stallRate          fraction of decisions later than one chunk (400 ms) after their chunk completed
 * @param queueDepthMax      most chunks waiting (FIFO + drained backlog) at a decision point
 * @param queueDepthMean     mean chunks waiting at a decision point
 * @param encoderMsPerChunk  mean mel + audio tower time per chunk
 * @param encoderRtf         encoder busy time / audio time
 * @param decoderRtf         decoder busy time / audio time
 * @param droppedSamples     samples dropped at the ring (producer faster than the encoder), all counted
 * @param nonFiniteSamples   NaN or infinite samples given to {@code accept}, replaced by 0 and counted
 * @param unexpectedTokens   non-decision tokens while listening (only with lenient)
 * @param contextLimits      times the context policy ran
 * @param positions          KV positions in use now
 */
public record StreamStats(long chunksEncoded, long chunksDecided, long responses, double audioSeconds,
                          double decisionP50Ms, double decisionP95Ms, double decisionMaxMs, double fclMeanMs,
                          long fclCount, double stallRate, int queueDepthMax, double queueDepthMean,
                          double encoderMsPerChunk, double encoderRtf, double decoderRtf, long droppedSamples,
                          long nonFiniteSamples, long unexpectedTokens, long contextLimits, int positions) {

    /** Real-time factor of the slower of the two threads (below 1 keeps up with live audio). */
    public double rtf() {
        return Math.max(encoderRtf, decoderRtf);
    }
}
