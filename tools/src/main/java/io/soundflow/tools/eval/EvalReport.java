package io.soundflow.tools.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Locale;

/**
 * The scored evaluation ({@link EvalScorer}): one row per event class, the overall row and the totals; as a
 * human table ({@link #table()}) or one JSON object ({@link #toJson()}, the schema in the README).
 *
 * @param collar  seconds after an event's offset that still count as inside it
 * @param classes one row per class, in order of first appearance
 * @param overall all events together (its false triggers: every response outside every respond-event window)
 * @param totals  the run's totals
 * @param streams per stream: its name, length, decisions and the chunks it responded on (to compare runs)
 */
public record EvalReport(double collar, List<Metrics> classes, Metrics overall, Totals totals, List<StreamSummary> streams) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public EvalReport {
        classes = List.copyOf(classes);
        streams = List.copyOf(streams);
    }

    /**
     * One row of the report.
     *
     * @param name             the class ("overall" for the overall row)
     * @param respondEvents    events the model should respond to
     * @param ignoreEvents     events it should stay silent through
     * @param detected         respond-events with at least one response inside their window
     * @param ignoredCorrectly ignore-events with no response inside their window
     * @param latencies        onset-to-decision seconds of the detected respond-events (first response in the window)
     * @param duplicates       responses inside a respond-event's window after its first
     * @param falseTriggers    responses outside every respond-event window (for a class: those inside its ignore-events' windows)
     * @param falseTriggerSeconds audio over which false triggers are counted (overall: outside every respond-event window;
     *                         for a class: inside its ignore-events' windows and outside every respond-event window)
     * @param emotionChecked   detected respond-events with an expected emotion
     * @param emotionCorrect   ... whose first response had that emotion
     * @param replyChecked     detected respond-events with an expected reply
     * @param replyExact       ... whose first response had exactly that text (and the expected emotion, when one is given)
     */
    public record Metrics(String name, int respondEvents, int ignoreEvents, int detected, int ignoredCorrectly,
                          List<Double> latencies, int duplicates, int falseTriggers, double falseTriggerSeconds,
                          int emotionChecked, int emotionCorrect, int replyChecked, int replyExact) {
        public Metrics {
            latencies = latencies.stream().sorted().toList();
        }

        public int events() {
            return respondEvents + ignoreEvents;
        }

        public int correct() {
            return detected + ignoredCorrectly;
        }

        /** Correct events / events; NaN without events. */
        public double accuracy() {
            return ratio(correct(), events());
        }

        /** Onset-to-decision seconds at percentile {@code p} (nearest rank); NaN when no respond-event was detected. */
        public double latencyPercentile(double p) {
            return EvalScorer.percentile(latencies, p);
        }

        /** False triggers per hour of {@link #falseTriggerSeconds()}; NaN when that is 0. */
        public double falseTriggersPerHour() {
            return falseTriggerSeconds > 0 ? falseTriggers / (falseTriggerSeconds / 3600) : Double.NaN;
        }

        public double emotionAccuracy() {
            return ratio(emotionCorrect, emotionChecked);
        }

        public double replyExactMatch() {
            return ratio(replyExact, replyChecked);
        }

        private static double ratio(int a, int b) {
            return b == 0 ? Double.NaN : (double) a / b;
        }

        ObjectNode toJson() {
            ObjectNode o = JSON.createObjectNode();
            o.put("class", name);
            o.put("events", events());
            o.put("respond_events", respondEvents);
            o.put("ignore_events", ignoreEvents);
            o.put("correct", correct());
            num(o, "accuracy", accuracy());
            o.put("detected", detected);
            o.put("missed", respondEvents - detected);
            o.put("ignored_correctly", ignoredCorrectly);
            num(o, "onset_to_decision_p50_s", latencyPercentile(0.50));
            num(o, "onset_to_decision_p95_s", latencyPercentile(0.95));
            o.put("duplicates", duplicates);
            o.put("false_triggers", falseTriggers);
            num(o, "false_trigger_hours", falseTriggerSeconds / 3600);
            num(o, "false_triggers_per_hour", falseTriggersPerHour());
            o.put("emotion_checked", emotionChecked);
            num(o, "emotion_accuracy", emotionAccuracy());
            o.put("reply_checked", replyChecked);
            num(o, "reply_exact_match", replyExactMatch());
            return o;
        }
    }

    /**
     * The run's totals.
     *
     * @param files          streams evaluated (one per manifest line; one for a spliced Proactive-Sound-Bench stream)
     * @param audioSeconds   audio streamed
     * @param decisions      decisions made
     * @param responses      respond decisions
     * @param wallSeconds    wall time of the streaming (NaN when not measured)
     * @param droppedSamples samples dropped by the sessions (real-time feeding only)
     * @param decisionLatencyMs wall-clock latencies of the respond decisions, chunk complete to decision
     */
    public record Totals(int files, double audioSeconds, long decisions, int responses, double wallSeconds, long droppedSamples,
                         List<Double> decisionLatencyMs) {
        public Totals {
            decisionLatencyMs = decisionLatencyMs.stream().filter(Double::isFinite).sorted().toList();
        }

        /** Wall time / audio time (below 1: faster than real time). */
        public double rtf() {
            return audioSeconds > 0 ? wallSeconds / audioSeconds : Double.NaN;
        }

        ObjectNode toJson() {
            ObjectNode o = JSON.createObjectNode();
            o.put("files", files);
            num(o, "audio_s", audioSeconds);
            num(o, "audio_hours", audioSeconds / 3600);
            o.put("decisions", decisions);
            o.put("responses", responses);
            num(o, "wall_s", wallSeconds);
            num(o, "rtf", rtf());
            o.put("dropped_samples", droppedSamples);
            num(o, "decision_latency_p50_ms", EvalScorer.percentile(decisionLatencyMs, 0.50));
            num(o, "decision_latency_p95_ms", EvalScorer.percentile(decisionLatencyMs, 0.95));
            return o;
        }
    }

    /** One stream's decisions in brief: its name, seconds, decisions made and the chunks it responded on. */
    public record StreamSummary(String name, double seconds, long decisions, List<Long> respondChunks) {
        public StreamSummary {
            respondChunks = List.copyOf(respondChunks);
        }
    }

    /** This report with the wall time of the run. */
    public EvalReport withWallSeconds(double wall) {
        Totals t = totals;
        return new EvalReport(collar, classes, overall,
                new Totals(t.files(), t.audioSeconds(), t.decisions(), t.responses(), wall, t.droppedSamples(), t.decisionLatencyMs()),
                streams);
    }

    /**
     * The fraction of decisions on which this run and {@code other} (the same inputs, e.g. in another weight
     * format) agree: per stream, the chunks decided by both, a chunk disagreeing when one run responded on it
     * and the other did not. NaN when no chunk was decided.
     */
    public double decisionAgreement(EvalReport other) {
        if (other.streams.size() != streams.size()) {
            throw new IllegalArgumentException("the runs have " + streams.size() + " and " + other.streams.size() + " streams");
        }
        long decided = 0;
        long differ = 0;
        for (int i = 0; i < streams.size(); i++) {
            StreamSummary a = streams.get(i);
            StreamSummary b = other.streams.get(i);
            long n = Math.min(a.decisions(), b.decisions());
            java.util.Set<Long> x = new java.util.HashSet<>(a.respondChunks());
            java.util.Set<Long> y = new java.util.HashSet<>(b.respondChunks());
            for (long c : x) {
                differ += c < n && !y.contains(c) ? 1 : 0;
            }
            for (long c : y) {
                differ += c < n && !x.contains(c) ? 1 : 0;
            }
            decided += n;
        }
        return decided == 0 ? Double.NaN : 1 - (double) differ / decided;
    }

    /** The row of class {@code name}, or null. */
    public Metrics forClass(String name) {
        return classes.stream().filter(m -> m.name().equals(name)).findFirst().orElse(null);
    }

    /** The report as one JSON object: {@code collar_s}, {@code totals}, {@code overall}, {@code classes} (an array), {@code streams}. */
    public ObjectNode toJson() {
        ObjectNode o = JSON.createObjectNode();
        o.put("collar_s", collar);
        o.set("totals", totals.toJson());
        o.set("overall", overall.toJson());
        ArrayNode cs = o.putArray("classes");
        classes.forEach(c -> cs.add(c.toJson()));
        ArrayNode ss = o.putArray("streams");
        for (StreamSummary s : streams) {
            ObjectNode n = ss.addObject();
            n.put("name", s.name());
            num(n, "seconds", s.seconds());
            n.put("decisions", s.decisions());
            ArrayNode r = n.putArray("respond_chunks");
            s.respondChunks().forEach(r::add);
        }
        return o;
    }

    /** The report as a human table (one row per class, then overall) and a totals line. */
    public String table() {
        StringBuilder b = new StringBuilder();
        int w = "overall".length();
        for (Metrics m : classes) {
            w = Math.max(w, m.name().length());
        }
        String fmt = "%-" + w + "s %6s %7s %7s %7s %5s %5s %8s %8s %8s%n";
        b.append(String.format(Locale.ROOT, fmt, "class", "events", "acc", "p50 s", "p95 s", "dup", "FT", "FT/h", "emotion", "reply"));
        for (Metrics m : classes) {
            row(b, fmt, m);
        }
        row(b, fmt, overall);
        Totals t = totals;
        b.append(String.format(Locale.ROOT,
                "%d file%s, %.1f s of audio (%.4f h), %d decisions, %d response%s; wall %.1f s, RTF %.3f; "
                        + "decision latency p50 %s ms, p95 %s ms%s; collar %.1f s%n",
                t.files(), t.files() == 1 ? "" : "s", t.audioSeconds(), t.audioSeconds() / 3600, t.decisions(), t.responses(),
                t.responses() == 1 ? "" : "s",
                t.wallSeconds(), t.rtf(), fixed(EvalScorer.percentile(t.decisionLatencyMs(), 0.5), 1),
                fixed(EvalScorer.percentile(t.decisionLatencyMs(), 0.95), 1),
                t.droppedSamples() > 0 ? ", " + t.droppedSamples() + " samples dropped" : "", collar));
        return b.toString();
    }

    private static void row(StringBuilder b, String fmt, Metrics m) {
        b.append(String.format(Locale.ROOT, fmt, m.name(), m.events(), percent(m.accuracy()),
                fixed(m.latencyPercentile(0.5), 2), fixed(m.latencyPercentile(0.95), 2), m.duplicates(), m.falseTriggers(),
                fixed(m.falseTriggersPerHour(), 1), percent(m.emotionAccuracy()), percent(m.replyExactMatch())));
    }

    private static String percent(double x) {
        return Double.isNaN(x) ? "-" : String.format(Locale.ROOT, "%.1f%%", 100 * x);
    }

    private static String fixed(double x, int digits) {
        return Double.isNaN(x) ? "-" : String.format(Locale.ROOT, "%." + digits + "f", x);
    }

    /** A number, or null when it is not defined (NaN). */
    private static void num(ObjectNode o, String key, double x) {
        if (Double.isFinite(x)) {
            o.put(key, x);
        } else {
            o.putNull(key);
        }
    }
}
