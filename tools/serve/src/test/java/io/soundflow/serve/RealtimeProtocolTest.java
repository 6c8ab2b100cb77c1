package io.soundflow.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.soundflow.engine.audio.Resampler;
import io.soundflow.engine.audio.StreamingResampler;
import io.soundflow.engine.stream.DrainLayout;
import io.soundflow.engine.stream.FrontEndMode;
import io.soundflow.engine.stream.Session;
import io.soundflow.engine.stream.SessionOptions;
import io.soundflow.engine.stream.StreamEvent;
import io.soundflow.engine.audio.WavReader;
import io.soundflow.engine.model.LoadOptions;
import io.soundflow.engine.stream.StreamingEngine;
import io.soundflow.testing.SharedData;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Realtime protocol end to end: a real WebSocket client ({@code java.net.http.WebSocket}) against the
 * server on a free loopback port, serving {@code ../shared/golden/ai-tiny}. The decisions, margins and reply
 * ids must equal the golden chunk-local trace.
 */
class RealtimeProtocolTest {
    static Path dir;
    static StreamingEngine engine;
    static RealtimeServer server;
    static StreamingEngine slowEngine;   // the same model, each reply step 40 ms: a client can act mid-reply
    static RealtimeServer slowServer;
    static float[] clip;
    static JsonNode golden;

    @BeforeAll
    static void start() throws Exception {
        dir = SharedData.require("golden/ai-tiny");
        engine = StreamingEngine.load(dir.resolve("model"), LoadOptions.defaults());
        server = RealtimeServer.start(engine, ServeConfig.defaults().withPort(0).withModelName("ai-tiny"));
        slowEngine = SlowReplies.engine(engine, dir.resolve("model"), 40);
        slowServer = RealtimeServer.start(slowEngine, ServeConfig.defaults().withPort(0).withModelName("ai-tiny-slow"));
        clip = WavReader.read(dir.resolve("clip-8s.wav")).samples();
        golden = WsClient.JSON.readTree(dir.resolve("trace-chunk-local.json").toFile());
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        if (slowServer != null) {
            slowServer.close();
        }
        if (slowEngine != null) {
            slowEngine.close();
        }
        if (engine != null) {
            engine.close();
        }
    }

    /** PCM16 little-endian of {@code x} (clipped, rounded to nearest). */
    static byte[] pcm16(float[] x) {
        byte[] b = new byte[x.length * 2];
        for (int i = 0; i < x.length; i++) {
            int v = Math.round(Math.max(-1f, Math.min(1f, x[i])) * 32768f);
            v = Math.max(-32768, Math.min(32767, v));
            b[2 * i] = (byte) v;
            b[2 * i + 1] = (byte) (v >> 8);
        }
        return b;
    }

    static ObjectNode obj(String json) throws Exception {
        return (ObjectNode) WsClient.JSON.readTree(json);
    }

    static ObjectNode update(int rate) throws Exception {
        return obj("{\"type\":\"session.update\",\"session\":{\"type\":\"realtime\",\"audio\":{\"input\":{\"format\":"
                + "{\"type\":\"audio/pcm\",\"rate\":" + rate + "}}},\"soundflow\":{\"mode\":\"chunk-local\",\"layout\":\"one-by-one\"}}}");
    }

    static void append(WsClient c, byte[] pcm, int bytesPerMessage) throws Exception {
        for (int off = 0; off < pcm.length; off += bytesPerMessage) {
            int n = Math.min(bytesPerMessage, pcm.length - off);
            ObjectNode m = WsClient.JSON.createObjectNode();
            m.put("type", "input_audio_buffer.append");
            m.put("audio", Base64.getEncoder().encodeToString(java.util.Arrays.copyOfRange(pcm, off, off + n)));
            c.send(m);
        }
    }

    /** What a streamed session reported: decisions, margins, responses. */
    record Run(String decisions, List<Double> margins, Map<Long, int[]> replies, Map<Long, String> status, List<JsonNode> events) {
    }

