package io.soundflow.tools.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.soundflow.tools.CliRun;
import io.soundflow.tools.eval.EvalReport;
import io.soundflow.tools.eval.EvalRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trained demo model in the engine: it makes the PyTorch trainer's own greedy decisions and replies on held-out
 * streams (so the folder the engine loads is the model that was trained and scored), it answers each respond-event
 * of the demo clip once, and its held-out accuracy through {@code eval} stays at the level measured when it was
 * committed (a regression anywhere in the pipeline, mel, kernels, loader or loop, shows here).
 */
class DemoModelTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Decisions are compared where PyTorch's top-1 beats its top-2 by more than this (logits; BF16 weights, float32 compute). */
    static final double MARGIN = 0.05;

    @TempDir
    static Path dir;
    static Demo demo;

    @BeforeAll
    static void load() throws Exception {
        demo = Demo.load(dir.resolve("demo"));
        demo.engine().close();
    }

    static Path repo(String path) {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.exists(d.resolve(path)) && Files.isDirectory(d.resolve("engine"))) {
                return d.resolve(path);
            }
        }
        throw new IllegalStateException(path + " not found above " + Path.of("").toAbsolutePath());
    }

    @Test
    void theEngineMakesTheTrainersDecisionsAndRepliesOnHeldOutStreams() throws Exception {
        JsonNode ref = JSON.readTree(repo("tools/demo-model/model/reference-trace.json").toFile());
        Path subset = repo("tools/demo-model/heldout-subset");
        int compared = 0;
        int responses = 0;
        for (JsonNode s : ref.get("streams")) {
            Path wav = subset.resolve(s.get("audio").asText());
            Path trace = dir.resolve("trace-" + compared + ".json");
            CliRun r = CliRun.run("stream", "--model", demo.modelDir().toString(), "--wav", wav.toString(),
                    "--layout", "one-by-one", "--trace", trace.toString());
            assertThat(r.code()).as(r.err()).isZero();
            JsonNode got = JSON.readTree(trace.toFile());
            JsonNode chunks = got.get("chunks");
            assertThat(chunks.size()).as(wav.toString()).isEqualTo(s.get("chunks").asInt());
            for (JsonNode want : s.get("per_chunk")) {
                int c = want.get("chunk").asInt();
                if (want.get("margin").asDouble() <= MARGIN) {
                    continue;
                }
                JsonNode g = chunks.get(c);
                assertThat(g.get("decision").asInt()).as("%s chunk %d", wav.getFileName(), c).isEqualTo(want.get("decision").asInt());
                if (want.get("reply").size() > 0) {
                    List<Integer> a = new ArrayList<>();
                    g.get("reply").forEach(x -> a.add(x.asInt()));
                    List<Integer> b = new ArrayList<>();
                    want.get("reply").forEach(x -> b.add(x.asInt()));
                    assertThat(a).as("%s chunk %d reply", wav.getFileName(), c).isEqualTo(b);
                    responses++;
                }
                compared++;
            }
        }
        assertThat(compared).isGreaterThan(20);
        assertThat(responses).as("the reference streams hold responses").isPositive();
    }

    /**
     * Measured on the committed subset (16 events in 8 streams) when the model was committed: event accuracy
     * 81.3% (13 of 16: one plain-speech and one music event answered, one "help" missed), onset-to-decision p95
     * 0.78 s, 2 false responses, every reply exact (the model of 2026-12-02 had the same
     * figures but a p95 of 0.75 s). The margins allow two events more or less: decisions near a tie may move
     * with the backend, the thread count or the weight format; a real regression moves many.
     */
    static final double MEASURED_ACCURACY = 13 / 16.0;
    static final double ACCURACY_MARGIN = 2 / 16.0;
    static final int MAX_FALSE_TRIGGERS = 4;

    @Test
    void heldOutSubsetScoresStayAtTheirMeasuredLevel() throws Exception {
        Path manifest = repo("tools/demo-model/heldout-subset/manifest.jsonl");
        for (io.soundflow.kernels.WeightFormat f : new io.soundflow.kernels.WeightFormat[] {null, io.soundflow.kernels.WeightFormat.Q8_0}) {
            EvalReport rep = EvalRunner.evaluate(demo.modelDir(), manifest, f, EvalRunner.Settings.defaults());
            String what = f == null ? "weights as stored" : f.toString();
            assertThat(rep.overall().events()).isEqualTo(16);
            assertThat(rep.overall().accuracy()).as(what).isGreaterThanOrEqualTo(MEASURED_ACCURACY - ACCURACY_MARGIN);
            assertThat(rep.overall().latencyPercentile(0.95)).as(what).isLessThanOrEqualTo(0.8 + 1e-9);
            assertThat(rep.overall().falseTriggers()).as(what).isLessThanOrEqualTo(MAX_FALSE_TRIGGERS);
            assertThat(rep.overall().replyExactMatch()).as(what).isGreaterThanOrEqualTo(0.8);
            assertThat(rep.totals().droppedSamples()).isZero();
        }
    }

    @Test
    void theDemoClipGetsOneFittingReplyPerRespondEvent() throws Exception {
        EvalReport rep = EvalRunner.evaluate(demo.modelDir(), demo.clipManifest(), null, EvalRunner.Settings.defaults());
        DemoExpectations.assertRespondsOncePerEvent(demo, rep.streams().getFirst().respondChunks());
        assertThat(rep.overall().accuracy()).isEqualTo(1.0);
        assertThat(rep.overall().replyExactMatch()).isEqualTo(1.0);
        assertThat(rep.overall().falseTriggersPerHour()).isZero();
    }
}
