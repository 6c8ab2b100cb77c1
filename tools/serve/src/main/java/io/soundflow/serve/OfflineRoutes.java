package io.soundflow.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import io.javalin.http.UploadedFile;
import io.soundflow.engine.audio.AudioFormatException;
import io.soundflow.engine.audio.WavReader;
import io.soundflow.engine.audio.WavStream;
import io.soundflow.engine.model.SamplingSettings;
import io.soundflow.tokenizer.ChatTemplate;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code POST /v1/chat/completions} (one {@code input_audio} part, OpenAI's format; {@code stream: true} gives
 * server-sent events) and {@code POST /v1/audio/transcriptions} (multipart WAV), through the offline path of
 * {@code soundflow ask}. Errors are OpenAI's {@code {"error": {message, type, param, code}}} with status 400.
 */
final class OfflineRoutes {
    static final String TRANSCRIBE_PROMPT = "Transcribe the audio.";
    private static final ObjectMapper JSON = new ObjectMapper();
    private final OfflineAnswers answers;
    private final String model;
    private final Semaphore running;
    private final AtomicLong ids = new AtomicLong();

    OfflineRoutes(OfflineAnswers answers, String model, int concurrent) {
        this.answers = answers;
        this.model = model;
        this.running = new Semaphore(concurrent);
    }

    /** A refused request: status and OpenAI error body. */
    static final class HttpError extends RuntimeException {
        final int status;
        final String param;
        final String code;

        HttpError(int status, String code, String param, String message) {
            super(message);
            this.status = status;
            this.code = code;
            this.param = param;
        }
    }

    static void send(Context ctx, HttpError e) {
        ObjectNode b = JSON.createObjectNode();
        ObjectNode err = b.putObject("error");
        err.put("message", e.getMessage());
        err.put("type", e.status >= 500 ? "server_error" : "invalid_request_error");
        if (e.param == null) {
            err.putNull("param");
        } else {
            err.put("param", e.param);
        }
        err.put("code", e.code);
        ctx.status(e.status).contentType("application/json").result(b.toString());
    }

