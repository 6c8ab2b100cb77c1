package io.soundflow.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.soundflow.kernels.WeightFormat;
import io.soundflow.tools.demo.SteeredRandomModel;
import io.soundflow.tools.eval.EvalReport;
import io.soundflow.tools.eval.EvalRunner;
import io.soundflow.tools.eval.ProactiveSoundBenchTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code soundflow eval} end to end on the steered random test model (the demo model before the trained one),
 * whose behaviour on its clip is known exactly: it
 * responds "[urgent] Alarm?" on the beep chunks 6, 7 and 14 (decision times 2.8, 3.2 and 6.0 s) and is
 * silent on the 17 quiet chunks.
 */
class EvalCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    static SteeredRandomModel.Fixture demo;
    static Path manifest;

    @BeforeAll
    static void demoAndManifest() throws Exception {
        demo = SteeredRandomModel.load(dir.resolve("demo"));
        Files.createDirectories(dir.resolve("streams"));
        Files.copy(demo.clipFile(), dir.resolve("streams/demo.wav"));
        manifest = dir.resolve("eval.jsonl");
        // beeps: chunks 6-7 (2.4-3.2 s) and 14 (5.6-6.0 s); the second expects another reply; one respond-event the
        // model misses (nothing to hear there); two ignore-events on quiet noise whose windows end before 2.8 and 5.6 s
        Files.writeString(manifest, String.join("\n",
                "{\"audio\": \"streams/demo.wav\", \"duration\": 8.0, \"events\": ["
                        + "{\"class\": \"beep\", \"onset\": 2.4, \"offset\": 3.2, \"expect\": \"respond\", \"emotion\": \"URGENT\", \"reply\": \"Alarm?\"},"
                        + "{\"class\": \"beep\", \"onset\": 5.6, \"offset\": 6.0, \"expect\": \"respond\", \"emotion\": \"URGENT\", \"reply\": \"Fire!\"},"
                        + "{\"class\": \"doorbell\", \"onset\": 0.4, \"offset\": 1.2, \"expect\": \"respond\"},"
                        + "{\"class\": \"noise\", \"onset\": 0.0, \"offset\": 1.6, \"expect\": \"ignore\"},"
                        + "{\"class\": \"noise\", \"onset\": 4.0, \"offset\": 4.8, \"expect\": \"ignore\"}]}") + "\n");
    }

    private static void checkKnownNumbers(JsonNode j) {
        JsonNode t = j.get("totals");
        assertThat(t.get("files").asInt()).isEqualTo(1);
        assertThat(t.get("audio_s").asDouble()).isCloseTo(8.0, within(1e-9));
        assertThat(t.get("decisions").asInt()).isEqualTo(20);
        assertThat(t.get("responses").asInt()).isEqualTo(3);
        assertThat(t.get("rtf").asDouble()).isPositive();
        assertThat(j.get("streams").get(0).get("respond_chunks").toString()).isEqualTo("[6,7,14]");

        JsonNode beep = j.get("classes").get(0);
        assertThat(beep.get("class").asText()).isEqualTo("beep");
        assertThat(beep.get("events").asInt()).isEqualTo(2);
        assertThat(beep.get("accuracy").asDouble()).isEqualTo(1.0);
        assertThat(beep.get("onset_to_decision_p50_s").asDouble()).isCloseTo(0.4, within(1e-9)); // 2.8 - 2.4, 6.0 - 5.6
        assertThat(beep.get("onset_to_decision_p95_s").asDouble()).isCloseTo(0.4, within(1e-9));
        assertThat(beep.get("duplicates").asInt()).isEqualTo(1); // chunk 7 answers the same burst again
        assertThat(beep.get("emotion_accuracy").asDouble()).isEqualTo(1.0);
        assertThat(beep.get("reply_exact_match").asDouble()).isEqualTo(0.5); // "Alarm?" is not "Fire!"

        JsonNode door = j.get("classes").get(1);
        assertThat(door.get("class").asText()).isEqualTo("doorbell");
        assertThat(door.get("accuracy").asDouble()).isZero();
        assertThat(door.get("missed").asInt()).isEqualTo(1);
        assertThat(door.get("onset_to_decision_p50_s").isNull()).isTrue();

        JsonNode noise = j.get("classes").get(2);
        assertThat(noise.get("accuracy").asDouble()).isEqualTo(1.0);
        assertThat(noise.get("false_triggers").asInt()).isZero();
        assertThat(noise.get("false_trigger_hours").asDouble() * 3600).isCloseTo(0.8 + 1.6, within(1e-9)); // [0, 2.4] less [0.4, 2.0]; [4.0, 5.6]

        JsonNode all = j.get("overall");
        assertThat(all.get("events").asInt()).isEqualTo(5);
        assertThat(all.get("accuracy").asDouble()).isCloseTo(0.8, within(1e-12));
        assertThat(all.get("false_triggers").asInt()).isZero();
        // outside [2.4, 4.0], [5.6, 6.8] and [0.4, 2.0]: 8 - 1.6 - 1.2 - 1.6 = 3.6 s
        assertThat(all.get("false_trigger_hours").asDouble() * 3600).isCloseTo(3.6, within(1e-9));
        assertThat(all.get("false_triggers_per_hour").asDouble()).isZero();
    }

    @Test
    void jsonReportHasTheDemoModelsKnownNumbers() throws Exception {
        CliRun r = CliRun.run("eval", "--model", demo.modelDir().toString(), "--manifest", manifest.toString(), "--json");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out().lines().count()).isEqualTo(1);
        checkKnownNumbers(JSON.readTree(r.out()));
    }

    @Test
    void theTableNamesEveryClassAndTheTotals() {
        CliRun r = CliRun.run("eval", "--model", demo.modelDir().toString(), "--manifest", manifest.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("weights as stored").contains("lockstep");
        assertThat(r.out()).containsPattern("beep +2 +100\\.0% +0\\.40 +0\\.40 +1 +0 +- +100\\.0% +50\\.0%");
        assertThat(r.out()).containsPattern("doorbell +1 +0\\.0%");
        assertThat(r.out()).containsPattern("overall +5 +80\\.0%");
        assertThat(r.out()).contains("1 file, 8.0 s of audio").contains("20 decisions, 3 responses");
    }

    /** The same checkpoint in f32 and q8_0 (converted at load) makes the same decisions on the clip (the steering margin is wide). */
    @Test
    void theWeightFormatsOfOneCheckpointCanBeCompared() throws Exception {
        List<EvalReport> reports = new java.util.ArrayList<>();
        for (WeightFormat f : List.of(WeightFormat.F32, WeightFormat.Q8_0)) {
            EvalReport rep = EvalRunner.evaluate(demo.modelDir(), manifest, f, EvalRunner.Settings.defaults());
            checkKnownNumbers(JSON.readTree(rep.toJson().toString()));
            reports.add(rep);
        }
        assertThat(reports.get(1).decisionAgreement(reports.get(0))).isEqualTo(1.0);
        assertThat(reports.get(0).forClass("beep").accuracy()).isEqualTo(1.0);
        CliRun r = CliRun.run("eval", "--model", demo.modelDir().toString(), "--manifest", manifest.toString(), "--quantize", "bf16");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("weights bf16");
    }

    @Test
    void realTimeFeedingGivesTheSameDecisionTimes() throws Exception {
        CliRun r = CliRun.run("eval", "--model", demo.modelDir().toString(), "--manifest", manifest.toString(), "--json", "--realtime");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode j = JSON.readTree(r.out());
        assertThat(j.get("totals").get("rtf").asDouble()).isGreaterThan(0.9); // paced by the clock
        assertThat(j.get("streams").get(0).get("respond_chunks").toString()).isEqualTo("[6,7,14]");
    }

    /**
     * Proactive-Sound-Bench in its format: the demo clip cut into four clips on chunk boundaries (quiet chunks
     * 0-5, beeps 6-7, quiet 8-13, beep 14 and quiet to 19), spliced back with no gap: the stream is the demo
     * clip again, so the decisions are the known ones (a random model says anything on other audio).
     */
    @Test
    void proactiveSoundBenchIsSplicedIntoOneStreamAndScored() throws Exception {
        Path bench = dir.resolve("psb");
        float[] x = demo.clip();
        String[][] clips = {{"q1", "Daily Living Sounds/Daily Affairs/IGNORE", "0", "6"}, {"b1", "Daily Living Sounds/Daily Affairs/RESPOND", "6", "8"},
                {"q2", "Traffic Sounds/Vehicle/IGNORE", "8", "14"}, {"b2", "Traffic Sounds/Vehicle/RESPOND", "14", "20"}};
        StringBuilder lines = new StringBuilder();
        for (String[] c : clips) {
            float[] part = java.util.Arrays.copyOfRange(x, Integer.parseInt(c[2]) * 6400, Integer.parseInt(c[3]) * 6400);
            ProactiveSoundBenchTest.clip(bench, c[1] + "/" + c[0] + ".wav", part, 16000);
            lines.append(ProactiveSoundBenchTest.line(c[0], c[1], "demo " + c[0], c[1].substring(c[1].lastIndexOf('/') + 1))).append('\n');
        }
        Path m = bench.resolve("proactive_reply_benchmark.jsonl");
        Files.writeString(m, lines);
        CliRun r = CliRun.run("eval", "--model", demo.modelDir().toString(), "--psb", m.toString(), "--json", "--gap", "0",
                "--collar", "0");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode j = JSON.readTree(r.out());
        assertThat(j.get("totals").get("files").asInt()).isEqualTo(1);
        assertThat(j.get("totals").get("audio_s").asDouble()).isCloseTo(8.0, within(1e-9));
        assertThat(j.get("totals").get("decisions").asInt()).isEqualTo(20);
        assertThat(j.get("streams").get(0).get("respond_chunks").toString()).isEqualTo("[6,7,14]");
        assertThat(j.get("classes")).extracting(c -> c.get("class").asText()).containsExactly("Daily Affairs", "Vehicle");
        for (JsonNode c : j.get("classes")) {
            assertThat(c.get("respond_events").asInt()).isEqualTo(1);
            assertThat(c.get("ignore_events").asInt()).isEqualTo(1);
            assertThat(c.get("accuracy").asDouble()).as(c.get("class").asText()).isEqualTo(1.0);
            assertThat(c.get("onset_to_decision_p50_s").asDouble()).isCloseTo(0.4, within(1e-9));
        }
        assertThat(j.get("overall").get("events").asInt()).isEqualTo(4);
        assertThat(j.get("overall").get("duplicates").asInt()).isEqualTo(1);
        assertThat(j.get("overall").get("false_triggers").asInt()).isZero();
        assertThat(j.get("overall").get("reply_checked").asInt()).isZero(); // the benchmark's replies are free text

        // the default collar (0.8 s) puts the beeps' decisions at 2.8 and 6.0 s into the quiet clips before them
        CliRun domains = CliRun.run("eval", "--model", demo.modelDir().toString(), "--psb", m.toString(), "--gap", "0",
                "--psb-class", "domain");
        assertThat(domains.code()).as(domains.err()).isZero();
        assertThat(domains.out()).containsPattern("Daily Living Sounds +2 +50\\.0%").containsPattern("Traffic Sounds +2 +50\\.0%")
                .containsPattern("overall +4 +50\\.0%");
    }

    @Test
    void mistakesAreOneLineNamingTheCause() throws Exception {
        Path bad = dir.resolve("bad.jsonl");
        Files.writeString(bad, "{\"audio\": \"streams/demo.wav\", \"events\": []}\n{\"audio\": \"streams/gone.wav\", \"events\": []}\n");
        CliRun r = CliRun.run("eval", "--model", demo.modelDir().toString(), "--manifest", bad.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err().strip()).startsWith("soundflow eval: ").contains("bad.jsonl:2").contains("streams/gone.wav").doesNotContain("\n");

        CliRun noModel = CliRun.run("eval", "--model", dir.resolve("nope").toString(), "--manifest", manifest.toString());
        assertThat(noModel.code()).isEqualTo(1);
        assertThat(noModel.err()).contains("nope").contains("no such model folder");

        CliRun both = CliRun.run("eval", "--model", demo.modelDir().toString(), "--manifest", manifest.toString(), "--gap", "1");
        assertThat(both.code()).isEqualTo(1);
        assertThat(both.err()).contains("--psb only");

        CliRun fmt = CliRun.run("eval", "--model", demo.modelDir().toString(), "--manifest", manifest.toString(), "--quantize", "q2");
        assertThat(fmt.code()).isEqualTo(1);
        assertThat(fmt.err()).contains("--quantize 'q2'").contains("bf16");
    }
}
