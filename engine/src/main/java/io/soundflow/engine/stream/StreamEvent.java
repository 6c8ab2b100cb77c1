package io.soundflow.engine.stream;

/**
 * What a streaming {@link Session} reports to its {@link StreamListener}. Chunk indices count 400 ms
 * chunks from 0 in stream order; times are milliseconds.
 */
public sealed interface StreamEvent {

    /** The encoder finished chunk {@code chunk}: mel plus audio tower took {@code encodeMs}. */
    record ChunkEncoded(long chunk, double encodeMs, int queueDepth) implements StreamEvent {
    }

    /**
     * The decision for {@code chunk}: {@code respond} or silent, read at its ASSISTANT position.
     * {@code forced} marks the {@code <silent>} that the teacher-forced or early-exit layout put after
     * an intermediate queued chunk; {@code latencyMs} runs from the chunk's last sample (plus
     * look-ahead) reaching the encoder to the decision. {@code token} is the id chosen (151605 or
     * 151644; with {@code --lenient} an unexpected id, counted and treated as silent). {@code margin} is
     * the {@code <response>} minus {@code <silent>} logit at the chunk's ASSISTANT position (before
     * {@link SessionOptions#decisionBias()}); NaN for a forced decision, whose logits are not computed.
     */
    record Decision(long chunk, boolean respond, int token, boolean forced, double latencyMs, double margin)
            implements StreamEvent {
        /** A decision whose margin is unknown (NaN). */
        public Decision(long chunk, boolean respond, int token, boolean forced, double latencyMs) {
            this(chunk, respond, token, forced, latencyMs, Double.NaN);
        }
    }

    /** One generated response token and its printable text piece (empty for control ids). */
    record Token(long chunk, int id, String text) implements StreamEvent {
    }

    /**
     * A response ended: {@code replyIds} are the ids after the decision through TEXT_END 151643 (the
     * emotion tag first), {@code emotion} the tag as a word ("urgent", ... or "none"), {@code text} the
     * decoded reply; {@code cutReason} is null when the model ended the reply itself, else why TEXT_END
     * was forced: {@link #MAX_REPLY} (the reply cap), {@link #CONTEXT_FULL} (no KV room left),
     * {@link #CLOSED} (the session was closed mid-reply) or {@link #CANCELLED} ({@link Session#cancelResponse()}).
     */
    record ResponseEnd(long chunk, int[] replyIds, String emotion, String text, String cutReason) implements StreamEvent {
        public static final String MAX_REPLY = "max_reply";
        public static final String CONTEXT_FULL = "context_full";
        public static final String CLOSED = "closed";
        public static final String CANCELLED = "cancelled";

        /** Whether TEXT_END was forced (see {@link #cutReason()}). */
        public boolean cut() {
            return cutReason != null;
        }
    }

    /**
     * Input was lost or repaired, never silently: {@code count} samples of {@code kind}, and why.
     * {@link Kind#DROPPED}: the sample ring was full and the newest samples were dropped;
     * {@link Kind#NON_FINITE}: NaN or infinite samples given to {@link Session#accept} were replaced by 0
     * (they would otherwise poison the mel and the KV cache for the rest of the stream).
     */
    record Overrun(Kind kind, long count, String why) implements StreamEvent {
        /** What happened to the counted samples. */
        public enum Kind {
            DROPPED("dropped"), NON_FINITE("non_finite");

            private final String wireName;

            Kind(String wireName) {
                this.wireName = wireName;
            }

            /** The name in JSON events ("dropped", "non_finite"). */
            public String wireName() {
                return wireName;
            }
        }

        /** The unit of {@link #count()}: always "samples". */
        public String unit() {
            return "samples";
        }
    }

    /** The KV cache reached its capacity and the context policy ran. */
    record ContextLimit(String policy, int positionsBefore, int positionsAfter) implements StreamEvent {
    }

    /** Metrics so far (sent every few seconds of audio and once at the end). */
    record Stats(StreamStats stats) implements StreamEvent {
    }

    /** The session ended: {@code reason} is "end_of_audio", "closed" or the error message. */
    record End(String reason, boolean failed) implements StreamEvent {
    }
}
