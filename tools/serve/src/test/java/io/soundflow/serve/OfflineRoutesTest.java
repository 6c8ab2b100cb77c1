package io.soundflow.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.soundflow.engine.audio.Mel;
import io.soundflow.engine.audio.WavReader;
import io.soundflow.engine.model.AudioInteractionModel;
import io.soundflow.engine.model.Generation;
import io.soundflow.engine.model.LoadOptions;
import io.soundflow.engine.model.OmniThinker;
import io.soundflow.engine.model.Probe;
import io.soundflow.engine.model.SamplingSettings;
import io.soundflow.engine.stream.StreamingEngine;
import io.soundflow.testing.SharedData;
import io.soundflow.tokenizer.ChatTemplate;
import io.soundflow.tokenizer.StreamingDecoder;
import io.soundflow.tokenizer.Tokenizer;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import it.unimi.dsi.fastutil.ints.IntOpenHashSet;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /v1/chat/completions} and {@code POST /v1/audio/transcriptions} on {@code ai-tiny}: the answer over
 * HTTP (plain, streamed as server-sent events, multipart) equals the engine's offline generation on the same
 * clip and prompt, computed here directly from the engine API; malformed requests get OpenAI-shaped 400s.
 */
class OfflineRoutesTest {
    static Path model;
    static StreamingEngine engine;
    static RealtimeServer server;
    static byte[] wav;
    static String base;