    static Run collect(List<JsonNode> events) {
        StringBuilder d = new StringBuilder();
        List<Double> margins = new ArrayList<>();
        Map<Long, int[]> replies = new HashMap<>();
        Map<Long, String> status = new HashMap<>();
        Map<String, Long> created = new HashMap<>();
        StringBuilder deltas = new StringBuilder();
        for (JsonNode e : events) {
            switch (e.get("type").asText()) {
                case "soundflow.decision" -> {
                    assertThat(e.get("chunk").asLong()).isEqualTo(d.length());
                    assertThat(e.get("t").asDouble()).isCloseTo((d.length() + 1) * 0.4, within(1e-9));
                    assertThat(e.get("latency_ms").asDouble()).isGreaterThanOrEqualTo(0);
                    d.append(e.get("decision").asText().equals("respond") ? 'R' : 's');
                    margins.add(e.get("margin").isNull() ? Double.NaN : e.get("margin").asDouble());
                }
                case "response.created" -> {
                    created.put(e.at("/response/id").asText(), e.at("/response/metadata/chunk").asLong());
                    deltas.setLength(0);
                }
                case "response.output_text.delta" -> deltas.append(e.get("delta").asText());
                case "response.output_text.done" -> assertThat(e.get("text").asText()).isEqualTo(deltas.toString());
                case "response.done" -> {
                    JsonNode r = e.get("response");
                    long chunk = r.at("/soundflow/chunk").asLong();
                    assertThat(created.get(r.get("id").asText())).as("response.created before response.done").isEqualTo(chunk);
                    JsonNode ids = r.at("/soundflow/reply_ids");
                    int[] v = new int[ids.size()];
                    for (int i = 0; i < v.length; i++) {
                        v[i] = ids.get(i).asInt();
                    }
                    replies.put(chunk, v);
                    status.put(chunk, r.get("status").asText());
                    assertThat(r.at("/output/0/content/0/text").asText()).isEqualTo(deltas.toString());
                    assertThat(r.at("/metadata/emotion").asText()).isNotEmpty();
                }
                default -> {
                }
            }
        }
        return new Run(d.toString(), margins, replies, status, events);
    }

    static void assertGolden(Run r) {
        assertThat(r.decisions()).isEqualTo(golden.get("decisions").asText());
        JsonNode chunks = golden.get("chunks");
        for (int i = 0; i < chunks.size(); i++) {
            double ref = chunks.get(i).get("logit_response_minus_silent").asDouble();
            assertThat(r.margins().get(i)).as("chunk %d margin", i).isCloseTo(ref, within(1e-3 + 1e-4 * Math.abs(ref)));
            JsonNode reply = chunks.get(i).get("reply");
            if (reply.isEmpty()) {
                assertThat(r.replies()).doesNotContainKey((long) i);
            } else {
                int[] want = new int[reply.size()];
                for (int j = 0; j < want.length; j++) {
                    want[j] = reply.get(j).asInt();
                }
                assertThat(r.replies().get((long) i)).as("chunk %d reply ids", i).containsExactly(want);
                assertThat(r.status().get((long) i)).isEqualTo("completed");
            }
        }
    }

    @Test
    void sessionCreatedSaysTurnDetectionNullAndTheDefaults() throws Exception {
        try (WsClient c = WsClient.connect(server.port())) {
            JsonNode s = c.expect("session.created").get("session");
            assertThat(s.at("/audio/input/turn_detection").isNull()).isTrue();
            assertThat(s.at("/audio/input/format/type").asText()).isEqualTo("audio/pcm");
            assertThat(s.at("/audio/input/format/rate").asInt()).isEqualTo(24000);
            assertThat(s.get("model").asText()).isEqualTo("ai-tiny");
            assertThat(s.at("/soundflow/mode").asText()).isEqualTo("windowed");
            assertThat(s.at("/soundflow/decision_bias").asDouble()).isZero();
        }
    }

    @Test
    void goldenChunkLocalTraceAt16kHzThroughBase64Appends() throws Exception {
        try (WsClient c = WsClient.connect(server.port())) {
            c.expect("session.created");
            c.send(update(16000));
            JsonNode s = c.expect("session.updated").get("session");
            assertThat(s.at("/soundflow/mode").asText()).isEqualTo("chunk-local");
            assertThat(s.at("/audio/input/format/rate").asInt()).isEqualTo(16000);
            append(c, pcm16(clip), 3200); // 100 ms a message
            c.send("{\"type\":\"soundflow.input_audio.end\"}");
            Run r = collect(c.until("soundflow.session.ended"));
            assertGolden(r);
            // each response's events come in the protocol's order
            List<String> order = r.events().stream().map(e -> e.get("type").asText())
                    .filter(t -> t.startsWith("response.") && !t.equals("response.output_text.delta")).toList();
            List<String> one = List.of("response.created", "response.output_item.added", "response.content_part.added",
                    "response.output_text.done", "response.content_part.done", "response.output_item.done", "response.done");
            assertThat(order).hasSize(one.size() * r.replies().size());
            for (int i = 0; i < order.size(); i += one.size()) {
                assertThat(order.subList(i, i + one.size())).isEqualTo(one);
            }
            assertThat(r.events().stream().mapToLong(e -> Long.parseLong(e.get("event_id").asText().replaceAll(".*_", ""))).toArray())
                    .as("event ids increase").isSorted();
            assertThat(r.events().getLast().get("reason").asText()).isEqualTo("end_of_audio");
            JsonNode stats = r.events().stream().filter(e -> e.get("type").asText().equals("soundflow.stats")).toList().getLast();
            assertThat(stats.get("chunks_decided").asInt()).isEqualTo(20);
            assertThat(stats.get("dropped_samples").asInt()).isZero();
            assertThat(r.events()).noneMatch(e -> e.get("type").asText().equals("error"));
        }
    }

