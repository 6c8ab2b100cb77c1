package io.soundflow.tools;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.soundflow.engine.audio.WavWriter;
import io.soundflow.testing.SharedData;
import io.soundflow.tools.demo.Demo;
import io.soundflow.tools.demo.DemoExpectations;
import io.soundflow.tools.eval.LabeledEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code soundflow stream} and {@code soundflow demo} through the real command line. */
class StreamCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void refExactTraceFromTheCliMatchesTheGoldenTrace() throws Exception {
        Path ai = SharedData.require("golden/ai-tiny");
        Path out = dir.resolve("trace.json");
        CliRun r = CliRun.run("stream", "--model", ai.resolve("model").toString(), "--wav",
                ai.resolve("clip-8s.wav").toString(), "--mode", "ref-exact", "--layout", "one-by-one", "--trace", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode got = JSON.readTree(out.toFile());
        JsonNode want = JSON.readTree(ai.resolve("trace-ref-exact.json").toFile());
        assertThat(got.get("decisions").asText()).isEqualTo(want.get("decisions").asText());
        assertThat(got.get("fed_tokens")).isEqualTo(want.get("fed_tokens"));
        assertThat(got.get("prefix_ids")).isEqualTo(want.get("prefix_ids"));
        for (int i = 0; i < want.get("chunks").size(); i++) {
            assertThat(got.get("chunks").get(i).get("reply")).isEqualTo(want.get("chunks").get(i).get("reply"));
        }
        assertThat(r.out()).contains("respond [urgent]").contains("summary: 20 chunks").contains("trace written to");
    }

    /** Default layout (teacher-forced) with the default lockstep file feed: the released loop's trace, as JSON. */
    @Test
    void jsonPrintsOneEventPerLine() throws Exception {
        Path ai = SharedData.require("golden/ai-tiny");
        Path out = dir.resolve("trace.json");
        CliRun r = CliRun.run("stream", "--model", ai.resolve("model").toString(), "--wav",
                ai.resolve("clip-8s.wav").toString(), "--mode", "chunk-local", "--json", "--trace", out.toString());
        JsonNode want = JSON.readTree(ai.resolve("trace-chunk-local.json").toFile());
        assertThat(JSON.readTree(out.toFile()).get("fed_tokens")).isEqualTo(want.get("fed_tokens"));
        assertThat(r.code()).as(r.err()).isZero();
        List<JsonNode> events = r.out().lines().map(l -> {
            try {
                return JSON.readTree(l);
            } catch (Exception e) {
                throw new AssertionError("not one JSON object per line: " + l, e);
            }
        }).toList();
        StringBuilder decisions = new StringBuilder();
        for (JsonNode e : events) {
            if (e.get("event").asText().equals("decision")) {
                decisions.append(e.get("decision").asText().equals("respond") ? 'R' : 's');
            }
        }
        assertThat(decisions.toString()).isEqualTo("sssssssssssRRsssssss"); // trace-chunk-local.json
        assertThat(events.get(events.size() - 1).get("event").asText()).isEqualTo("end");
        assertThat(events).anyMatch(e -> e.get("event").asText().equals("stats") && e.get("chunks_decided").asInt() == 20);
        assertThat(events).anyMatch(e -> e.get("event").asText().equals("response_end") && e.get("emotion").asText().equals("urgent"));
    }

    @Test
    void badInputsGiveOneClearLineAndExitOne() throws Exception {
        Path ai = SharedData.require("golden/ai-tiny");
        String model = ai.resolve("model").toString();
        Path good = dir.resolve("good.wav");
        WavWriter.writePcm16(good, new float[16000], 16000);
        byte[] bytes = Files.readAllBytes(good);
        Path truncated = dir.resolve("truncated.wav");
        Files.write(truncated, Arrays.copyOf(bytes, 30));
        Path text = dir.resolve("notes.wav");
        Files.writeString(text, "this is not audio at all, just some text in a file");

        expectError(CliRun.run("stream", "--model", dir.resolve("missing").toString(), "--wav", good.toString()), "missing");
        expectError(CliRun.run("stream", "--model", model, "--wav", truncated.toString()), "truncated.wav");
        expectError(CliRun.run("stream", "--model", model, "--wav", text.toString()), "notes.wav");
        expectError(CliRun.run("stream", "--model", model, "--wav", dir.resolve("none.wav").toString()), "none.wav");
        expectError(CliRun.run("stream", "--model", model, "--wav", good.toString(), "--layout", "sideways"), "sideways");
    }

