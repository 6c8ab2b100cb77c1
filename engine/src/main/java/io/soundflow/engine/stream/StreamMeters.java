package io.soundflow.engine.stream;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Objects;

/**
 * A session's events as Micrometer meters in the application's registry (Prometheus, JMX, ... whatever it
 * binds): wrap the session's listener with {@link #metered}. Every session metered into one registry adds
 * to the same meters:
 * <ul>
 *   <li>{@code soundflow.decisions} (counter; tag {@code decision}: silent, respond or forced),</li>
 *   <li>{@code soundflow.decision.latency} (summary in ms, with p50/p95/p99),</li>
 *   <li>{@code soundflow.responses} and {@code soundflow.reply.tokens} (counters),</li>
 *   <li>{@code soundflow.overrun.samples} (counter; tag {@code kind}: dropped or non_finite),</li>
 *   <li>{@code soundflow.sessions.ended} (counter; tag {@code failed}: true or false).</li>
 * </ul>
 */
public final class StreamMeters {
    private final Counter silent, respond, forced, responses, tokens, dropped, nonFinite, ended, failed;
    private final DistributionSummary latency;

    /** The meters in {@code registry} (registered once; making another StreamMeters on it reuses them). */
    public StreamMeters(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        silent = decisions(registry, "silent");
        respond = decisions(registry, "respond");
        forced = decisions(registry, "forced");
        responses = Counter.builder("soundflow.responses").description("replies generated").register(registry);
        tokens = Counter.builder("soundflow.reply.tokens").description("reply tokens generated").register(registry);
        dropped = overruns(registry, StreamEvent.Overrun.Kind.DROPPED);
        nonFinite = overruns(registry, StreamEvent.Overrun.Kind.NON_FINITE);
        ended = Counter.builder("soundflow.sessions.ended").tag("failed", "false").register(registry);
        failed = Counter.builder("soundflow.sessions.ended").tag("failed", "true").register(registry);
        latency = DistributionSummary.builder("soundflow.decision.latency").baseUnit("milliseconds")
                .description("a chunk complete to its decision").publishPercentiles(0.5, 0.95, 0.99).register(registry);
    }

    private static Counter decisions(MeterRegistry r, String decision) {
        return Counter.builder("soundflow.decisions").description("decisions, one per 400 ms chunk").tag("decision", decision).register(r);
    }

    private static Counter overruns(MeterRegistry r, StreamEvent.Overrun.Kind kind) {
        return Counter.builder("soundflow.overrun.samples").description("samples dropped or replaced, counted")
                .tag("kind", kind.wireName()).register(r);
    }

    /** {@code next} (nullable), with every event recorded into these meters first. */
    public StreamListener metered(StreamListener next) {
        StreamListener n = next == null ? StreamListener.NONE : next;
        return e -> {
            record(e);
            n.onEvent(e);
        };
    }

    private void record(StreamEvent e) {
        switch (e) {
            case StreamEvent.Decision d -> {
                (d.forced() ? forced : d.respond() ? respond : silent).increment();
                if (!d.forced()) {
                    latency.record(d.latencyMs());
                }
            }
            case StreamEvent.ResponseEnd r -> {
                responses.increment();
                tokens.increment(r.replyIds().length);
            }
            case StreamEvent.Overrun o -> (o.kind() == StreamEvent.Overrun.Kind.DROPPED ? dropped : nonFinite).increment(o.count());
            case StreamEvent.End end -> (end.failed() ? failed : ended).increment();
            default -> {
            }
        }
    }
}
