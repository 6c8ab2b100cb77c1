package io.soundflow.engine.stream;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Timespan;

/**
 * JDK Flight Recorder events of the streaming runtime (no dependency: {@code jdk.jfr}). Record them with
 * {@code java -XX:StartFlightRecording:filename=rec.jfr ...} (they are enabled by default in a recording)
 * and read them with {@code jfr print --events io.soundflow.Decision rec.jfr} or JDK Mission Control.
 * When no recording runs, each costs one check of a flag.
 */
final class FlightEvents {
    private FlightEvents() {
    }

    @Name("io.soundflow.Decision")
    @Label("Decision")
    @Category({"SoundFlow", "Streaming"})
    @Description("The decision for one 400 ms chunk")
    static final class Decision extends Event {
        @Label("Session")
        int session;
        @Label("Chunk")
        long chunk;
        @Label("Respond")
        boolean respond;
        @Label("Token")
        int token;
        @Label("Forced")
        @Description("A <silent> forced after an intermediate queued chunk (teacher-forced or early-exit layout)")
        boolean forced;
        @Label("Latency")
        @Description("From the chunk's last sample reaching the encoder to the decision")
        @Timespan(Timespan.NANOSECONDS)
        long latency;
    }

    @Name("io.soundflow.Forward")
    @Label("Decoder forward")
    @Category({"SoundFlow", "Streaming"})
    @Description("One decoder forward of a session: a listening block or one reply token")
    static final class Forward extends Event {
        @Label("Session")
        int session;
        @Label("Busy")
        @Timespan(Timespan.NANOSECONDS)
        long busy;
        @Label("Positions")
        @Description("KV cache positions after the forward")
        int positions;
    }

    @Name("io.soundflow.Overrun")
    @Label("Overrun")
    @Category({"SoundFlow", "Streaming"})
    @Description("Samples dropped (the ring was full) or replaced (NaN or infinite), counted")
    static final class Overrun extends Event {
        @Label("Session")
        int session;
        @Label("Kind")
        String kind;
        @Label("Samples")
        long count;
    }

    /** Records {@code e} of session {@code session} when it is a kind with an event and a recording wants it. */
    static void record(int session, StreamEvent e) {
        if (e instanceof StreamEvent.Decision d) {
            Decision ev = new Decision();
            if (ev.shouldCommit()) {
                ev.session = session;
                ev.chunk = d.chunk();
                ev.respond = d.respond();
                ev.token = d.token();
                ev.forced = d.forced();
                ev.latency = Math.round(d.latencyMs() * 1e6);
                ev.commit();
            }
        } else if (e instanceof StreamEvent.Overrun o) {
            Overrun ev = new Overrun();
            if (ev.shouldCommit()) {
                ev.session = session;
                ev.kind = o.kind().wireName();
                ev.count = o.count();
                ev.commit();
            }
        }
    }

    static void forward(int session, long busyNanos, int positions) {
        Forward ev = new Forward();
        if (ev.shouldCommit()) {
            ev.session = session;
            ev.busy = busyNanos;
            ev.positions = positions;
            ev.commit();
        }
    }
}