    /** f16 keys and values leave ai-tiny's ref-exact trace unchanged (observed: the logits move by about 1e-4). */
    @Test
    void aFloat16KvCacheGivesTheGoldenTrace() throws Exception {
        Path ai = SharedData.require("golden/ai-tiny");
        Path out = dir.resolve("trace-f16.json");
        CliRun r = CliRun.run("stream", "--model", ai.resolve("model").toString(), "--wav", ai.resolve("clip-8s.wav").toString(),
                "--mode", "ref-exact", "--layout", "one-by-one", "--kv-dtype", "f16", "--trace", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode got = JSON.readTree(out.toFile());
        JsonNode want = JSON.readTree(ai.resolve("trace-ref-exact.json").toFile());
        assertThat(got.get("decisions").asText()).isEqualTo(want.get("decisions").asText());
        assertThat(got.get("fed_tokens")).isEqualTo(want.get("fed_tokens"));
    }

    /**
     * The probe's C4: block_size 60000000 was an OutOfMemoryError stack trace in newSession. Such a value is
     * now refused by the config check; the largest allowed one (2^24, 8.6 GB of f32 cache on ai-tiny) is
     * refused in one line by the real command line in a JVM with a 1 GB heap.
     */
    @Test
    void aKvCacheThatCannotFitIsOneLineSayingWhatItNeeds() throws Exception {
        Path ai = SharedData.require("golden/ai-tiny");
        int block = 1 << 24;
        Path model = dir.resolve("m16m");
        try (var files = Files.walk(ai.resolve("model"))) {
            for (Path f : files.toList()) {
                Path to = model.resolve(ai.resolve("model").relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(to);
                } else if (f.getFileName().toString().equals("model_config.yaml")) {
                    Files.writeString(to, Files.readString(f).replaceAll("(?m)^block_size: .*$", "block_size: " + block));
                } else {
                    Files.copy(f, to);
                }
            }
        }
        String wav = ai.resolve("clip-8s.wav").toString();
        CliRun f32 = cli("-Xmx1g", "stream", "--model", model.toString(), "--wav", wav);
        expectError(f32, "KV cache of " + block + " positions needs 8.6 GB at f32");
        CliRun r = cli("-Xmx1g", "stream", "--model", model.toString(), "--wav", wav, "--kv-dtype", "f16");
        expectError(r, " at f16 (2 layers x 2 x 32 x 2 B per position); this JVM can hold at most ");
        assertThat(r.err()).contains("lower --max-positions (or block_size in model_config.yaml").doesNotContain("OutOfMemoryError");
        CliRun fits = CliRun.run("stream", "--model", model.toString(), "--wav", wav, "--max-positions", "4096");
        assertThat(fits.code()).as(fits.err()).isZero();
        assertThat(fits.out()).contains("summary: 20 chunks");
        expectError(CliRun.run("stream", "--model", model.toString(), "--wav", wav, "--kv-dtype", "f8"),
                "KV dtype 'f8' is not f32 or f16");
    }

    /** The real command line in a child JVM with the given heap option. */
    private static CliRun cli(String heap, String... args) throws Exception {
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new java.util.ArrayList<>(List.of(javaBin, heap, "--add-modules=jdk.incubator.vector", "-cp",
                System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).start();
        var err = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getErrorStream().readAllBytes());
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        return new CliRun(p.exitValue(), out, err.get());
    }

    private static void expectError(CliRun r, String names) {
        assertThat(r.code()).isEqualTo(1);
        List<String> lines = r.err().lines().filter(l -> !l.startsWith("WARNING") && !l.contains("SoundFlow kernels")
                && !l.matches("^\\w{3} \\d+, \\d{4} .*")).toList();
        assertThat(lines).as(r.err()).hasSize(1);
        assertThat(lines.get(0)).startsWith("soundflow stream: ").contains(names);
    }

    @Test
    void demoRunsOnAFreshCacheAndAnswersEachRespondEvent() throws Exception {
        CliRun r = CliRun.run("demo", "--fast", "--dir", dir.resolve("cache").toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("TRAINED by tools/demo-model").contains("It knows nothing else");
        Demo demo = Demo.load(dir.resolve("cache"));
        demo.engine().close();
        for (LabeledEvent e : DemoExpectations.respondEvents(demo)) { // the trained replies, word for word
            assertThat(r.out()).contains(DemoExpectations.timelineLine(e));
        }
        assertThat(r.out()).containsPattern("\\d\\.\\ds  \\.+"); // silent chunks
        assertThat(r.out()).contains(String.format(java.util.Locale.ROOT, "summary: %d chunks (%.1f s of audio) decided, %d responses",
                DemoExpectations.chunks(demo), demo.clip().length / 16000.0, DemoExpectations.respondEvents(demo).size()));
        assertThat(Files.isRegularFile(dir.resolve("cache/clip.wav"))).isTrue();
        // a second run reuses the written files and gives the same timeline
        CliRun again = CliRun.run("demo", "--fast", "--dir", dir.resolve("cache").toString());
        assertThat(timeline(again.out())).isEqualTo(timeline(r.out()));
    }

    private static List<String> timeline(String out) {
        return out.lines().filter(l -> l.matches("^ +\\d+\\.\\ds  .*")).toList();
    }
}
