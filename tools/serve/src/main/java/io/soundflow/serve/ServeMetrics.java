package io.soundflow.serve;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.soundflow.engine.stream.StreamEvent;
import io.soundflow.engine.stream.StreamStats;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The server's Prometheus metrics (Micrometer): sessions, decisions, responses, the decision latency
 * histogram, the real-time factor and queue depth of the live sessions, overruns, client errors.
 */
final class ServeMetrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final AtomicInteger active = new AtomicInteger();
    private final Map<Object, Live> live = new ConcurrentHashMap<>();
    private final Counter silent;
    private final Counter respond;
    private final Counter responses;
    private final Counter sessions;
    private final DistributionSummary latency;

    /** The last figures a live session reported. */
    private static final class Live {
        volatile double rtf;
        volatile int queue;
    }

    ServeMetrics() {
        Gauge.builder("soundflow_sessions_active", active, AtomicInteger::get)
                .description("WebSocket sessions admitted and open").register(registry);
        Gauge.builder("soundflow_rtf_max", live, m -> m.values().stream().mapToDouble(l -> l.rtf).max().orElse(0))
                .description("largest real-time factor among the live sessions (below 1 keeps up)").register(registry);
        Gauge.builder("soundflow_queue_depth", live, m -> m.values().stream().mapToInt(l -> l.queue).sum())
                .description("chunks queued for the decoder, summed over the live sessions").register(registry);
        sessions = Counter.builder("soundflow_sessions_total").description("WebSocket sessions admitted").register(registry);
        silent = Counter.builder("soundflow_decisions_total").tag("decision", "silent").register(registry);
        respond = Counter.builder("soundflow_decisions_total").tag("decision", "respond").register(registry);
        responses = Counter.builder("soundflow_responses_total").description("replies generated").register(registry);
        latency = DistributionSummary.builder("soundflow_decision_latency_ms").baseUnit("ms")
                .description("chunk complete to its decision")
                .serviceLevelObjectives(25, 50, 100, 200, 400, 800, 1600, 3200).register(registry);
    }

    void admitted(Object conn) {
        active.incrementAndGet();
        sessions.increment();
        live.put(conn, new Live());
    }

    void left(Object conn) {
        if (live.remove(conn) != null) {
            active.decrementAndGet();
        }
    }

    void refused(String reason) {
        registry.counter("soundflow_sessions_refused_total", "reason", reason).increment();
    }

    void clientError(String code) {
        registry.counter("soundflow_client_errors_total", "code", code).increment();
    }

    void event(Object conn, StreamEvent e) {
        switch (e) {
            case StreamEvent.Decision d -> {
                (d.respond() ? respond : silent).increment();
                latency.record(d.latencyMs());
            }
            case StreamEvent.ResponseEnd r -> responses.increment();
            case StreamEvent.Overrun o ->
                    registry.counter("soundflow_overrun_samples_total", "kind", o.kind().wireName()).increment(o.count());
            case StreamEvent.ChunkEncoded c -> {
                Live l = live.get(conn);
                if (l != null) {
                    l.queue = c.queueDepth();
                }
            }
            case StreamEvent.Stats s -> stats(conn, s.stats());
            default -> {
            }
        }
    }

    private void stats(Object conn, StreamStats s) {
        Live l = live.get(conn);
        if (l != null) {
            l.rtf = s.rtf();
        }
    }

    /** The Prometheus text exposition. */
    String scrape() {
        return registry.scrape();
    }
}
