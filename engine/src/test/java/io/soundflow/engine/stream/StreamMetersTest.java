package io.soundflow.engine.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A metered session's meters count exactly what its listener saw. */
class StreamMetersTest {
    @Test
    void theMetersCountTheSessionsEvents() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        StreamMeters meters = new StreamMeters(registry);
        List<StreamEvent> events = Collections.synchronizedList(new ArrayList<>());
        float[] x = FakeModel.signal(SessionTest.PATTERN);
        x[10] = Float.NaN;
        try (Session s = FakeModel.engine(new FakeModel(1.2f, 3), 4096)
                .newSession(SessionOptions.defaults().withLayout(DrainLayout.ONE_BY_ONE), meters.metered(events::add))) {
            StreamFeeder.feedAll(s, x, 777);
            assertThat(s.await(Duration.ofSeconds(30))).isTrue();
        }
        long respond = events.stream().filter(e -> e instanceof StreamEvent.Decision d && d.respond()).count();
        long silent = events.stream().filter(e -> e instanceof StreamEvent.Decision d && !d.respond() && !d.forced()).count();
        long tokens = events.stream().filter(StreamEvent.ResponseEnd.class::isInstance)
                .mapToLong(e -> ((StreamEvent.ResponseEnd) e).replyIds().length).sum();
        assertThat(registry.get("soundflow.decisions").tag("decision", "respond").counter().count()).isEqualTo(respond).isEqualTo(3);
        assertThat(registry.get("soundflow.decisions").tag("decision", "silent").counter().count()).isEqualTo(silent);
        assertThat(registry.get("soundflow.responses").counter().count()).isEqualTo(3);
        assertThat(registry.get("soundflow.reply.tokens").counter().count()).isEqualTo(tokens).isPositive();
        assertThat(registry.get("soundflow.decision.latency").summary().count()).isEqualTo(respond + silent);
        assertThat(registry.get("soundflow.overrun.samples").tag("kind", "non_finite").counter().count()).isEqualTo(1);
        assertThat(registry.get("soundflow.sessions.ended").tag("failed", "false").counter().count()).isEqualTo(1);
    }
}
