package io.soundflow.tools.eval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Scores streams' responses against their labelled events (pure: no engine, no clock). A response's time
 * is the end of its chunk (the decision has heard the audio up to there); an event's <b>window</b> is
 * {@code (onset, offset + collar]}: open at the onset, since a decision made at the onset has heard none of
 * the event (so a response at the end of one event does not also fall in the next one, spliced right after it).
 * <ul>
 *   <li>A respond-event is <b>detected</b> (correct) when at least one response falls in its window; its
 *       onset-to-decision latency is the first such response's time minus the onset; further responses in
 *       the window are <b>duplicates</b>. Its emotion (ignoring case) and reply text (exactly, surrounding
 *       white space aside; the expected emotion too, when one is given) are checked on that first response.</li>
 *   <li>An ignore-event is correct when no response falls in its window.</li>
 *   <li>A response outside every respond-event window of its stream is a <b>false trigger</b> (counted in
 *       the overall row once; in a class's row when it falls in the window of one of that class's
 *       ignore-events). False triggers per hour divide by the audio outside every respond-event window
 *       (overall) or inside the class's ignore-event windows and outside every respond-event window (a class).</li>
 *   <li>Percentiles are nearest-rank: the {@code ceil(p * n)}-th smallest value.</li>
 * </ul>
 */
public final class EvalScorer {
    /** The default collar: two chunks (800 ms) after an event's offset still count as inside it. */
    public static final double DEFAULT_COLLAR = 0.8;

    private EvalScorer() {
    }

    /** Scores {@code streams} with the given collar; the report's wall time is NaN ({@link EvalReport#withWallSeconds}). */
    public static EvalReport score(List<StreamResult> streams, double collar) {
        if (!(Double.isFinite(collar) && collar >= 0)) {
            throw new IllegalArgumentException("the collar must be a finite number of seconds >= 0, got " + collar);
        }
        Map<String, Acc> classes = new LinkedHashMap<>();
        Acc overall = new Acc("overall");
        int responses = 0;
        long decisions = 0;
        long dropped = 0;
        double audio = 0;
        List<Double> decisionLatency = new ArrayList<>();
        List<EvalReport.StreamSummary> summaries = new ArrayList<>();
        for (StreamResult s : streams) {
            audio += s.seconds();
            decisions += s.decisions();
            dropped += s.droppedSamples();
            responses += s.responses().size();
            s.responses().forEach(r -> decisionLatency.add(r.latencyMs()));
            summaries.add(new EvalReport.StreamSummary(s.name(), s.seconds(), s.decisions(),
                    s.responses().stream().map(StreamResult.Response::chunk).toList()));
            for (LabeledEvent e : s.events()) {
                classes.computeIfAbsent(e.cls(), Acc::new);
            }
            scoreStream(s, collar, classes, overall);
        }
        List<EvalReport.Metrics> rows = classes.values().stream().map(Acc::metrics).toList();
        return new EvalReport(collar, rows, overall.metrics(),
                new EvalReport.Totals(streams.size(), audio, decisions, responses, Double.NaN, dropped, decisionLatency), summaries);
    }

    private static void scoreStream(StreamResult s, double collar, Map<String, Acc> classes, Acc overall) {
        List<double[]> respondWindows = new ArrayList<>();
        for (LabeledEvent e : s.events()) {
            if (e.respond()) {
                respondWindows.add(window(e, collar));
            }
        }
        List<double[]> respondUnion = union(respondWindows, s.seconds());
        for (LabeledEvent e : s.events()) {
            double[] w = window(e, collar);
            List<StreamResult.Response> in = s.responses().stream().filter(r -> inside(r.time(), w)).toList();
            for (Acc a : List.of(classes.get(e.cls()), overall)) {
                if (e.respond()) {
                    a.respondEvents++;
                    if (!in.isEmpty()) {
                        StreamResult.Response first = in.getFirst();
                        a.detected++;
                        a.latencies.add(first.time() - e.onset());
                        a.duplicates += in.size() - 1;
                        boolean emotionOk = e.emotion() == null || e.emotion().equalsIgnoreCase(first.emotion());
                        if (e.emotion() != null) {
                            a.emotionChecked++;
                            a.emotionCorrect += emotionOk ? 1 : 0;
                        }
                        if (e.reply() != null) {
                            a.replyChecked++;
                            a.replyExact += emotionOk && first.text() != null && e.reply().strip().equals(first.text().strip()) ? 1 : 0;
                        }
                    }
                } else {
                    a.ignoreEvents++;
                    a.ignoredCorrectly += in.isEmpty() ? 1 : 0;
                }
            }
        }
        // false triggers: outside every respond window; per class, inside that class's ignore windows
        Map<String, List<double[]>> ignoreWindows = new LinkedHashMap<>();
        for (LabeledEvent e : s.events()) {
            if (!e.respond()) {
                ignoreWindows.computeIfAbsent(e.cls(), k -> new ArrayList<>()).add(window(e, collar));
            }
        }
        overall.falseTriggerSeconds += Math.max(0, s.seconds() - measure(respondUnion));
        for (var c : ignoreWindows.entrySet()) {
            List<double[]> u = union(c.getValue(), s.seconds());
            classes.get(c.getKey()).falseTriggerSeconds += measure(u) - measure(intersect(u, respondUnion));
        }
        for (StreamResult.Response r : s.responses()) {
            if (respondWindows.stream().anyMatch(w -> inside(r.time(), w))) {
                continue;
            }
            overall.falseTriggers++;
            for (var c : ignoreWindows.entrySet()) {
                if (c.getValue().stream().anyMatch(w -> inside(r.time(), w))) {
                    classes.get(c.getKey()).falseTriggers++;
                }
            }
        }
    }

