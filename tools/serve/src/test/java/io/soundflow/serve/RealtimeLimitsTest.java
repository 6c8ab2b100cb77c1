package io.soundflow.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.soundflow.engine.model.LoadOptions;
import io.soundflow.engine.stream.StreamingEngine;
import io.soundflow.testing.SharedData;
import java.net.http.WebSocketHandshakeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Malformed client messages, the session limit, bearer auth, the Origin allow-list, the idle timeout, the
 * message size limit and graceful shutdown, each against a real server on a free loopback port.
 */
class RealtimeLimitsTest {
    static StreamingEngine engine;
    static RealtimeServer server;

    @BeforeAll
    static void start() throws Exception {
        Path dir = SharedData.require("golden/ai-tiny");
        engine = StreamingEngine.load(dir.resolve("model"), LoadOptions.defaults());
        server = RealtimeServer.start(engine, ServeConfig.defaults().withPort(0).withMaxMessageBytes(64 * 1024));
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        if (engine != null) {
            engine.close();
        }
    }

    /** Sends {@code message}; the next event must be an error with {@code code} whose message contains {@code words}. */
    static JsonNode refused(WsClient c, String message, String code, String... words) throws Exception {
        c.send(message);
        JsonNode e = c.next();
        assertThat(e.get("type").asText()).as("reply to %s: %s", message, e).isEqualTo("error");
        JsonNode err = e.get("error");
        assertThat(err.get("type").asText()).isEqualTo("invalid_request_error");
        assertThat(err.get("code").asText()).as("code for %s", message).isEqualTo(code);
        for (String w : words) {
            assertThat(err.get("message").asText()).as("message for %s", message).contains(w);
        }
        return err;
    }