    void chat(Context ctx) throws Exception {
        JsonNode body;
        try {
            body = JSON.readTree(ctx.body());
        } catch (IOException e) {
            throw new HttpError(400, "invalid_json", null, "the body is not valid JSON");
        }
        if (body == null || !body.isObject()) {
            throw new HttpError(400, "invalid_request", null, "the body must be a JSON object");
        }
        JsonNode messages = body.get("messages");
        if (messages == null || !messages.isArray() || messages.isEmpty()) {
            throw new HttpError(400, "invalid_type", "messages", "messages must be a non-empty array");
        }
        String system = ChatTemplate.DEFAULT_SYSTEM_PROMPT;
        StringBuilder prompt = new StringBuilder();
        float[] audio = null;
        int users = 0;
        for (int i = 0; i < messages.size(); i++) {
            JsonNode m = messages.get(i);
            String role = m.path("role").asText("");
            JsonNode content = m.get("content");
            String at = "messages[" + i + "]";
            switch (role) {
                case "system", "developer" -> {
                    if (content == null || !content.isTextual()) {
                        throw new HttpError(400, "invalid_type", at + ".content", "a system message's content must be a string");
                    }
                    system = content.asText();
                }
                case "user" -> {
                    if (++users > 1) {
                        throw new HttpError(400, "unsupported", at, "one user message is served (a clip and a question); "
                                + "multi-turn conversations are not");
                    }
                    if (content != null && content.isTextual()) {
                        prompt.append(content.asText());
                    } else if (content != null && content.isArray()) {
                        for (int j = 0; j < content.size(); j++) {
                            JsonNode part = content.get(j);
                            String p = at + ".content[" + j + "]";
                            switch (part.path("type").asText("")) {
                                case "text" -> {
                                    if (!part.path("text").isTextual()) {
                                        throw new HttpError(400, "invalid_type", p + ".text", "a text part needs \"text\" (a string)");
                                    }
                                    prompt.append(prompt.isEmpty() ? "" : "\n").append(part.get("text").asText());
                                }
                                case "input_audio" -> {
                                    if (audio != null) {
                                        throw new HttpError(400, "unsupported", p, "one input_audio part is served");
                                    }
                                    audio = inputAudio(part.path("input_audio"), p + ".input_audio");
                                }
                                default -> throw new HttpError(400, "invalid_value", p + ".type", "content part type must be "
                                        + "\"text\" or \"input_audio\", got " + SoundflowOptions.kind(part.get("type")));
                            }
                        }
                    } else {
                        throw new HttpError(400, "invalid_type", at + ".content", "a user message's content must be a string or an array of parts");
                    }
                }
                default -> throw new HttpError(400, "invalid_value", at + ".role", "role must be system, developer or user "
                        + "(one clip and a question; multi-turn is not served), got " + SoundflowOptions.kind(m.get("role")));
            }
        }
        if (audio == null) {
            throw new HttpError(400, "missing_audio", "messages", "the user message needs one input_audio part (this model "
                    + "answers about audio)");
        }
        int max = intField(body, "max_completion_tokens", intField(body, "max_tokens", 256));
        SamplingSettings sampling = sampling(body.get("temperature"), "temperature");
        boolean stream = body.path("stream").asBoolean(false);
        if (body.has("stream") && !body.get("stream").isBoolean()) {
            throw new HttpError(400, "invalid_type", "stream", "stream must be a boolean");
        }
        String id = "chatcmpl-" + ids.incrementAndGet();
        long created = System.currentTimeMillis() / 1000;
        float[] clip = audio;
        String question = prompt.toString();
        String sys = system;
        acquire();
        try {
            if (!stream) {
                OfflineAnswers.Answer a = answer(clip, sys, question, max, sampling, piece -> {
                });
                ObjectNode r = JSON.createObjectNode();
                r.put("id", id);
                r.put("object", "chat.completion");
                r.put("created", created);
                r.put("model", model);
                ObjectNode choice = r.putArray("choices").addObject();
                choice.put("index", 0);
                choice.putObject("message").put("role", "assistant").put("content", a.text());
                choice.put("finish_reason", a.stopped() ? "stop" : "length");
                usage(r, a);
                ctx.contentType("application/json").result(r.toString());
                return;
            }
            ctx.contentType("text/event-stream").header("Cache-Control", "no-cache");
            OutputStream out = ctx.outputStream();
            sse(out, chunk(id, created, JSON.createObjectNode().put("role", "assistant").put("content", ""), null));
            OfflineAnswers.Answer a = answer(clip, sys, question, max, sampling, piece ->
                    sse(out, chunk(id, created, JSON.createObjectNode().put("content", piece), null)));
            ObjectNode last = chunk(id, created, JSON.createObjectNode(), a.stopped() ? "stop" : "length");
            usage(last, a);
            sse(out, last);
            out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
        } finally {
            running.release();
        }
    }

    void transcribe(Context ctx) throws Exception {
        if (!ctx.isMultipartFormData()) {
            throw new HttpError(400, "invalid_request", null, "send multipart/form-data with a \"file\" field (WAV)");
        }
        UploadedFile f = ctx.uploadedFile("file");
        if (f == null) {
            throw new HttpError(400, "missing_file", "file", "the \"file\" field (a WAV file) is missing");
        }
        float[] samples;
        try (InputStream in = f.content()) {
            samples = wav(in, f.filename(), "file");
        }
        String prompt = ctx.formParam("prompt");
        String format = ctx.formParam("response_format") == null ? "json" : ctx.formParam("response_format");
        if (!format.equals("json") && !format.equals("text")) {
            throw new HttpError(400, "invalid_value", "response_format", "response_format must be json or text, got " + format);
        }
        SamplingSettings sampling = SamplingSettings.GREEDY;
        String t = ctx.formParam("temperature");
        if (t != null) {
            try {
                sampling = sampling(JSON.getNodeFactory().numberNode(Double.parseDouble(t)), "temperature");
            } catch (NumberFormatException e) {
                throw new HttpError(400, "invalid_type", "temperature", "temperature must be a number, got " + t);
            }
        }
        acquire();
        try {
            OfflineAnswers.Answer a = answer(samples, ChatTemplate.DEFAULT_SYSTEM_PROMPT,
                    prompt == null || prompt.isBlank() ? TRANSCRIBE_PROMPT : prompt, 256, sampling, piece -> {
                    });
            if (format.equals("text")) {
                ctx.contentType("text/plain; charset=utf-8").result(a.text());
            } else {
                ObjectNode r = JSON.createObjectNode();
                r.put("text", a.text());
                ObjectNode u = r.putObject("usage");
                u.put("type", "tokens");
                u.put("input_tokens", a.promptTokens());
                u.put("output_tokens", a.completionTokens());
                u.put("total_tokens", a.promptTokens() + a.completionTokens());
                ctx.contentType("application/json").result(r.toString());
            }
        } finally {
            running.release();
        }
    }

