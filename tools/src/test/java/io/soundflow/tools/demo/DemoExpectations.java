package io.soundflow.tools.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.soundflow.tools.eval.EvalManifest;
import io.soundflow.tools.eval.LabeledEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What the trained demo model must do on its clip, read from the clip's manifest: exactly one response per
 * respond-event, within two chunks of its onset (the decision time, the end of the chunk, in (onset, onset + 0.8]),
 * and none anywhere else. Tests that stream the demo clip through some path (CLI, server page, README example)
 * check their decisions with it.
 */
public final class DemoExpectations {
    /** The window after an onset in which the response must come (two chunks). */
    public static final double WITHIN_S = 0.8;

    private DemoExpectations() {
    }

    public static List<LabeledEvent> events(Demo demo) {
        return EvalManifest.read(demo.clipManifest()).getFirst().events();
    }

    public static List<LabeledEvent> respondEvents(Demo demo) {
        return events(demo).stream().filter(LabeledEvent::respond).toList();
    }

    /** The clip's chunk count (400 ms each). */
    public static int chunks(Demo demo) {
        return (demo.clip().length + 6399) / 6400;
    }

    /** Checks the chunks that responded: one per respond-event, each within {@link #WITHIN_S} of its onset. */
    public static void assertRespondsOncePerEvent(Demo demo, List<? extends Number> respondedChunks) {
        List<LabeledEvent> want = respondEvents(demo);
        assertThat(respondedChunks).as("one response per respond-event of the demo clip %s", want).hasSize(want.size());
        List<Long> sorted = new ArrayList<>();
        respondedChunks.forEach(c -> sorted.add(c.longValue()));
        sorted.sort(null);
        for (int i = 0; i < want.size(); i++) {
            double t = (sorted.get(i) + 1) * 0.4;
            LabeledEvent e = want.get(i);
            assertThat(t).as("response %d (chunk %d) answers %s at %.3f s", i, sorted.get(i), e.cls(), e.onset())
                    .isGreaterThan(e.onset()).isLessThanOrEqualTo(e.onset() + WITHIN_S + 1e-9);
        }
    }

    /** The emotion tag the timeline prints for a respond-event's reply: "[normal]". */
    public static String timelineReply(LabeledEvent e) {
        return "[" + e.emotion().toLowerCase(Locale.ROOT) + "]";
    }

    /** The timeline's line for a respond-event's reply: "respond [normal] Someone is at the door." */
    public static String timelineLine(LabeledEvent e) {
        return "respond " + timelineReply(e) + " " + e.reply();
    }
}
