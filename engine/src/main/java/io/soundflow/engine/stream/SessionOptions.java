package io.soundflow.engine.stream;

import io.soundflow.engine.KvDtype;
import io.soundflow.engine.model.SamplingSettings;
import java.util.Objects;

/**
 * Per-session settings. Start from {@link #defaults()} and change with the {@code with...} methods.
 *
 * @param mode             front end (default {@code windowed}, the live default; {@code ref-exact} for file parity)
 * @param layout           drain layout when several chunks are queued (default {@code teacher-forced})
 * @param exactPositions   false (default): RoPE positions rounded through float16 as the released model
 * @param lenient          false (default): any token other than silent/respond while listening fails the
 *                         session; true: it is counted and treated as {@code <silent>} (151605 is fed)
 * @param maxPositions     KV capacity; 0 = the model's block size (engine default)
 * @param contextPolicy    what happens at capacity (default {@code reset})
 * @param windowBlocks     chunks kept by {@code window} (default 60 = 24 s, the training stream length)
 * @param ringCapacity     sample ring size (power of two; default 2^17 = 8.2 s at 16 kHz)
 * @param fifoCapacity     encoded-chunk FIFO size (power of two; default 256 = 102 s of audio)
 * @param maxReplyTokens   cap on a reply (ids after the decision); at the cap TEXT_END is forced (default 512,
 *                         the released web demo's cap); 0 = no cap
 * @param sampling         greedy (default, ties to the lowest id) or sampling settings for every token; a
 *                         repetition penalty is refused (the streaming decoder keeps no reply history)
 * @param melWindowChunks  clamp window of the {@code windowed} front end (default 60)
 * @param recordTrace      keep the full trace (fed tokens, every reply) for {@link Session#trace()}
 * @param refExactMaxSeconds input limit of {@code ref-exact}, which keeps the whole input (default 1800)
 * @param kvDtype          how the KV cache stores keys and values (default {@code F32}; {@code F16} halves its memory)
 * @param decisionBias     logit offset added to {@code <response>} against {@code <silent>} at every decision
 *                         (default 0, the released loop's decisions; above 0 responds more often, below 0 less):
 *                         when the argmax is one of the two, the decision is respond iff
 *                         logit(response) + bias &gt; logit(silent)
 */