    private void acquire() {
        if (!running.tryAcquire()) {
            throw new HttpError(429, "busy", null, "the server is answering its maximum of offline requests; try again later");
        }
    }

    private OfflineAnswers.Answer answer(float[] samples, String system, String prompt, int max, SamplingSettings s,
                                         java.util.function.Consumer<String> onText) {
        try {
            return answers.answer(samples, system, prompt, max, s, onText);
        } catch (IllegalArgumentException e) {
            throw new HttpError(400, "invalid_request", null, e.getMessage());
        }
    }

    private static float[] inputAudio(JsonNode ia, String at) {
        if (!ia.isObject()) {
            throw new HttpError(400, "invalid_type", at, "input_audio must be an object {data, format}");
        }
        JsonNode format = ia.get("format");
        if (format == null || !format.isTextual() || !format.asText().equals("wav")) {
            throw new HttpError(400, "invalid_value", at + ".format", "input_audio.format must be \"wav\" (the formats "
                    + "served), got " + SoundflowOptions.kind(format));
        }
        JsonNode data = ia.get("data");
        if (data == null || !data.isTextual()) {
            throw new HttpError(400, "invalid_type", at + ".data", "input_audio.data must be a base64 string");
        }
        byte[] b;
        try {
            b = Base64.getDecoder().decode(data.asText());
        } catch (IllegalArgumentException e) {
            throw new HttpError(400, "invalid_base64", at + ".data", "input_audio.data is not valid base64 (" + e.getMessage() + ")");
        }
        return wav(new ByteArrayInputStream(b), "input_audio", at + ".data");
    }

    private static float[] wav(InputStream in, String name, String param) {
        try (WavStream s = WavReader.open(in, name == null ? "file" : name, 16_000)) {
            return s.readAll(30L * 60 * 16_000);
        } catch (AudioFormatException e) {
            throw new HttpError(400, "invalid_audio", param, e.getMessage());
        } catch (IOException e) {
            throw new HttpError(400, "invalid_audio", param, e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    private static int intField(JsonNode body, String f, int def) {
        JsonNode v = body.get(f);
        if (v == null || v.isNull()) {
            return def;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new HttpError(400, "invalid_type", f, f + " must be an integer, got " + SoundflowOptions.kind(v));
        }
        return v.asInt();
    }

    private static SamplingSettings sampling(JsonNode t, String f) {
        if (t == null || t.isNull()) {
            return SamplingSettings.GREEDY;
        }
        if (!t.isNumber() || !Double.isFinite(t.asDouble()) || t.asDouble() < 0 || t.asDouble() > 2) {
            throw new HttpError(400, "invalid_value", f, f + " must be a number from 0 to 2, got " + SoundflowOptions.kind(t));
        }
        return t.asDouble() == 0 ? SamplingSettings.GREEDY : new SamplingSettings((float) t.asDouble(), 0, 1f, 1f, 0);
    }

    private ObjectNode chunk(String id, long created, ObjectNode delta, String finish) {
        ObjectNode c = JSON.createObjectNode();
        c.put("id", id);
        c.put("object", "chat.completion.chunk");
        c.put("created", created);
        c.put("model", model);
        ObjectNode choice = c.putArray("choices").addObject();
        choice.put("index", 0);
        choice.set("delta", delta);
        if (finish == null) {
            choice.putNull("finish_reason");
        } else {
            choice.put("finish_reason", finish);
        }
        return c;
    }

    private static void usage(ObjectNode r, OfflineAnswers.Answer a) {
        ObjectNode u = r.putObject("usage");
        u.put("prompt_tokens", a.promptTokens());
        u.put("completion_tokens", a.completionTokens());
        u.put("total_tokens", a.promptTokens() + a.completionTokens());
    }

    private static void sse(OutputStream out, ObjectNode event) {
        try {
            out.write(("data: " + event + "\n\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // the client went away: generation stops
        }
    }
}