    private static double[] window(LabeledEvent e, double collar) {
        return new double[] {e.onset(), e.offset() + collar};
    }

    /** Whether {@code t} is in the window (w0, w1] (to 1e-9 s: the times are sums of decimal fractions). */
    private static boolean inside(double t, double[] w) {
        return t > w[0] + EPS && t <= w[1] + EPS;
    }

    private static final double EPS = 1e-9;

    /** The union of closed intervals, clipped to [0, end], as sorted disjoint intervals. */
    static List<double[]> union(List<double[]> intervals, double end) {
        List<double[]> sorted = new ArrayList<>();
        for (double[] w : intervals) {
            double a = Math.max(0, w[0]);
            double b = Math.min(end, w[1]);
            if (b > a) {
                sorted.add(new double[] {a, b});
            }
        }
        sorted.sort((x, y) -> Double.compare(x[0], y[0]));
        List<double[]> out = new ArrayList<>();
        for (double[] w : sorted) {
            if (!out.isEmpty() && w[0] <= out.getLast()[1]) {
                out.getLast()[1] = Math.max(out.getLast()[1], w[1]);
            } else {
                out.add(w.clone());
            }
        }
        return out;
    }

    /** The intersection of two sorted disjoint interval lists. */
    static List<double[]> intersect(List<double[]> a, List<double[]> b) {
        List<double[]> out = new ArrayList<>();
        int i = 0;
        int j = 0;
        while (i < a.size() && j < b.size()) {
            double lo = Math.max(a.get(i)[0], b.get(j)[0]);
            double hi = Math.min(a.get(i)[1], b.get(j)[1]);
            if (hi > lo) {
                out.add(new double[] {lo, hi});
            }
            if (a.get(i)[1] < b.get(j)[1]) {
                i++;
            } else {
                j++;
            }
        }
        return out;
    }

    static double measure(List<double[]> disjoint) {
        double m = 0;
        for (double[] w : disjoint) {
            m += w[1] - w[0];
        }
        return m;
    }

    /** Nearest-rank percentile ({@code p} in (0, 1]) of sorted values; NaN when there are none. */
    public static double percentile(List<Double> sorted, double p) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        if (!(p > 0 && p <= 1)) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "percentile %.3f: give 0 < p <= 1", p));
        }
        int rank = (int) Math.ceil(p * sorted.size());
        return sorted.get(Math.max(1, rank) - 1);
    }

    /** A row being counted. */
    private static final class Acc {
        final String name;
        int respondEvents;
        int ignoreEvents;
        int detected;
        int ignoredCorrectly;
        final List<Double> latencies = new ArrayList<>();
        int duplicates;
        int falseTriggers;
        double falseTriggerSeconds;
        int emotionChecked;
        int emotionCorrect;
        int replyChecked;
        int replyExact;

        Acc(String name) {
            this.name = name;
        }

        EvalReport.Metrics metrics() {
            return new EvalReport.Metrics(name, respondEvents, ignoreEvents, detected, ignoredCorrectly, latencies, duplicates,
                    falseTriggers, falseTriggerSeconds, emotionChecked, emotionCorrect, replyChecked, replyExact);
        }
    }
}
