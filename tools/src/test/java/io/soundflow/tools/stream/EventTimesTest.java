package io.soundflow.tools.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.soundflow.engine.stream.StreamEvent;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** The timeline and the JSON give a chunk the same time (its end), and JSON times are rounded. */
class EventTimesTest {
    @Test
    void aDecisionHasTheSameTimeInBothAndRoundedFigures() {
        StreamEvent.Decision d = new StreamEvent.Decision(2, true, 151644, false, 12.345678, 3.14159265);
        StringWriter json = new StringWriter(), timeline = new StringWriter();
        new JsonEventPrinter(new PrintWriter(json, true)).onEvent(d);
        new TimelinePrinter(new PrintWriter(timeline, true)).onEvent(d);
        assertThat(json.toString()).contains("\"t\":1.2,").contains("\"latency_ms\":12.35,").contains("\"margin\":3.1416");
        assertThat(timeline.toString()).startsWith("    1.2s  respond");
    }

    @Test
    void aSilentLineStartsAtItsFirstChunksEnd() {
        StringWriter timeline = new StringWriter();
        TimelinePrinter p = new TimelinePrinter(new PrintWriter(timeline, true));
        p.onEvent(new StreamEvent.Decision(0, false, 151605, false, 5.0));
        p.onEvent(new StreamEvent.Decision(1, false, 151605, false, 5.0));
        assertThat(timeline.toString()).startsWith("    0.4s  ..");
    }
}
