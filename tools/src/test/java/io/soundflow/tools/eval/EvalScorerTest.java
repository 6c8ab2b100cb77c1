package io.soundflow.tools.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.soundflow.tools.eval.StreamResult.Response;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link EvalScorer} on hand-built events and responses: each metric, and each way it can fail. */
class EvalScorerTest {
    private static final double C = EvalScorer.DEFAULT_COLLAR;

    private static EvalReport score(double seconds, List<LabeledEvent> events, Response... responses) {
        return EvalScorer.score(List.of(new StreamResult("s.wav", seconds, events, List.of(responses))), C);
    }

    @Test
    void aResponseInsideTheWindowDetectsTheEventAndItsLatencyIsFromTheOnsetToTheChunkEnd() {
        EvalReport r = score(10, List.of(LabeledEvent.respond("alarm", 2.1, 3.0)), Response.at(5, "urgent", "Alarm!")); // t = 2.4
        EvalReport.Metrics m = r.forClass("alarm");
        assertThat(m.events()).isEqualTo(1);
        assertThat(m.detected()).isEqualTo(1);
        assertThat(m.accuracy()).isEqualTo(1.0);
        assertThat(m.latencyPercentile(0.5)).isCloseTo(0.3, within(1e-9));
        assertThat(m.duplicates()).isZero();
        assertThat(r.overall().falseTriggers()).isZero();
    }

    @Test
    void aResponseBeforeTheOnsetOrAfterTheCollarMissesTheEventAndIsAFalseTrigger() {
        List<LabeledEvent> ev = List.of(LabeledEvent.respond("alarm", 2.0, 3.0)); // window [2.0, 3.8]
        EvalReport early = score(10, ev, Response.at(3, null, null)); // t = 1.6
        assertThat(early.overall().detected()).isZero();
        assertThat(early.overall().accuracy()).isZero();
        assertThat(early.overall().falseTriggers()).isEqualTo(1);
        assertThat(early.overall().latencyPercentile(0.5)).isNaN();

        EvalReport late = score(10, ev, Response.at(9, null, null)); // t = 4.0 > 3.8
        assertThat(late.overall().detected()).isZero();
        assertThat(late.overall().falseTriggers()).isEqualTo(1);

        EvalReport inCollar = score(10, ev, Response.at(8, null, null)); // t = 3.6: after the offset, inside the collar
        assertThat(inCollar.overall().detected()).isEqualTo(1);
        assertThat(inCollar.overall().latencyPercentile(0.95)).isCloseTo(1.6, within(1e-9));
        assertThat(inCollar.overall().falseTriggers()).isZero();

        // the window is (onset, offset + collar]: t = 2.0 at the onset has heard none of the event, t = 4.0 = 3.2 + 0.8 is in
        assertThat(score(10, ev, Response.at(4, null, null)).overall().detected()).isZero();
        assertThat(score(10, ev, Response.at(5, null, null)).overall().detected()).isEqualTo(1);
        assertThat(score(10, List.of(LabeledEvent.respond("alarm", 1.0, 3.2)), Response.at(9, null, null)).overall().detected())
                .isEqualTo(1);
        // collar 0: the same late response misses
        assertThat(EvalScorer.score(List.of(new StreamResult("s", 10, ev, List.of(Response.at(8, null, null)))), 0)
                .overall().detected()).isZero();
    }

    @Test
    void furtherResponsesInsideTheWindowAreDuplicatesNotFalseTriggers() {
        EvalReport r = score(10, List.of(LabeledEvent.respond("alarm", 2.0, 3.0)),
                Response.at(5, null, null), Response.at(6, null, null), Response.at(7, null, null));
        assertThat(r.overall().detected()).isEqualTo(1);
        assertThat(r.overall().duplicates()).isEqualTo(2);
        assertThat(r.overall().falseTriggers()).isZero();
        assertThat(r.overall().latencyPercentile(0.5)).isCloseTo(0.4, within(1e-9)); // the first one counts
    }

