package io.soundflow.tools.eval;

import java.util.List;

/**
 * What one evaluation stream gave: its labels and the model's responses, the input of {@link EvalScorer}.
 *
 * @param name         the stream's name (its audio file), for messages
 * @param seconds      the audio's length
 * @param events       the labelled events
 * @param responses    every respond decision, in stream order
 * @param decisions    decisions made (silent and respond)
 * @param droppedSamples samples the session dropped (real-time feeding only)
 */
public record StreamResult(String name, double seconds, List<LabeledEvent> events, List<Response> responses, long decisions,
                           long droppedSamples) {
    public StreamResult {
        events = List.copyOf(events);
        responses = List.copyOf(responses);
    }

    /** A stream with no decision count (for tests of the scorer: the responses are the decisions that count). */
    public StreamResult(String name, double seconds, List<LabeledEvent> events, List<Response> responses) {
        this(name, seconds, events, responses, responses.size(), 0);
    }

    /**
     * A respond decision and what it said.
     *
     * @param chunk     the decided chunk (0-based, 400 ms each)
     * @param time      the decision's audio time: the END of its chunk, {@code (chunk + 1) * 0.4} s
     * @param latencyMs wall clock from the chunk's last sample reaching the encoder to the decision
     * @param emotion   the reply's emotion tag as the engine names it ("urgent", ..., "none"), null if the reply never ended
     * @param text      the reply's text, null if the reply never ended
     */
    public record Response(long chunk, double time, double latencyMs, String emotion, String text) {
        /** A response at chunk {@code chunk} (time its end) with the given reply. */
        public static Response at(long chunk, String emotion, String text) {
            return new Response(chunk, chunkEnd(chunk), Double.NaN, emotion, text);
        }
    }

    /** The audio time at which chunk {@code chunk}'s decision is made: its end, in seconds. */
    public static double chunkEnd(long chunk) {
        return (chunk + 1) * 400 / 1000.0; // (not * 0.4: 7 * 0.4 is 2.8000000000000003)
    }
}
