package io.soundflow.engine.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A flight recording of a session holds one Decision event per decision, its forwards and its overruns. */
class FlightEventsTest {
    @TempDir
    Path tmp;

    @Test
    void aRecordingHoldsTheSessionsDecisionsForwardsAndOverruns() throws Exception {
        FakeModel m = new FakeModel(1.2f, 3);
        List<StreamEvent> events = Collections.synchronizedList(new ArrayList<>());
        Path file = tmp.resolve("rec.jfr");
        float[] x = FakeModel.signal(SessionTest.PATTERN);
        x[100] = Float.NaN;
        try (Recording r = new Recording()) {
            r.enable("io.soundflow.Decision");
            r.enable("io.soundflow.Forward");
            r.enable("io.soundflow.Overrun");
            r.start();
            try (Session s = FakeModel.engine(m, 4096).newSession(SessionOptions.defaults().withLayout(DrainLayout.ONE_BY_ONE), events::add)) {
                StreamFeeder.feedAll(s, x, 777);
                assertThat(s.await(Duration.ofSeconds(30))).isTrue();
            }
            r.stop();
            r.dump(file);
        }
        List<RecordedEvent> rec = RecordingFile.readAllEvents(file);
        List<RecordedEvent> decisions = rec.stream().filter(e -> e.getEventType().getName().equals("io.soundflow.Decision")).toList();
        List<StreamEvent.Decision> want = events.stream().filter(StreamEvent.Decision.class::isInstance).map(StreamEvent.Decision.class::cast).toList();
        assertThat(decisions).hasSameSizeAs(want).hasSize(SessionTest.PATTERN.length);
        assertThat(decisions.stream().map(e -> e.getLong("chunk")).sorted().toList())
                .isEqualTo(want.stream().map(StreamEvent.Decision::chunk).sorted().toList());
        assertThat(decisions.stream().filter(e -> e.getBoolean("respond")).count()).isEqualTo(3);
        assertThat(decisions).allSatisfy(e -> assertThat(e.getDuration("latency")).isPositive());
        long forwards = rec.stream().filter(e -> e.getEventType().getName().equals("io.soundflow.Forward")).count();
        assertThat(forwards).as("one per listening block and per reply token").isGreaterThanOrEqualTo(SessionTest.PATTERN.length + 3);
        List<RecordedEvent> overruns = rec.stream().filter(e -> e.getEventType().getName().equals("io.soundflow.Overrun")).toList();
        assertThat(overruns).hasSize(1);
        assertThat(overruns.get(0).getString("kind")).isEqualTo("non_finite");
        assertThat(overruns.get(0).getLong("count")).isEqualTo(1);
    }
}