public record SessionOptions(FrontEndMode mode, DrainLayout layout, boolean exactPositions, boolean lenient,
                             int maxPositions, ContextPolicy contextPolicy, int windowBlocks, int ringCapacity,
                             int fifoCapacity, int maxReplyTokens, SamplingSettings sampling, int melWindowChunks,
                             boolean recordTrace, int refExactMaxSeconds, KvDtype kvDtype, float decisionBias) {

    public SessionOptions {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(layout, "layout");
        Objects.requireNonNull(contextPolicy, "contextPolicy");
        Objects.requireNonNull(sampling, "sampling");
        Objects.requireNonNull(kvDtype, "kvDtype");
        check(maxPositions >= 0, "maxPositions (--max-positions) must be >= 0 (0 = the model's block size), got " + maxPositions);
        check(windowBlocks >= 1, "windowBlocks (--window-blocks) must be at least 1, got " + windowBlocks);
        check(maxReplyTokens >= 0, "maxReplyTokens (--max-reply) must be >= 0 (0 = no cap), got " + maxReplyTokens);
        check(melWindowChunks >= 1, "melWindowChunks must be at least 1, got " + melWindowChunks);
        check(sampling.repetitionPenalty() == 1f, "sampling.repetitionPenalty must be 1 in a streaming session (the "
                + "streaming decoder keeps no reply history to penalize), got " + sampling.repetitionPenalty());
        check(Float.isFinite(decisionBias), "decisionBias must be a finite number (a logit offset), got " + decisionBias);
        check(refExactMaxSeconds >= 1, "refExactMaxSeconds must be at least 1, got " + refExactMaxSeconds);
        check(ringCapacity >= 2 && Integer.bitCount(ringCapacity) == 1,
                "ringCapacity must be a power of two >= 2, got " + ringCapacity);
        check(fifoCapacity >= 2 && Integer.bitCount(fifoCapacity) == 1,
                "fifoCapacity must be a power of two >= 2, got " + fifoCapacity);
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /** The defaults listed on the record. */
    public static SessionOptions defaults() {
        return new SessionOptions(FrontEndMode.WINDOWED, DrainLayout.TEACHER_FORCED, false, false, 0, ContextPolicy.RESET,
                60, 1 << 17, 256, 512, SamplingSettings.GREEDY, 60, false, 1800, KvDtype.F32, 0f);
    }

    public SessionOptions withMode(FrontEndMode m) {
        return new SessionOptions(m, layout, exactPositions, lenient, maxPositions, contextPolicy, windowBlocks, ringCapacity,
                fifoCapacity, maxReplyTokens, sampling, melWindowChunks, recordTrace, refExactMaxSeconds, kvDtype, decisionBias);
    }

    public SessionOptions withLayout(DrainLayout l) {
        return new SessionOptions(mode, l, exactPositions, lenient, maxPositions, contextPolicy, windowBlocks, ringCapacity,
                fifoCapacity, maxReplyTokens, sampling, melWindowChunks, recordTrace, refExactMaxSeconds, kvDtype, decisionBias);
    }

    public SessionOptions withExactPositions(boolean b) {
        return new SessionOptions(mode, layout, b, lenient, maxPositions, contextPolicy, windowBlocks, ringCapacity,
                fifoCapacity, maxReplyTokens, sampling, melWindowChunks, recordTrace, refExactMaxSeconds, kvDtype, decisionBias);
    }

    public SessionOptions withLenient(boolean b) {
        return new SessionOptions(mode, layout, exactPositions, b, maxPositions, contextPolicy, windowBlocks, ringCapacity,
                fifoCapacity, maxReplyTokens, sampling, melWindowChunks, recordTrace, refExactMaxSeconds, kvDtype, decisionBias);
    }

    public SessionOptions withContext(ContextPolicy p, int maxPos, int blocks) {
        return new SessionOptions(mode, layout, exactPositions, lenient, maxPos, p, blocks, ringCapacity,
                fifoCapacity, maxReplyTokens, sampling, melWindowChunks, recordTrace, refExactMaxSeconds, kvDtype, decisionBias);
    }

    public SessionOptions withQueues(int ring, int fifo) {
        return new SessionOptions(mode, layout, exactPositions, lenient, maxPositions, contextPolicy, windowBlocks, ring,
                fifo, maxReplyTokens, sampling, melWindowChunks, recordTrace, refExactMaxSeconds, kvDtype, decisionBias);
    }

    public SessionOptions withMaxReplyTokens(int n) {
        return new SessionOptions(mode, layout, exactPositions, lenient, maxPositions, contextPolicy, windowBlocks, ringCapacity,
                fifoCapacity, n, sampling, melWindowChunks, recordTrace, refExactMaxSeconds, kvDtype, decisionBias);
    }

    public SessionOptions withSampling(SamplingSettings s) {
        return new SessionOptions(mode, layout, exactPositions, lenient, maxPositions, contextPolicy, windowBlocks, ringCapacity,
                fifoCapacity, maxReplyTokens, s, melWindowChunks, recordTrace, refExactMaxSeconds, kvDtype, decisionBias);
    }

    public SessionOptions withRecordTrace(boolean b) {
        return new SessionOptions(mode, layout, exactPositions, lenient, maxPositions, contextPolicy, windowBlocks, ringCapacity,
                fifoCapacity, maxReplyTokens, sampling, melWindowChunks, b, refExactMaxSeconds, kvDtype, decisionBias);
    }

    public SessionOptions withKvDtype(KvDtype d) {
        return new SessionOptions(mode, layout, exactPositions, lenient, maxPositions, contextPolicy, windowBlocks, ringCapacity,
                fifoCapacity, maxReplyTokens, sampling, melWindowChunks, recordTrace, refExactMaxSeconds, d, decisionBias);
    }

    public SessionOptions withDecisionBias(float bias) {
        return new SessionOptions(mode, layout, exactPositions, lenient, maxPositions, contextPolicy, windowBlocks, ringCapacity,
                fifoCapacity, maxReplyTokens, sampling, melWindowChunks, recordTrace, refExactMaxSeconds, kvDtype, bias);
    }
}