    @BeforeAll
    static void start() throws Exception {
        Path dir = SharedData.require("golden/ai-tiny");
        model = dir.resolve("model");
        engine = StreamingEngine.load(model, LoadOptions.defaults());
        server = RealtimeServer.start(engine, ServeConfig.defaults().withPort(0).withModelName("ai-tiny"), model);
        wav = Files.readAllBytes(dir.resolve("clip-8s.wav"));
        base = "http://127.0.0.1:" + server.port();
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

    /** The reference: ask's offline path, step by step on the engine API. */
    static String reference(String prompt, int max) throws Exception {
        OmniThinker t = ((AudioInteractionModel) engine.model()).asThinker();
        Tokenizer tok = Tokenizer.load(model.resolve("tokenizer.json"));
        float[] x = WavReader.read16k(SharedData.require("golden/ai-tiny").resolve("clip-8s.wav")).samples();
        Mel mel = t.mel(x);
        int[] ids = ChatTemplate.encode(tok, List.of(ChatTemplate.Message.system(ChatTemplate.DEFAULT_SYSTEM_PROMPT),
                ChatTemplate.Message.user(new ChatTemplate.Audio(t.audioVectors(mel.frames())), new ChatTemplate.Text(prompt))), true);
        IntArrayList out = new IntArrayList();
        Generation.generate(t, ids, t.encodeAudio(mel.data(), mel.frames(), Probe.NONE), SamplingSettings.GREEDY, max, out::add);
        IntOpenHashSet control = new IntOpenHashSet();
        for (int c = 151601; c <= 151619; c++) {
            control.add(c);
        }
        StreamingDecoder d = tok.newStreamingDecoder(control);
        StringBuilder sb = new StringBuilder();
        out.forEach(id -> sb.append(d.push(id)));
        return sb.append(d.flush()).toString();
    }

    static HttpResponse<String> post(String path, String contentType, byte[] body) throws Exception {
        return WsClient.HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static String chatBody(String question, boolean stream, String audioJson) {
        return "{\"model\":\"ai-tiny\",\"max_tokens\":12,\"stream\":" + stream + ",\"messages\":[{\"role\":\"user\",\"content\":["
                + "{\"type\":\"text\",\"text\":\"" + question + "\"}," + audioJson + "]}]}";
    }

    static String audioPart() {
        return "{\"type\":\"input_audio\",\"input_audio\":{\"data\":\"" + Base64.getEncoder().encodeToString(wav) + "\",\"format\":\"wav\"}}";
    }

    @Test
    void chatCompletionsPlainAndStreamedEqualTheOfflinePath() throws Exception {
        String want = reference("What do you hear?", 12);
        assertThat(want).as("the reference answer has text, so the comparison means something").isNotEmpty();
        HttpResponse<String> r = post("/v1/chat/completions", "application/json",
                chatBody("What do you hear?", false, audioPart()).getBytes(StandardCharsets.UTF_8));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode b = WsClient.JSON.readTree(r.body());
        assertThat(b.get("object").asText()).isEqualTo("chat.completion");
        assertThat(b.at("/choices/0/message/role").asText()).isEqualTo("assistant");
        assertThat(b.at("/choices/0/message/content").asText()).isEqualTo(want);
        assertThat(b.at("/usage/completion_tokens").asInt()).isBetween(1, 12);
        assertThat(b.at("/choices/0/finish_reason").asText()).isEqualTo(b.at("/usage/completion_tokens").asInt() == 12 ? "length" : "stop");

        HttpResponse<String> s = post("/v1/chat/completions", "application/json",
                chatBody("What do you hear?", true, audioPart()).getBytes(StandardCharsets.UTF_8));
        assertThat(s.statusCode()).isEqualTo(200);
        assertThat(s.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        StringBuilder text = new StringBuilder();
        String finish = null;
        String[] events = s.body().split("\n\n");
        assertThat(events[events.length - 1]).isEqualTo("data: [DONE]");
        for (int i = 0; i < events.length - 1; i++) {
            assertThat(events[i]).startsWith("data: ");
            JsonNode c = WsClient.JSON.readTree(events[i].substring(6));
            assertThat(c.get("object").asText()).isEqualTo("chat.completion.chunk");
            text.append(c.at("/choices/0/delta/content").asText(""));
            if (!c.at("/choices/0/finish_reason").isNull()) {
                finish = c.at("/choices/0/finish_reason").asText();
            }
        }
        assertThat(text.toString()).isEqualTo(want);
        assertThat(finish).isEqualTo(b.at("/choices/0/finish_reason").asText());
    }

    @Test
    void transcriptionsTakeAMultipartWav() throws Exception {
        String boundary = "----soundflow" + System.nanoTime();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\nai-tiny\r\n").getBytes(StandardCharsets.UTF_8));
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"clip.wav\"\r\n"
                + "Content-Type: audio/wav\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        body.writeBytes(wav);
        body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> r = post("/v1/audio/transcriptions", "multipart/form-data; boundary=" + boundary, body.toByteArray());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(WsClient.JSON.readTree(r.body()).get("text").asText()).isEqualTo(reference(OfflineRoutes.TRANSCRIBE_PROMPT, 256));
    }

    @Test
    void malformedRequestsGetOpenAiErrors() throws Exception {
        record Case(String body, String code, String param) {
        }
        List<Case> cases = List.of(
                new Case("{nope", "invalid_json", null),
                new Case("{\"messages\":[]}", "invalid_type", "messages"),
                new Case(chatBody("hi", false, "{\"type\":\"text\",\"text\":\"no audio\"}"), "missing_audio", "messages"),
                new Case(chatBody("hi", false, "{\"type\":\"input_audio\",\"input_audio\":{\"data\":\"AAAA\",\"format\":\"mp3\"}}"),
                        "invalid_value", "messages[0].content[1].input_audio.format"),
                new Case(chatBody("hi", false, "{\"type\":\"input_audio\",\"input_audio\":{\"data\":\"@@@\",\"format\":\"wav\"}}"),
                        "invalid_base64", "messages[0].content[1].input_audio.data"),
                new Case(chatBody("hi", false, "{\"type\":\"input_audio\",\"input_audio\":{\"data\":\"AAAAAAAA\",\"format\":\"wav\"}}"),
                        "invalid_audio", "messages[0].content[1].input_audio.data"),
                new Case(chatBody("hi", false, "{\"type\":\"image_url\"}"), "invalid_value", "messages[0].content[1].type"),
                new Case("{\"max_tokens\":\"many\",\"messages\":[{\"role\":\"user\",\"content\":[" + audioPart() + "]}]}",
                        "invalid_type", "max_tokens"));
        for (Case c : cases) {
            HttpResponse<String> r = post("/v1/chat/completions", "application/json", c.body().getBytes(StandardCharsets.UTF_8));
            assertThat(r.statusCode()).as(c.body()).isEqualTo(400);
            JsonNode e = WsClient.JSON.readTree(r.body()).get("error");
            assertThat(e.get("code").asText()).as(c.body()).isEqualTo(c.code());
            assertThat(e.get("type").asText()).isEqualTo("invalid_request_error");
            assertThat(e.get("message").asText()).isNotBlank();
            if (c.param() != null) {
                assertThat(e.get("param").asText()).isEqualTo(c.param());
            }
        }
        HttpResponse<String> t = post("/v1/audio/transcriptions", "application/json", "{}".getBytes(StandardCharsets.UTF_8));
        assertThat(t.statusCode()).isEqualTo(400);
    }
}
