package io.soundflow.tools.eval;

import java.util.Objects;

/**
 * One labelled event of an evaluation stream: seconds from the start of its stream.
 *
 * @param cls     the event's class ("doorbell", "speech", ...): the report's rows
 * @param onset   start, seconds
 * @param offset  end, seconds ({@code >= onset})
 * @param respond true when the model should respond to it, false when it should stay silent through it
 * @param emotion the expected emotion tag ("NORMAL", "URGENT", ...; compared ignoring case), or null when not checked
 * @param reply   the expected reply text (compared exactly, surrounding white space aside), or null when not checked
 */
public record LabeledEvent(String cls, double onset, double offset, boolean respond, String emotion, String reply) {
    public LabeledEvent {
        Objects.requireNonNull(cls, "class");
        if (!(Double.isFinite(onset) && Double.isFinite(offset) && onset >= 0 && offset >= onset)) {
            throw new IllegalArgumentException("an event needs 0 <= onset <= offset, got onset " + onset + ", offset " + offset);
        }
    }

    /** A respond-event with no expected emotion or reply. */
    public static LabeledEvent respond(String cls, double onset, double offset) {
        return new LabeledEvent(cls, onset, offset, true, null, null);
    }

    /** An ignore-event. */
    public static LabeledEvent ignore(String cls, double onset, double offset) {
        return new LabeledEvent(cls, onset, offset, false, null, null);
    }
}