    @Test
    void anIgnoreEventIsCorrectOnlyWithoutAResponseInItsWindowAndSuchAResponseIsItsClassesFalseTrigger() {
        List<LabeledEvent> ev = List.of(LabeledEvent.ignore("speech", 20, 30), LabeledEvent.respond("alarm", 50, 51));
        EvalReport quiet = score(100, ev, Response.at(125, null, null)); // t = 50.4
        assertThat(quiet.forClass("speech").accuracy()).isEqualTo(1.0);
        assertThat(quiet.forClass("speech").falseTriggers()).isZero();
        assertThat(quiet.overall().accuracy()).isEqualTo(1.0);

        EvalReport talked = score(100, ev, Response.at(76, null, null), Response.at(125, null, null)); // t = 30.8: in the collar
        EvalReport.Metrics speech = talked.forClass("speech");
        assertThat(speech.accuracy()).isZero();
        assertThat(speech.falseTriggers()).isEqualTo(1);
        assertThat(speech.falseTriggerSeconds()).isCloseTo(10.8, within(1e-9));
        assertThat(speech.falseTriggersPerHour()).isCloseTo(3600 / 10.8, within(1e-6));
        assertThat(talked.forClass("alarm").falseTriggers()).isZero();
        assertThat(talked.forClass("alarm").falseTriggersPerHour()).isNaN(); // a respond-only class has no ignore audio
        assertThat(talked.overall().accuracy()).isEqualTo(0.5);
        assertThat(talked.overall().falseTriggers()).isEqualTo(1);
    }

    @Test
    void falseTriggersPerHourDivideByTheAudioOutsideEveryRespondWindow() {
        // windows [10, 12] and [11, 13.8] overlap: 3.8 s inside, 96.2 s outside
        List<LabeledEvent> ev = List.of(LabeledEvent.respond("a", 10, 11.2), LabeledEvent.respond("b", 11, 13));
        EvalReport r = score(100, ev, Response.at(0, null, null), Response.at(27, null, null), Response.at(200, null, null));
        assertThat(r.overall().falseTriggerSeconds()).isCloseTo(96.2, within(1e-9));
        assertThat(r.overall().falseTriggers()).isEqualTo(2); // t = 0.4 and 80.4; t = 11.2 is inside both windows
        assertThat(r.overall().falseTriggersPerHour()).isCloseTo(2 / (96.2 / 3600), within(1e-6));
        assertThat(r.forClass("a").detected()).isEqualTo(1);
        assertThat(r.forClass("b").detected()).isEqualTo(1);
        // a window past the end of the audio is clipped to it
        EvalReport end = score(10, List.of(LabeledEvent.respond("a", 9.5, 10)));
        assertThat(end.overall().falseTriggerSeconds()).isCloseTo(9.5, within(1e-9));
        assertThat(end.overall().falseTriggersPerHour()).isZero();
    }