    @Test
    void everyMalformedMessageGetsAnErrorNamingItAndTheSessionLivesOn() throws Exception {
        try (WsClient c = WsClient.connect(server.port())) {
            c.expect("session.created");
            refused(c, "{not json", "invalid_json", "not valid JSON");
            refused(c, "[1,2]", "invalid_event", "JSON object", "an array");
            refused(c, "{\"event_id\":\"e1\"}", "missing_type", "\"type\"", "nothing");
            assertThat(refused(c, "{\"type\":42,\"event_id\":\"e2\"}", "missing_type", "a number (42)").get("event_id").asText())
                    .as("the client's event_id is echoed").isEqualTo("e2");
            refused(c, "{\"type\":\"session.explode\"}", "unknown_event", "session.explode");
            refused(c, "{\"type\":\"input_audio_buffer.commit\"}", "unsupported_event", "turn_detection is null");
            refused(c, "{\"type\":\"response.create\"}", "unsupported_event", "response.create");
            // wrong field types
            refused(c, "{\"type\":\"input_audio_buffer.append\",\"audio\":12}", "invalid_type", "\"audio\"", "a number (12)");
            refused(c, "{\"type\":\"input_audio_buffer.append\"}", "invalid_type", "\"audio\"", "nothing");
            refused(c, "{\"type\":\"session.update\",\"session\":\"fast\"}", "invalid_type", "\"session\"", "a string");
            assertThat(refused(c, "{\"type\":\"session.update\",\"session\":{\"soundflow\":{\"mode\":3}}}", "invalid_type",
                    "session.soundflow.mode must be a string").get("param").asText()).isEqualTo("session.soundflow.mode");
            refused(c, "{\"type\":\"session.update\",\"session\":{\"soundflow\":{\"layout\":\"sideways\"}}}", "invalid_value",
                    "unknown layout 'sideways'");
            refused(c, "{\"type\":\"session.update\",\"session\":{\"soundflow\":{\"speed\":2}}}", "unknown_parameter",
                    "session.soundflow.speed");
            refused(c, "{\"type\":\"session.update\",\"session\":{\"soundflow\":{\"decision_bias\":\"high\"}}}", "invalid_type",
                    "decision_bias must be a number");
            refused(c, "{\"type\":\"session.update\",\"session\":{\"soundflow\":{\"max_reply\":-1}}}", "invalid_value", "maxReplyTokens");
            refused(c, "{\"type\":\"session.update\",\"session\":{\"soundflow\":{\"mode\":\"ref-exact\"}}}", "invalid_value", "ref-exact");
            refused(c, "{\"type\":\"session.update\",\"session\":{\"audio\":{\"input\":{\"turn_detection\":{\"type\":\"server_vad\"}}}}}",
                    "invalid_value", "turn_detection must be null");
            refused(c, "{\"type\":\"session.update\",\"session\":{\"output_modalities\":[\"audio\"]}}", "invalid_value", "only text");
            // wrong rates and formats
            assertThat(refused(c, "{\"type\":\"session.update\",\"session\":{\"audio\":{\"input\":{\"format\":{\"type\":\"audio/pcm\",\"rate\":44100}}}}}",
                    "invalid_value", "44100 Hz", "24000", "16000").get("param").asText()).isEqualTo("session.audio.input.format.rate");
            refused(c, "{\"type\":\"session.update\",\"session\":{\"audio\":{\"input\":{\"format\":{\"type\":\"audio/pcm\",\"rate\":\"16k\"}}}}}",
                    "invalid_type", "rate must be an integer");
            refused(c, "{\"type\":\"session.update\",\"session\":{\"audio\":{\"input\":{\"format\":{\"type\":\"audio/pcmu\"}}}}}",
                    "invalid_value", "audio/pcm");
            // audio payloads
            refused(c, "{\"type\":\"input_audio_buffer.append\",\"audio\":\"!!!not base64!!!\"}", "invalid_base64", "not valid base64");
            refused(c, "{\"type\":\"input_audio_buffer.append\",\"audio\":\"" + Base64.getEncoder().encodeToString(new byte[3]) + "\"}",
                    "invalid_audio", "3 bytes", "PCM16");
            c.sendBinary(new byte[5]);
            assertThat(c.expect("error").at("/error/code").asText()).isEqualTo("invalid_audio");
            refused(c, "{\"type\":\"response.cancel\"}", "response_cancel_not_active", "no response");
            refused(c, "{\"type\":\"response.cancel\",\"response_id\":7}", "invalid_type", "response_id must be a string");

            // nothing above was applied, and the session lives on: a good update, then audio is decided
            c.send("{\"type\":\"session.update\",\"session\":{\"audio\":{\"input\":{\"format\":{\"type\":\"audio/pcm\",\"rate\":16000}}},"
                    + "\"soundflow\":{\"mode\":\"chunk-local\",\"decision_bias\":-1.5}}}");
            JsonNode s = c.expect("session.updated").get("session");
            assertThat(s.at("/audio/input/format/rate").asInt()).isEqualTo(16000);
            assertThat(s.at("/soundflow/mode").asText()).isEqualTo("chunk-local");
            assertThat(s.at("/soundflow/layout").asText()).isEqualTo("teacher-forced");
            assertThat(s.at("/soundflow/decision_bias").asDouble()).isEqualTo(-1.5);
            c.sendBinary(new byte[6400 * 2]); // one chunk of silence
            JsonNode d = c.expect("soundflow.decision");
            assertThat(d.get("chunk").asInt()).isZero();
            // once audio has started the options are fixed
            refused(c, "{\"type\":\"session.update\",\"session\":{\"soundflow\":{\"layout\":\"one-by-one\"}}}", "session_started", "fixed");
            c.send("{\"type\":\"input_audio_buffer.clear\"}");
            c.expect("input_audio_buffer.cleared");
            c.send("{\"type\":\"soundflow.input_audio.end\"}");
            c.until("soundflow.session.ended");
            refused(c, "{\"type\":\"input_audio_buffer.append\",\"audio\":\"AAAAAA==\"}", "input_ended", "input has ended");
        }
    }