    /**
     * 24 kHz input (the Realtime default) as binary PCM16 frames. The golden trace is a 16 kHz run and cannot be
     * reproduced from 24 kHz: the clip resampled 16 to 24 kHz and back at the server's edge loses the band above
     * the two anti-aliasing filters' passband (the clip's noise reaches 8 kHz; the round trip differs from the
     * clip by up to 0.07 in amplitude) and the margins of this random model move by up to 2.5 logits, more than
     * the golden 0.29 top-1/top-2 margin. So this test checks what the edge must do: the server's decisions,
     * margins and reply ids at 24 kHz equal, exactly, the engine's on the same PCM16 resampled to 16 kHz by
     * {@link StreamingResampler} (the server adds nothing and loses nothing), and that this differs from the
     * 16 kHz golden trace only where the margins moved.
     */
    @Test
    void at24kHzTheServerEqualsTheEngineOnTheEdgeResampledAudio() throws Exception {
        byte[] pcm = pcm16(Resampler.resample(clip, 16000, 24000));
        Run served;
        try (WsClient c = WsClient.connect(server.port())) {
            c.expect("session.created");
            c.send(update(24000));
            c.expect("session.updated");
            for (int off = 0; off < pcm.length; off += 4800) { // 100 ms binary frames
                c.sendBinary(java.util.Arrays.copyOfRange(pcm, off, Math.min(pcm.length, off + 4800)));
            }
            c.send("{\"type\":\"soundflow.input_audio.end\"}");
            served = collect(c.until("soundflow.session.ended"));
        }
        // the reference: the engine alone on the PCM16 samples through the same edge resampler
        float[] x24 = new float[pcm.length / 2];
        for (int i = 0; i < x24.length; i++) {
            x24[i] = (short) ((pcm[2 * i] & 0xff) | (pcm[2 * i + 1] << 8)) / 32768f;
        }
        StreamingResampler edge = new StreamingResampler(24000, 16000);
        float[] a = edge.process(x24, 0, x24.length);
        float[] b = edge.flush();
        float[] x16 = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, x16, a.length, b.length);
        List<StreamEvent> ref = new java.util.concurrent.CopyOnWriteArrayList<>();
        SessionOptions o = SessionOptions.defaults().withMode(FrontEndMode.CHUNK_LOCAL).withLayout(DrainLayout.ONE_BY_ONE);
        try (Session s = engine.newSession(o, ref::add)) {
            assertThat(s.accept(x16, 0, x16.length)).isEqualTo(x16.length);
            s.finish();
            assertThat(s.await(Duration.ofSeconds(60))).isTrue();
        }
        StringBuilder refDecisions = new StringBuilder();
        List<Double> refMargins = new ArrayList<>();
        for (StreamEvent e : ref) {
            if (e instanceof StreamEvent.Decision d) {
                refDecisions.append(d.respond() ? 'R' : 's');
                refMargins.add(d.margin());
            } else if (e instanceof StreamEvent.ResponseEnd r) {
                assertThat(served.replies().get(r.chunk())).as("chunk %d reply ids", r.chunk()).containsExactly(r.replyIds());
            }
        }
        assertThat(served.decisions()).isEqualTo(refDecisions.toString()).hasSize(20);
        assertThat(served.margins()).isEqualTo(refMargins);
        assertThat(served.replies()).hasSize((int) ref.stream().filter(e -> e instanceof StreamEvent.ResponseEnd).count());
        // where the decisions differ from the 16 kHz golden run, the margin moved across 0
        String g = golden.get("decisions").asText();
        for (int i = 0; i < g.length(); i++) {
            double gm = golden.get("chunks").get(i).get("logit_response_minus_silent").asDouble();
            if (g.charAt(i) != served.decisions().charAt(i)) {
                assertThat(Math.signum(served.margins().get(i))).as("chunk %d", i).isNotEqualTo(Math.signum(gm));
            }
        }
    }

    @Test
    void responseCancelCutsTheReplyAndListeningResumes() throws Exception {
        try (WsClient c = WsClient.connect(slowServer.port())) {
            c.expect("session.created");
            c.send(update(16000));
            c.expect("session.updated");
            append(c, pcm16(clip), 3200);
            c.send("{\"type\":\"soundflow.input_audio.end\"}");
            List<JsonNode> events = new ArrayList<>(c.until("response.created"));
            String resp = events.getLast().at("/response/id").asText();
            c.send("{\"type\":\"response.cancel\",\"response_id\":\"" + resp + "\"}");
            events.addAll(c.until("soundflow.session.ended"));
            JsonNode done = events.stream().filter(e -> e.get("type").asText().equals("response.done")).findFirst().orElseThrow();
            assertThat(done.at("/response/id").asText()).isEqualTo(resp);
            assertThat(done.at("/response/soundflow/cut_reason").asText()).isEqualTo("cancelled");
            assertThat(done.at("/response/status").asText()).isEqualTo("cancelled");
            JsonNode ids = done.at("/response/soundflow/reply_ids");
            assertThat(ids.get(ids.size() - 1).asInt()).isEqualTo(151643);
            long chunk = done.at("/response/soundflow/chunk").asLong();
            int goldenLen = golden.get("chunks").get((int) chunk).get("reply").size();
            assertThat(ids.size()).as("cut before the golden reply's end").isLessThan(goldenLen);
            // listening resumed: every chunk got its decision, no audio was lost, the session ended normally
            assertThat(events.stream().filter(e -> e.get("type").asText().equals("soundflow.decision")).count()).isEqualTo(20);
            JsonNode stats = events.stream().filter(e -> e.get("type").asText().equals("soundflow.stats")).toList().getLast();
            assertThat(stats.get("dropped_samples").asInt()).isZero();
            assertThat(events).noneMatch(e -> e.get("type").asText().equals("error"));
            // nothing to cancel now
            c.send("{\"type\":\"response.cancel\"}");
            assertThat(c.expect("error").at("/error/code").asText()).isEqualTo("response_cancel_not_active");
        }
    }

    @Test
    void aClientThatDisconnectsMidReplyFreesItsSession() throws Exception {
        int before = slowEngine.liveSessions();
        WsClient c = WsClient.connect(slowServer.port());
        c.expect("session.created");
        c.send(update(16000));
        c.expect("session.updated");
        append(c, pcm16(clip), 3200);
        c.until("response.created");
        c.ws.abort(); // no close frame: the TCP connection just goes
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while ((slowEngine.liveSessions() > before || slowServer.sessions() > 0) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(slowEngine.liveSessions()).as("engine sessions").isEqualTo(before);
        assertThat(slowServer.sessions()).as("server sessions").isZero();
        // and the server still serves
        try (WsClient d = WsClient.connect(slowServer.port())) {
            d.expect("session.created");
        }
    }

    @Test
    void healthMetricsAndThePage() throws Exception {
        String base = "http://127.0.0.1:" + server.port();
        HttpResponse<String> h = WsClient.HTTP.send(HttpRequest.newBuilder(URI.create(base + "/health")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(h.statusCode()).isEqualTo(200);
        assertThat(WsClient.JSON.readTree(h.body()).get("status").asText()).isEqualTo("ready");
        // one decision so the counters exist with a value
        try (WsClient c = WsClient.connect(server.port())) {
            c.expect("session.created");
            c.send(update(16000));
            c.expect("session.updated");
            append(c, pcm16(java.util.Arrays.copyOf(clip, 6400)), 12800);
            c.until("soundflow.decision");
            HttpResponse<String> m = WsClient.HTTP.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(m.statusCode()).isEqualTo(200);
            assertThat(m.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
            assertThat(m.body()).contains("soundflow_sessions_active").contains("soundflow_decisions_total{decision=\"silent\"}")
                    .contains("soundflow_decision_latency_ms_bucket").contains("soundflow_rtf_max").contains("soundflow_queue_depth");
            assertThat(m.body()).containsPattern("soundflow_sessions_active(\\{[^}]*\\})? [1-9]");
        }
        HttpResponse<String> page = WsClient.HTTP.send(HttpRequest.newBuilder(URI.create(base + "/")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
        assertThat(page.body()).contains("/app.js").doesNotContainPattern("src=\"(https?:)?//");
        for (String js : new String[] {"/app.js", "/pcm-worklet.js"}) {
            HttpResponse<String> r = WsClient.HTTP.send(HttpRequest.newBuilder(URI.create(base + js)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(js).isEqualTo(200);
            assertThat(r.body()).doesNotContain("import ").doesNotContainPattern("https?://");
        }
    }
}