    @Test
    void emotionAndReplyAreCheckedOnTheFirstResponseOfADetectedEvent() {
        LabeledEvent door = new LabeledEvent("doorbell", 1.0, 2.0, true, "NORMAL", "Someone is at the door.");
        LabeledEvent door2 = new LabeledEvent("doorbell", 11.0, 12.0, true, "NORMAL", "Someone is at the door.");
        LabeledEvent door3 = new LabeledEvent("doorbell", 21.0, 22.0, true, "NORMAL", "Someone is at the door.");
        LabeledEvent door4 = new LabeledEvent("doorbell", 31.0, 32.0, true, "NORMAL", "Someone is at the door.");
        EvalReport r = score(40, List.of(door, door2, door3, door4),
                Response.at(2, "normal", " Someone is at the door. "),  // both right (case, surrounding space)
                Response.at(3, "urgent", "Wrong."),                       // a duplicate: not checked
                Response.at(27, "urgent", "Someone is at the door."),     // wrong emotion: the reply does not match either
                Response.at(52, "normal", "Someone's at the door."));     // right emotion, other text
        // door4 missed: not in the denominators
        EvalReport.Metrics m = r.forClass("doorbell");
        assertThat(m.detected()).isEqualTo(3);
        assertThat(m.emotionChecked()).isEqualTo(3);
        assertThat(m.emotionCorrect()).isEqualTo(2);
        assertThat(m.emotionAccuracy()).isCloseTo(2 / 3.0, within(1e-12));
        assertThat(m.replyChecked()).isEqualTo(3);
        assertThat(m.replyExact()).isEqualTo(1);
        assertThat(m.duplicates()).isEqualTo(1);
        // a reply that never ended (null text) does not match
        EvalReport cut = score(10, List.of(door), Response.at(2, null, null));
        assertThat(cut.overall().replyExactMatch()).isZero();
        assertThat(cut.overall().emotionAccuracy()).isZero();
        // events without an expected emotion or reply leave the metrics undefined
        assertThat(score(10, List.of(LabeledEvent.respond("a", 1, 2)), Response.at(2, "x", "y")).overall().replyExactMatch()).isNaN();
    }

    @Test
    void percentilesAreNearestRank() {
        List<Double> v = List.of(0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0);
        assertThat(EvalScorer.percentile(v, 0.5)).isEqualTo(0.5);
        assertThat(EvalScorer.percentile(v, 0.95)).isEqualTo(1.0);
        assertThat(EvalScorer.percentile(v, 0.9)).isEqualTo(0.9);
        assertThat(EvalScorer.percentile(List.of(0.4), 0.95)).isEqualTo(0.4);
        assertThat(EvalScorer.percentile(List.of(), 0.5)).isNaN();
        // from the events: latencies 0.4 (x 19) and 2.0 -> p50 0.4, p95 0.4 (19th of 20), max 2.0
        List<LabeledEvent> ev = new java.util.ArrayList<>();
        List<Response> rs = new java.util.ArrayList<>();
        for (int i = 0; i < 20; i++) {
            ev.add(LabeledEvent.respond("a", i * 10.0, i * 10.0 + 3));
            rs.add(Response.at(i * 25L + (i == 19 ? 4 : 0), null, null)); // chunk end - onset = 0.4 (2.0 for the last)
        }
        EvalReport r = EvalScorer.score(List.of(new StreamResult("s", 200, ev, rs)), C);
        assertThat(r.overall().latencyPercentile(0.5)).isCloseTo(0.4, within(1e-9));
        assertThat(r.overall().latencyPercentile(0.95)).isCloseTo(0.4, within(1e-9));
        assertThat(r.overall().latencyPercentile(1.0)).isCloseTo(2.0, within(1e-9));
    }

    @Test
    void classesAndTotalsAddUpOverStreams() {
        StreamResult a = new StreamResult("a.wav", 8, List.of(LabeledEvent.respond("beep", 2.4, 3.2), LabeledEvent.ignore("noise", 0, 1)),
                List.of(Response.at(6, "urgent", "Alarm?")), 20, 0);
        StreamResult b = new StreamResult("b.wav", 4, List.of(LabeledEvent.ignore("noise", 0, 4)),
                List.of(Response.at(3, "urgent", "Alarm?")), 10, 5);
        EvalReport r = EvalScorer.score(List.of(a, b), C);
        assertThat(r.classes()).extracting(EvalReport.Metrics::name).containsExactly("beep", "noise");
        assertThat(r.forClass("noise").events()).isEqualTo(2);
        assertThat(r.forClass("noise").accuracy()).isEqualTo(0.5);
        assertThat(r.forClass("noise").falseTriggerSeconds()).isCloseTo(1.8 + 4, within(1e-9));
        assertThat(r.overall().events()).isEqualTo(3);
        assertThat(r.overall().accuracy()).isCloseTo(2 / 3.0, within(1e-12));
        assertThat(r.totals().files()).isEqualTo(2);
        assertThat(r.totals().audioSeconds()).isEqualTo(12.0);
        assertThat(r.totals().decisions()).isEqualTo(30);
        assertThat(r.totals().responses()).isEqualTo(2);
        assertThat(r.totals().droppedSamples()).isEqualTo(5);
        assertThat(r.totals().wallSeconds()).isNaN();
        assertThat(r.withWallSeconds(3).totals().rtf()).isEqualTo(0.25);
        assertThat(r.streams()).extracting(EvalReport.StreamSummary::respondChunks).containsExactly(List.of(6L), List.of(3L));
    }