    @Test
    void oneSessionMoreThanTheLimitGetsAnErrorAndCloseCode1013() throws Exception {
        try (RealtimeServer s = RealtimeServer.start(engine, ServeConfig.defaults().withPort(0).withMaxSessions(2))) {
            WsClient a = WsClient.connect(s.port());
            WsClient b = WsClient.connect(s.port());
            a.expect("session.created");
            b.expect("session.created");
            try (WsClient c = WsClient.connect(s.port())) {
                JsonNode e = c.expect("error");
                assertThat(e.at("/error/code").asText()).isEqualTo("max_sessions");
                assertThat(e.at("/error/message").asText()).contains("maximum of 2 sessions");
                assertThat(c.closeCode.get(10, TimeUnit.SECONDS)).isEqualTo(1013);
            }
            assertThat(s.sessions()).isEqualTo(2);
            a.close(); // a slot is freed when a client leaves
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (s.sessions() > 1 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            try (WsClient d = WsClient.connect(s.port())) {
                d.expect("session.created");
            }
            b.close();
        }
    }

    @Test
    void sessionsAreAdmittedOnlyWhileTheKvTheyCouldReachFitsTheBudget() throws Exception {
        KvBudget probe = new KvBudget(engine, Long.MAX_VALUE);
        long full = probe.need(io.soundflow.engine.stream.SessionOptions.defaults());
        assertThat(full).as("32768 positions x 2 layers x 2 x 32 x 4 B").isEqualTo(32768L * 2 * 2 * 32 * 4);
        try (RealtimeServer s = RealtimeServer.start(engine, ServeConfig.defaults().withPort(0).withKvBudgetBytes(full * 5 / 2))) {
            WsClient a = WsClient.connect(s.port());
            WsClient b = WsClient.connect(s.port());
            WsClient c = WsClient.connect(s.port());
            for (WsClient x : List.of(a, b, c)) { // one after the other: the third to start is refused
                x.expect("session.created");
                x.sendBinary(new byte[12000 * 2]); // the engine session starts at the first audio
                if (x != c) {
                    x.until("soundflow.decision");
                }
            }
            JsonNode e = c.expect("error");
            assertThat(e.at("/error/code").asText()).isEqualTo("session_refused");
            assertThat(e.at("/error/message").asText()).contains("KV cache could reach 16.8 MB").contains("max_positions");
            assertThat(c.closeCode.get(10, TimeUnit.SECONDS)).isEqualTo(1013);
            c.close();
            // a session sized to need fits beside the two
            try (WsClient d = WsClient.connect(s.port())) {
                d.expect("session.created");
                d.send("{\"type\":\"session.update\",\"session\":{\"soundflow\":{\"max_positions\":8192}}}");
                d.expect("session.updated");
                d.sendBinary(new byte[12000 * 2]);
                d.until("soundflow.decision");
            }
            // when a session ends its reservation is returned: a full-size one fits again
            a.close();
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (s.sessions() > 1 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            try (WsClient f = WsClient.connect(s.port())) {
                f.expect("session.created");
                f.sendBinary(new byte[12000 * 2]);
                f.until("soundflow.decision");
            }
            b.close();
        }
    }

    static int handshakeStatus(int port, Map<String, String> headers) {
        try {
            WsClient.connect(port, headers).close();
            return 101;
        } catch (CompletionException e) {
            assertThat(e.getCause()).isInstanceOf(WebSocketHandshakeException.class);
            return ((WebSocketHandshakeException) e.getCause()).getResponse().statusCode();
        }
    }

    @Test
    void bearerAuthIsCheckedBeforeTheUpgrade() throws Exception {
        try (RealtimeServer s = RealtimeServer.start(engine, ServeConfig.defaults().withPort(0).withApiKey("sk-test-123"))) {
            assertThat(handshakeStatus(s.port(), Map.of())).isEqualTo(401);
            assertThat(handshakeStatus(s.port(), Map.of("Authorization", "Bearer sk-test-12"))).isEqualTo(401);
            assertThat(handshakeStatus(s.port(), Map.of("Authorization", "sk-test-123"))).isEqualTo(401);
            assertThat(s.sessions()).isZero();
            try (WsClient c = WsClient.connect(s.port(), Map.of("Authorization", "Bearer sk-test-123"))) {
                c.expect("session.created");
            }
            // the browser form: the key as a subprotocol beside "realtime", which the server selects
            WsClient wrong = new WsClient();
            assertThatThrownBy(() -> WsClient.HTTP.newWebSocketBuilder().subprotocols("realtime", "openai-insecure-api-key.sk-test-12")
                    .buildAsync(java.net.URI.create("ws://127.0.0.1:" + s.port() + "/v1/realtime"), wrong).join())
                    .isInstanceOf(CompletionException.class).cause().isInstanceOf(WebSocketHandshakeException.class)
                    .satisfies(e -> assertThat(((WebSocketHandshakeException) e).getResponse().statusCode()).isEqualTo(401));
            WsClient b = new WsClient();
            b.ws = WsClient.HTTP.newWebSocketBuilder().subprotocols("realtime", "openai-insecure-api-key.sk-test-123")
                    .buildAsync(java.net.URI.create("ws://127.0.0.1:" + s.port() + "/v1/realtime"), b).join();
            try (b) {
                assertThat(b.ws.getSubprotocol()).isEqualTo("realtime");
                b.expect("session.created");
            }
        }
        assertThatThrownBy(() -> ServeConfig.defaults().withApiKey(" ")).hasMessageContaining("empty");
    }

    @Test
    void browserOriginsOutsideTheAllowListAreRefused() throws Exception {
        int port = server.port();
        assertThat(handshakeStatus(port, Map.of("Origin", "http://evil.example"))).isEqualTo(403);
        assertThat(handshakeStatus(port, Map.of("Origin", "http://127.0.0.1:" + (port == 1 ? 2 : port - 1)))).isEqualTo(403);
        assertThat(handshakeStatus(port, Map.of("Origin", "http://127.0.0.1:" + port))).as("the server's own page").isEqualTo(101);
        try (RealtimeServer s = RealtimeServer.start(engine, ServeConfig.defaults().withPort(0)
                .withAllowedOrigins(List.of("https://app.example")))) {
            assertThat(handshakeStatus(s.port(), Map.of("Origin", "https://app.example"))).isEqualTo(101);
            assertThat(handshakeStatus(s.port(), Map.of("Origin", "https://other.example"))).isEqualTo(403);
        }
    }

    @Test
    void idleConnectionsAreClosedAndOversizedMessagesCloseWith1009() throws Exception {
        try (RealtimeServer s = RealtimeServer.start(engine, ServeConfig.defaults().withPort(0).withIdleTimeout(Duration.ofMillis(700)))) {
            try (WsClient c = WsClient.connect(s.port())) {
                c.expect("session.created");
                assertThat(c.closeCode.get(10, TimeUnit.SECONDS)).isIn(1001, 1011);
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (s.sessions() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(s.sessions()).isZero();
        }
        try (WsClient c = WsClient.connect(server.port())) {
            c.expect("session.created");
            c.ws.sendText("{\"type\":\"input_audio_buffer.append\",\"audio\":\"" + "A".repeat(100_000) + "\"}", true);
            assertThat(c.closeCode.get(10, TimeUnit.SECONDS)).isEqualTo(1009);
        }
    }

    @Test
    void shutdownSendsTheFinalStatsAndCloseCode1001() throws Exception {
        RealtimeServer s = RealtimeServer.start(engine, ServeConfig.defaults().withPort(0));
        WsClient c = WsClient.connect(s.port());
        c.expect("session.created");
        c.sendBinary(new byte[24000 * 2]); // 1 s at 24 kHz
        c.until("soundflow.decision");
        s.close();
        List<JsonNode> rest = c.until("soundflow.stats");
        assertThat(rest.getLast().get("audio_s").asDouble()).as("the edge holds back under one filter length").isBetween(0.95, 1.0);
        assertThat(c.closeCode.get(10, TimeUnit.SECONDS)).isEqualTo(1001);
        assertThat(c.closeReason.get()).contains("shutting down");
        assertThatThrownBy(() -> WsClient.connect(s.port())).as("no new connection after shutdown").isInstanceOf(CompletionException.class);
        c.close();
    }
}
