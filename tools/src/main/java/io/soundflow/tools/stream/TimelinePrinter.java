package io.soundflow.tools.stream;

import io.soundflow.engine.stream.StreamEvent;
import io.soundflow.engine.stream.StreamListener;
import io.soundflow.engine.stream.StreamStats;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * The human timeline: one line per 20 chunks of listening ({@code .} silent, {@code ,} a teacher-forced
 * silent), each decision to respond on its own line with the emotion as a word and the reply text as it
 * is generated, overruns and context limits as notes; then a closing summary of the metrics.
 */
public final class TimelinePrinter implements StreamListener {
    private static final int DOTS_PER_LINE = 20;
    private final PrintWriter out;
    private int dots = -1; // -1: no open dot line

    public TimelinePrinter(PrintWriter out) {
        this.out = out;
    }

    /** A chunk's time: its end (when it can be decided), the same {@code t} the JSON events give. */
    static String time(long chunk) {
        return String.format(Locale.ROOT, "%7.1fs  ", (chunk + 1) * 0.4);
    }

    private void closeLine() {
        if (dots >= 0) {
            out.println();
            dots = -1;
        }
    }

    @Override
    public synchronized void onEvent(StreamEvent e) {
        switch (e) {
            case StreamEvent.Decision d when !d.respond() -> {
                if (dots < 0 || dots == DOTS_PER_LINE) {
                    closeLine();
                    out.print(time(d.chunk()));
                    dots = 0;
                }
                out.print(d.forced() ? ',' : d.token() == 151605 ? '.' : '?');
                dots++;
            }
            case StreamEvent.Decision d -> {
                closeLine();
                out.print(time(d.chunk()) + "respond ");
            }
            case StreamEvent.Token t when t.id() >= 151614 && t.id() <= 151619 ->
                    out.print("[" + emotion(t.id()) + "] ");
            case StreamEvent.Token t -> out.print(t.text());
            case StreamEvent.ResponseEnd r -> {
                if (r.cut()) {
                    out.print(" [reply cut: " + switch (r.cutReason()) {
                        case StreamEvent.ResponseEnd.MAX_REPLY -> "--max-reply token limit";
                        case StreamEvent.ResponseEnd.CONTEXT_FULL -> "the KV context is full";
                        default -> "the stream was stopped";
                    } + "]");
                }
                out.println();
            }
            case StreamEvent.Overrun o -> {
                closeLine();
                out.println("         ! " + o.count() + " " + o.unit()
                        + (o.kind() == StreamEvent.Overrun.Kind.DROPPED ? " dropped: " : " repaired: ") + o.why());
            }
            case StreamEvent.ContextLimit c -> {
                closeLine();
                out.println("         ~ context full: " + c.policy() + " (" + c.positionsBefore() + " -> " + c.positionsAfter()
                        + " positions)");
            }
            case StreamEvent.End end -> closeLine();
            default -> {
            }
        }
        out.flush();
    }

    static String emotion(int id) {
        return new String[] {"happy", "sad", "angry", "surprise", "normal", "urgent"}[id - 151614];
    }

    /** The closing summary. */
    public synchronized void summary(StreamStats s, String endReason) {
        closeLine();
        out.println();
        out.printf(Locale.ROOT, "summary: %d chunks (%.1f s of audio) decided, %d responses; ended: %s%n",
                s.chunksDecided(), s.audioSeconds(), s.responses(), endReason);
        out.printf(Locale.ROOT, "  decision latency (chunk complete -> decision): p50 %s, p95 %s, max %s%n",
                ms(s.decisionP50Ms()), ms(s.decisionP95Ms()), ms(s.decisionMaxMs()));
        out.printf(Locale.ROOT, "  first-chunk latency after a response (FCL): %s over %d (paper: 392 ms with FIFO)%n",
                ms(s.fclMeanMs()), s.fclCount());
        out.printf(Locale.ROOT, "  stall rate %.1f %%, queue depth max %d (mean %.2f)%n", 100 * s.stallRate(),
                s.queueDepthMax(), s.queueDepthMean());
        out.printf(Locale.ROOT, "  encoder %s per chunk; real-time factor %.3f (encoder %.3f, decoder %.3f)%n",
                ms(s.encoderMsPerChunk()), s.rtf(), s.encoderRtf(), s.decoderRtf());
        out.printf(Locale.ROOT, "  overruns %d samples, non-finite samples %d, unexpected tokens %d, context limits %d, positions %d%n",
                s.droppedSamples(), s.nonFiniteSamples(), s.unexpectedTokens(), s.contextLimits(), s.positions());
        out.flush();
    }

    static String ms(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.1f ms", v);
    }
}