    @Test
    void theJsonHasEveryMetricWithNullForTheUndefinedOnes() throws Exception {
        EvalReport r = score(10, List.of(LabeledEvent.respond("beep", 2.0, 3.0), LabeledEvent.ignore("noise", 5, 6)),
                Response.at(5, "urgent", "Alarm?")).withWallSeconds(1);
        JsonNode j = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.toJson().toString());
        assertThat(j.get("collar_s").asDouble()).isEqualTo(C);
        assertThat(j.get("totals").get("files").asInt()).isEqualTo(1);
        assertThat(j.get("totals").get("rtf").asDouble()).isEqualTo(0.1);
        JsonNode beep = j.get("classes").get(0);
        assertThat(beep.get("class").asText()).isEqualTo("beep");
        assertThat(beep.get("accuracy").asDouble()).isEqualTo(1.0);
        assertThat(beep.get("onset_to_decision_p50_s").asDouble()).isCloseTo(0.4, within(1e-9));
        assertThat(beep.get("false_triggers_per_hour").isNull()).isTrue();
        assertThat(beep.get("emotion_accuracy").isNull()).isTrue();
        JsonNode noise = j.get("classes").get(1);
        assertThat(noise.get("onset_to_decision_p95_s").isNull()).isTrue();
        assertThat(noise.get("false_triggers_per_hour").asDouble()).isZero();
        for (String k : List.of("class", "events", "respond_events", "ignore_events", "correct", "accuracy", "detected", "missed",
                "ignored_correctly", "onset_to_decision_p50_s", "onset_to_decision_p95_s", "duplicates", "false_triggers",
                "false_trigger_hours", "false_triggers_per_hour", "emotion_checked", "emotion_accuracy", "reply_checked",
                "reply_exact_match")) {
            assertThat(j.get("overall").has(k)).as(k).isTrue();
        }
        assertThat(j.get("streams").get(0).get("respond_chunks").get(0).asInt()).isEqualTo(5);
        assertThat(r.table()).contains("beep").contains("overall").contains("100.0%").contains("RTF 0.100");
    }

    @Test
    void twoRunsAgreeOnTheChunksWhereBothRespondedOrBothStayedSilent() {
        List<LabeledEvent> ev = List.of(LabeledEvent.respond("a", 1, 2));
        EvalReport a = EvalScorer.score(List.of(new StreamResult("s", 8, ev, List.of(Response.at(3, null, null),
                Response.at(6, null, null)), 20, 0)), C);
        EvalReport b = EvalScorer.score(List.of(new StreamResult("s", 8, ev, List.of(Response.at(3, null, null),
                Response.at(7, null, null)), 20, 0)), C);
        assertThat(a.decisionAgreement(a)).isEqualTo(1.0);
        assertThat(a.decisionAgreement(b)).isCloseTo(18 / 20.0, within(1e-12)); // chunks 6 and 7 differ
        assertThatThrownBy(() -> a.decisionAgreement(EvalScorer.score(List.of(), C))).hasMessageContaining("streams");
    }

    @Test
    void aNegativeCollarIsRefused() {
        assertThatThrownBy(() -> EvalScorer.score(List.of(), -1)).hasMessageContaining("collar");
    }
}
