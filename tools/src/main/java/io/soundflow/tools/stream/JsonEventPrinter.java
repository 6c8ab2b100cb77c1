package io.soundflow.tools.stream;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.soundflow.engine.stream.StreamEvent;
import io.soundflow.engine.stream.StreamListener;
import io.soundflow.engine.stream.StreamStats;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code --json}: one JSON object per line per event; the schema is in the README ("Streaming").
 * Every object has {@code "event"}; {@code chunk_encoded} events are included.
 */
public final class JsonEventPrinter implements StreamListener {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final PrintWriter out;

    public JsonEventPrinter(PrintWriter out) {
        this.out = out;
    }

    @Override
    public synchronized void onEvent(StreamEvent e) {
        Map<String, Object> m = new LinkedHashMap<>();
        switch (e) {
            case StreamEvent.ChunkEncoded c -> {
                m.put("event", "chunk_encoded");
                m.put("chunk", c.chunk());
                m.put("encode_ms", round(c.encodeMs(), 2));
                m.put("queue", c.queueDepth());
            }
            case StreamEvent.Decision d -> {
                m.put("event", "decision");
                m.put("chunk", d.chunk());
                m.put("t", Math.round((d.chunk() + 1) * 4) / 10.0); // the chunk's end, as the timeline prints it
                m.put("decision", d.respond() ? "respond" : "silent");
                m.put("token", d.token());
                m.put("forced", d.forced());
                m.put("latency_ms", round(d.latencyMs(), 2));
                m.put("margin", round(d.margin(), 4));
            }
            case StreamEvent.Token t -> {
                m.put("event", "token");
                m.put("chunk", t.chunk());
                m.put("id", t.id());
                m.put("text", t.text());
            }
            case StreamEvent.ResponseEnd r -> {
                m.put("event", "response_end");
                m.put("chunk", r.chunk());
                m.put("reply", r.replyIds());
                m.put("emotion", r.emotion());
                m.put("text", r.text());
                m.put("cut", r.cut());
                m.put("cut_reason", r.cutReason());
            }
            case StreamEvent.Overrun o -> {
                m.put("event", "overrun");
                m.put("kind", o.kind().wireName());
                m.put("count", o.count());
                m.put("unit", o.unit());
                m.put("why", o.why());
            }
            case StreamEvent.ContextLimit c -> {
                m.put("event", "context_limit");
                m.put("policy", c.policy());
                m.put("positions_before", c.positionsBefore());
                m.put("positions_after", c.positionsAfter());
            }
            case StreamEvent.Stats s -> stats(m, s.stats());
            case StreamEvent.End end -> {
                m.put("event", "end");
                m.put("reason", io.soundflow.tools.CliNames.forCli(end.reason()));
                m.put("failed", end.failed());
            }
        }
        print(m);
    }

    static void stats(Map<String, Object> m, StreamStats s) {
        m.put("event", "stats");
        m.put("chunks_encoded", s.chunksEncoded());
        m.put("chunks_decided", s.chunksDecided());
        m.put("responses", s.responses());
        m.put("audio_s", round(s.audioSeconds(), 3));
        m.put("decision_p50_ms", round(s.decisionP50Ms(), 2));
        m.put("decision_p95_ms", round(s.decisionP95Ms(), 2));
        m.put("decision_max_ms", round(s.decisionMaxMs(), 2));
        m.put("fcl_mean_ms", round(s.fclMeanMs(), 2));
        m.put("fcl_count", s.fclCount());
        m.put("stall_rate", round(s.stallRate(), 4));
        m.put("queue_depth_max", s.queueDepthMax());
        m.put("queue_depth_mean", round(s.queueDepthMean(), 2));
        m.put("encoder_ms_per_chunk", round(s.encoderMsPerChunk(), 2));
        m.put("rtf", round(s.rtf(), 4));
        m.put("encoder_rtf", round(s.encoderRtf(), 4));
        m.put("decoder_rtf", round(s.decoderRtf(), 4));
        m.put("dropped_samples", s.droppedSamples());
        m.put("non_finite_samples", s.nonFiniteSamples());
        m.put("unexpected_tokens", s.unexpectedTokens());
        m.put("context_limits", s.contextLimits());
        m.put("positions", s.positions());
    }

    private static Object num(double v) {
        return Double.isNaN(v) ? null : v;
    }

    /** {@code v} rounded to {@code digits} decimals (milliseconds to 0.01, ratios to 1e-4); null for NaN. */
    static Object round(double v, int digits) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return num(v);
        }
        return java.math.BigDecimal.valueOf(v).setScale(digits, java.math.RoundingMode.HALF_EVEN).stripTrailingZeros().doubleValue();
    }

    private void print(Map<String, Object> m) {
        try {
            out.println(JSON.writeValueAsString(m));
            out.flush();
        } catch (JsonProcessingException ex) {
            throw new UncheckedIOException(ex);
        }
    }
}
