package io.soundflow.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.websocket.WsContext;
import io.soundflow.engine.audio.StreamingResampler;
import io.soundflow.engine.stream.Session;
import io.soundflow.engine.stream.SessionOptions;
import io.soundflow.engine.stream.StreamEvent;
import io.soundflow.engine.stream.StreamListener;
import io.soundflow.engine.stream.StreamStats;
import io.soundflow.engine.stream.StreamingEngine;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One {@code /v1/realtime} WebSocket: the OpenAI Realtime client events in, server events out, one engine
 * {@link Session} behind it (started at the first audio, with the options {@code session.update} set by then).
 *
 * <p>Threads: client messages arrive one at a time on the server's (virtual) threads; engine events arrive
 * on the session's decoder and encoder threads. Every outgoing message is sent under {@link #sendLock}, so
 * events keep their order and {@code event_id}s increase. The engine session is never closed while a lock
 * is held (its threads may be waiting to send).
 */
final class RealtimeConnection implements StreamListener {
    static final ObjectMapper JSON = new ObjectMapper();
    static final int ENGINE_RATE = 16_000;

    private final StreamingEngine engine;
    private final ServeConfig config;
    private final ServeMetrics metrics;
    private final KvBudget budget;
    private final WsContext ws;
    private final String id;
    private final ReentrantLock sendLock = new ReentrantLock();
    private final Object audioLock = new Object();
    private long eventSeq;                 // guarded by sendLock
    private volatile boolean open = true;

    // guarded by audioLock: what the client configured and the audio edge
    private int inputRate = 24_000;
    private SessionOptions options = SoundflowOptions.defaults();
    private StreamingResampler resampler;
    private volatile Session session;     // null until the first audio
    private boolean inputEnded;
    private final java.util.concurrent.atomic.AtomicLong reservedBytes = new java.util.concurrent.atomic.AtomicLong(); // KV budget held

    // the reply in progress (written by the decoder thread; read by response.cancel)
    private volatile String responseId;
    private volatile String itemId;
    private int responses;

    RealtimeConnection(StreamingEngine engine, ServeConfig config, ServeMetrics metrics, KvBudget budget, WsContext ws, String id) {
        this.engine = engine;
        this.config = config;
        this.metrics = metrics;
        this.budget = budget;
        this.ws = ws;
        this.id = id;
    }

    String id() {
        return id;
    }

    /** Sends {@code session.created}. */
    void opened() {
        ObjectNode e = event("session.created");
        synchronized (audioLock) {
            e.set("session", sessionJson());
        }
        send(e);
    }

    // ---- client events -------------------------------------------------------------------------------

    void onText(String message) {
        JsonNode msg;
        try {
            msg = JSON.readTree(message);
        } catch (JsonProcessingException e) {
            error("invalid_json", null, null, "the message is not valid JSON: " + e.getOriginalMessage());
            return;
        }
        String clientEventId = msg != null && msg.isObject() && msg.path("event_id").isTextual() ? msg.get("event_id").asText() : null;
        try {
            if (msg == null || !msg.isObject()) {
                throw new ProtocolException("invalid_event", null, "a client event must be a JSON object, got "
                        + SoundflowOptions.kind(msg));
            }
            JsonNode type = msg.get("type");
            if (type == null || !type.isTextual()) {
                throw new ProtocolException("missing_type", "type", "a client event needs \"type\" (a string), got "
                        + SoundflowOptions.kind(type));
            }
            switch (type.asText()) {
                case "session.update" -> sessionUpdate(msg);
                case "input_audio_buffer.append" -> append(msg);
                case "input_audio_buffer.clear" -> clear();
                case "response.cancel" -> cancel(msg);
                case "soundflow.input_audio.end" -> endInput();
                case "input_audio_buffer.commit", "response.create", "conversation.item.create" ->
                        throw new ProtocolException("unsupported_event", "type", type.asText() + " is not supported: the model "
                                + "decides every 400 ms chunk whether to respond (turn_detection is null); stream audio with "
                                + "input_audio_buffer.append");
                default -> throw new ProtocolException("unknown_event", "type", "unknown client event type '" + type.asText()
                        + "' (expected session.update, input_audio_buffer.append, input_audio_buffer.clear, response.cancel "
                        + "or soundflow.input_audio.end)");
            }
        } catch (ProtocolException e) {
            error(e.code(), e.param(), clientEventId, e.getMessage());
        } catch (RuntimeException e) { // a server fault: say so, keep the connection
            System.getLogger(RealtimeConnection.class.getName()).log(System.Logger.Level.WARNING, "session " + id + ": " + e, e);
            error("server_error", null, clientEventId, "the server failed on this event: " + e, "server_error");
        }
    }

    /** A binary frame: raw PCM16 little-endian mono at the session's input rate (a cheaper append). */
    void onBinary(ByteBuffer data) {
        try {
            byte[] b = new byte[data.remaining()];
            data.get(b);
            feed(b, "binary frame");
        } catch (ProtocolException e) {
            error(e.code(), e.param(), null, e.getMessage());
        } catch (RuntimeException e) {
            System.getLogger(RealtimeConnection.class.getName()).log(System.Logger.Level.WARNING, "session " + id + ": " + e, e);
            error("server_error", null, null, "the server failed on this frame: " + e, "server_error");
        }
    }

    private void sessionUpdate(JsonNode msg) {
        JsonNode s = msg.get("session");
        if (s == null || !s.isObject()) {
            throw new ProtocolException("invalid_type", "session", "session.update needs \"session\" (an object), got "
                    + SoundflowOptions.kind(s));
        }
        JsonNode type = s.get("type");
        if (type != null && !(type.isTextual() && type.asText().equals("realtime"))) {
            throw new ProtocolException("invalid_value", "session.type", "session.type must be \"realtime\" (the only "
                    + "session type served), got " + SoundflowOptions.kind(type));
        }
        JsonNode modalities = s.get("output_modalities");
        if (modalities != null) {
            if (!modalities.isArray()) {
                throw new ProtocolException("invalid_type", "session.output_modalities", "session.output_modalities must be "
                        + "an array, got " + SoundflowOptions.kind(modalities));
            }
            for (JsonNode m : modalities) {
                if (!m.isTextual() || !m.asText().equals("text")) {
                    throw new ProtocolException("invalid_value", "session.output_modalities", "only text output is served "
                            + "(the thinker has no speech decoder here), got " + SoundflowOptions.kind(m));
                }
            }
        }
        for (JsonNode td : new JsonNode[] {s.get("turn_detection"), s.path("audio").path("input").get("turn_detection")}) {
            if (td != null && !td.isNull()) {
                throw new ProtocolException("invalid_value", "session.audio.input.turn_detection", "turn_detection must be null: "
                        + "the model decides every 400 ms chunk whether to respond, there is no VAD mode");
            }
        }
        Integer rate = null;
        JsonNode audio = s.get("audio");
        if (audio != null) {
            if (!audio.isObject()) {
                throw new ProtocolException("invalid_type", "session.audio", "session.audio must be an object, got "
                        + SoundflowOptions.kind(audio));
            }
            JsonNode input = audio.get("input");
            if (input != null && !input.isObject()) {
                throw new ProtocolException("invalid_type", "session.audio.input", "session.audio.input must be an object, got "
                        + SoundflowOptions.kind(input));
            }
            JsonNode format = input == null ? null : input.get("format");
            if (format != null) {
                rate = format(format);
            }
        }
        synchronized (audioLock) {
            SessionOptions next = s.has("soundflow") ? SoundflowOptions.apply(options, s.get("soundflow")) : options;
            if (session != null && (!next.equals(options) || (rate != null && rate != inputRate))) {
                throw new ProtocolException("session_started", "session", "the audio format and session.soundflow are fixed "
                        + "once audio has arrived (the engine session started with them); open a new connection to change them");
            }
            options = next;
            if (rate != null) {
                inputRate = rate;
            }
            ObjectNode e = event("session.updated");
            e.set("session", sessionJson());
            send(e);
        }
    }

    private static int format(JsonNode format) {
        if (!format.isObject()) {
            throw new ProtocolException("invalid_type", "session.audio.input.format", "session.audio.input.format must be an "
                    + "object like {\"type\": \"audio/pcm\", \"rate\": 24000}, got " + SoundflowOptions.kind(format));
        }
        JsonNode t = format.get("type");
        if (t == null || !t.isTextual() || !t.asText().equals("audio/pcm")) {
            throw new ProtocolException("invalid_value", "session.audio.input.format.type", "session.audio.input.format.type "
                    + "must be \"audio/pcm\" (PCM16 little-endian mono), got " + SoundflowOptions.kind(t));
        }
        JsonNode r = format.get("rate");
        if (r == null) {
            return 24_000;
        }
        if (!r.isIntegralNumber()) {
            throw new ProtocolException("invalid_type", "session.audio.input.format.rate", "session.audio.input.format.rate "
                    + "must be an integer, got " + SoundflowOptions.kind(r));
        }
        if (r.asLong() != 24_000 && r.asLong() != 16_000) {
            throw new ProtocolException("invalid_value", "session.audio.input.format.rate", "session.audio.input.format.rate "
                    + r.asLong() + " Hz is not served: 24000 (the Realtime default) or 16000");
        }
        return r.asInt();
    }

    private void append(JsonNode msg) {
        JsonNode a = msg.get("audio");
        if (a == null || !a.isTextual()) {
            throw new ProtocolException("invalid_type", "audio", "input_audio_buffer.append needs \"audio\" (a base64 string "
                    + "of PCM16 little-endian mono), got " + SoundflowOptions.kind(a));
        }
        byte[] pcm;
        try {
            pcm = Base64.getDecoder().decode(a.asText());
        } catch (IllegalArgumentException e) {
            throw new ProtocolException("invalid_base64", "audio", "input_audio_buffer.append: \"audio\" is not valid base64 ("
                    + e.getMessage() + ")");
        }
        feed(pcm, "input_audio_buffer.append");
    }

    private void feed(byte[] pcm, String what) {
        if ((pcm.length & 1) != 0) {
            throw new ProtocolException("invalid_audio", "audio", what + ": " + pcm.length + " bytes is not a whole number of "
                    + "PCM16 samples (2 bytes each)");
        }
        float[] x = new float[pcm.length / 2];
        for (int i = 0; i < x.length; i++) {
            x[i] = (short) ((pcm[2 * i] & 0xff) | (pcm[2 * i + 1] << 8)) / 32768f;
        }
        Session s;
        float[] y;
        synchronized (audioLock) {
            if (inputEnded) {
                throw new ProtocolException("input_ended", null, what + ": the input has ended (soundflow.input_audio.end); "
                        + "open a new connection for a new stream");
            }
            if (x.length == 0) {
                return;
            }
            s = session != null ? session : startSession();
            if (s == null) {
                return;
            }
            y = resampler.process(x, 0, x.length);
            if (y.length > 0) {
                try {
                    s.accept(y, 0, y.length); // never blocks; what the ring cannot take is counted (soundflow.overrun)
                } catch (IllegalStateException e) {
                    throw new ProtocolException("session_ended", null, what + ": the engine session has ended ("
                            + s.endReason() + "); open a new connection for a new stream");
                }
            }
        }
    }

    /** Starts the engine session (under audioLock); on refusal sends an error, closes with 1013 and returns null. */
    private Session startSession() {
        long need = budget.need(options);
        try {
            budget.reserve(need, options);
            reservedBytes.set(need);
            resampler = new StreamingResampler(inputRate, ENGINE_RATE);
            session = engine.newSession(options, this);
            return session;
        } catch (IllegalArgumentException | IllegalStateException e) {
            releaseBudget();
            metrics.refused("resources");
            inputEnded = true;
            error("session_refused", null, null, "the session cannot start: " + e.getMessage(), "server_error");
            close(1013, "session refused");
            return null;
        }
    }

    private void clear() {
        synchronized (audioLock) {
            if (resampler != null) { // what the edge held back (under one filter length) is dropped
                resampler = new StreamingResampler(inputRate, ENGINE_RATE);
            }
            send(event("input_audio_buffer.cleared"));
        }
    }

    private void cancel(JsonNode msg) {
        JsonNode rid = msg.get("response_id");
        if (rid != null && !rid.isTextual()) {
            throw new ProtocolException("invalid_type", "response_id", "response.cancel: response_id must be a string, got "
                    + SoundflowOptions.kind(rid));
        }
        String current = responseId;
        Session s = session;
        if (current == null || s == null) {
            throw new ProtocolException("response_cancel_not_active", "response_id", "response.cancel: no response is in progress");
        }
        if (rid != null && !rid.asText().equals(current)) {
            throw new ProtocolException("response_cancel_not_active", "response_id", "response.cancel: response "
                    + rid.asText() + " is not in progress (" + current + " is)");
        }
        s.cancelResponse();
    }

    /** {@code soundflow.input_audio.end}: the input ends; the queued audio is decided, then {@code soundflow.session.ended}. */
    private void endInput() {
        synchronized (audioLock) {
            if (inputEnded) {
                throw new ProtocolException("input_ended", null, "soundflow.input_audio.end: the input has already ended");
            }
            inputEnded = true;
            Session s = session;
            if (s == null) {
                ObjectNode e = event("soundflow.session.ended");
                e.put("reason", "end_of_audio");
                send(e);
                return;
            }
            float[] tail = resampler.flush();
            if (tail.length > 0) {
                s.accept(tail, 0, tail.length);
            }
            s.finish();
        }
    }

    // ---- engine events (decoder and encoder threads) ---------------------------------------------------

    @Override
    public void onEvent(StreamEvent e) {
        try {
            metrics.event(this, e);
            switch (e) {
                case StreamEvent.Decision d -> decision(d);
                case StreamEvent.Token t -> {
                    if (!t.text().isEmpty() && responseId != null) {
                        ObjectNode m = event("response.output_text.delta");
                        m.put("response_id", responseId);
                        m.put("item_id", itemId);
                        m.put("output_index", 0);
                        m.put("content_index", 0);
                        m.put("delta", t.text());
                        send(m);
                    }
                }
                case StreamEvent.ResponseEnd r -> responseEnd(r);
                case StreamEvent.Overrun o -> {
                    ObjectNode m = event("soundflow.overrun");
                    m.put("kind", o.kind().wireName());
                    m.put("count", o.count());
                    m.put("unit", o.unit());
                    m.put("why", o.why());
                    send(m);
                }
                case StreamEvent.ContextLimit c -> {
                    ObjectNode m = event("soundflow.context_limit");
                    m.put("policy", c.policy());
                    m.put("positions_before", c.positionsBefore());
                    m.put("positions_after", c.positionsAfter());
                    send(m);
                }
                case StreamEvent.Stats s -> send(stats(s.stats()));
                case StreamEvent.End end -> {
                    releaseBudget(); // the session's threads are ending; its cache goes with them
                    if (end.failed()) {
                        // the engine names the CLI flag; here the same option is session.soundflow.lenient
                        String why = end.reason().replace("SessionOptions.withLenient(true)", "session.soundflow.lenient: true");
                        error("session_failed", null, null, "the engine session failed: " + why, "server_error");
                        close(1011, "engine session failed");
                    } else if (!end.reason().equals("closed")) {
                        ObjectNode m = event("soundflow.session.ended");
                        m.put("reason", end.reason());
                        send(m);
                    }
                }
                case StreamEvent.ChunkEncoded c -> {
                }
            }
        } catch (RuntimeException ex) { // never fail the engine session because a send failed
            System.getLogger(RealtimeConnection.class.getName()).log(System.Logger.Level.DEBUG, "event not sent: " + ex);
        }
    }

    private void decision(StreamEvent.Decision d) {
        if (d.respond()) { // the reply's ids are generated next: open it before its first delta
            responses++;
            responseId = "resp_" + id + "_" + responses;
            itemId = "item_" + id + "_" + responses;
        }
        ObjectNode m = event("soundflow.decision");
        m.put("chunk", d.chunk());
        m.put("t", (d.chunk() + 1) * 0.4);
        m.put("decision", d.respond() ? "respond" : "silent");
        m.put("token", d.token());
        m.put("forced", d.forced());
        m.put("latency_ms", d.latencyMs());
        if (Double.isNaN(d.margin())) {
            m.putNull("margin");
        } else {
            m.put("margin", d.margin());
        }
        if (d.respond()) {
            m.put("response_id", responseId);
        }
        send(m);
        if (d.respond()) {
            ObjectNode c = event("response.created");
            ObjectNode r = c.putObject("response");
            r.put("id", responseId);
            r.put("object", "realtime.response");
            r.put("status", "in_progress");
            r.putArray("output");
            r.putObject("metadata").put("chunk", Long.toString(d.chunk()));
            send(c);
            ObjectNode added = event("response.output_item.added");
            added.put("response_id", responseId);
            added.put("output_index", 0);
            item(added.putObject("item"), itemId, "in_progress", null);
            send(added);
            ObjectNode part = event("response.content_part.added");
            part.put("response_id", responseId);
            part.put("item_id", itemId);
            part.put("output_index", 0);
            part.put("content_index", 0);
            part.putObject("part").put("type", "output_text").put("text", "");
            send(part);
        }
    }

    private void responseEnd(StreamEvent.ResponseEnd r) {
        String rid = responseId;
        String iid = itemId;
        ObjectNode done = event("response.output_text.done");
        done.put("response_id", rid);
        done.put("item_id", iid);
        done.put("output_index", 0);
        done.put("content_index", 0);
        done.put("text", r.text());
        send(done);
        String itemStatus = r.cutReason() == null ? "completed" : "incomplete";
        ObjectNode partDone = event("response.content_part.done");
        partDone.put("response_id", rid);
        partDone.put("item_id", iid);
        partDone.put("output_index", 0);
        partDone.put("content_index", 0);
        partDone.putObject("part").put("type", "output_text").put("text", r.text());
        send(partDone);
        ObjectNode itemDone = event("response.output_item.done");
        itemDone.put("response_id", rid);
        itemDone.put("output_index", 0);
        item(itemDone.putObject("item"), iid, itemStatus, r.text());
        send(itemDone);
        String status = r.cutReason() == null ? "completed"
                : r.cutReason().equals(StreamEvent.ResponseEnd.CANCELLED) || r.cutReason().equals(StreamEvent.ResponseEnd.CLOSED)
                ? "cancelled" : "incomplete";
        ObjectNode m = event("response.done");
        ObjectNode resp = m.putObject("response");
        resp.put("id", rid);
        resp.put("object", "realtime.response");
        resp.put("status", status);
        if (r.cutReason() == null) {
            resp.putNull("status_details");
        } else {
            resp.putObject("status_details").put("type", status).put("reason", r.cutReason());
        }
        item(resp.putArray("output").addObject(), iid, itemStatus, r.text());
        ObjectNode meta = resp.putObject("metadata");
        meta.put("emotion", r.emotion());
        meta.put("chunk", Long.toString(r.chunk()));
        ObjectNode sf = resp.putObject("soundflow");
        sf.put("chunk", r.chunk());
        sf.put("emotion", r.emotion());
        ArrayNode ids = sf.putArray("reply_ids");
        for (int v : r.replyIds()) {
            ids.add(v);
        }
        if (r.cutReason() == null) {
            sf.putNull("cut_reason");
        } else {
            sf.put("cut_reason", r.cutReason());
        }
        responseId = null;
        itemId = null;
        send(m);
    }

    /** A realtime.item: the assistant message of a reply ({@code text} null: no content yet). */
    private static void item(ObjectNode item, String id, String status, String text) {
        item.put("id", id);
        item.put("object", "realtime.item");
        item.put("type", "message");
        item.put("role", "assistant");
        item.put("status", status);
        ArrayNode content = item.putArray("content");
        if (text != null) {
            content.addObject().put("type", "output_text").put("text", text);
        }
    }

    static ObjectNode statsJson(ObjectNode m, StreamStats s) {
        m.put("chunks_encoded", s.chunksEncoded());
        m.put("chunks_decided", s.chunksDecided());
        m.put("responses", s.responses());
        m.put("audio_s", s.audioSeconds());
        num(m, "decision_p50_ms", s.decisionP50Ms());
        num(m, "decision_p95_ms", s.decisionP95Ms());
        num(m, "decision_max_ms", s.decisionMaxMs());
        num(m, "fcl_mean_ms", s.fclMeanMs());
        m.put("fcl_count", s.fclCount());
        num(m, "stall_rate", s.stallRate());
        m.put("queue_depth_max", s.queueDepthMax());
        num(m, "queue_depth_mean", s.queueDepthMean());
        num(m, "encoder_ms_per_chunk", s.encoderMsPerChunk());
        num(m, "rtf", s.rtf());
        num(m, "encoder_rtf", s.encoderRtf());
        num(m, "decoder_rtf", s.decoderRtf());
        m.put("dropped_samples", s.droppedSamples());
        m.put("non_finite_samples", s.nonFiniteSamples());
        m.put("unexpected_tokens", s.unexpectedTokens());
        m.put("context_limits", s.contextLimits());
        m.put("positions", s.positions());
        return m;
    }

    private ObjectNode stats(StreamStats s) {
        return statsJson(event("soundflow.stats"), s);
    }

    private static void num(ObjectNode m, String f, double v) {
        if (Double.isFinite(v)) {
            m.put(f, v);
        } else {
            m.putNull(f);
        }
    }

    // ---- lifecycle ---------------------------------------------------------------------------------------

    private void releaseBudget() {
        budget.release(reservedBytes.getAndSet(0));
    }

    /** The client went away (or the connection was closed): the engine session and its memory are freed. */
    void closed() {
        open = false;
        Session s;
        synchronized (audioLock) {
            inputEnded = true;
            s = session;
        }
        if (s != null) {
            s.close();
        }
        metrics.left(this);
    }

    /** Server shutdown: the engine session ends (its final {@code soundflow.stats} is sent), then close code 1001. */
    void shutdown() {
        Session s;
        synchronized (audioLock) {
            inputEnded = true;
            s = session;
        }
        if (s != null) {
            s.close(); // the decoder thread sends the final soundflow.stats before this returns
        }
        close(1001, "server shutting down");
    }

    void close(int code, String reason) {
        sendLock.lock();
        try {
            if (open) {
                open = false;
                ws.closeSession(code, reason);
            }
        } finally {
            sendLock.unlock();
        }
    }

    // ---- sending -----------------------------------------------------------------------------------------

    private ObjectNode event(String type) {
        ObjectNode n = JSON.createObjectNode();
        n.put("type", type);
        n.putNull("event_id"); // filled in when sent, in order
        return n;
    }

    private void error(String code, String param, String clientEventId, String message) {
        error(code, param, clientEventId, message, "invalid_request_error");
    }

    private void error(String code, String param, String clientEventId, String message, String type) {
        metrics.clientError(code);
        ObjectNode e = event("error");
        ObjectNode err = e.putObject("error");
        err.put("type", type);
        err.put("code", code);
        err.put("message", message);
        if (param == null) {
            err.putNull("param");
        } else {
            err.put("param", param);
        }
        if (clientEventId == null) {
            err.putNull("event_id");
        } else {
            err.put("event_id", clientEventId);
        }
        send(e);
    }

    /** Sends an error on a connection that is then refused (no RealtimeConnection admitted). */
    static void refuse(WsContext ws, String code, String message) {
        ObjectNode e = JSON.createObjectNode();
        e.put("type", "error");
        e.put("event_id", "event_refused");
        ObjectNode err = e.putObject("error");
        err.put("type", "server_error");
        err.put("code", code);
        err.put("message", message);
        err.putNull("param");
        err.putNull("event_id");
        ws.send(e.toString());
    }

    private void send(ObjectNode m) {
        sendLock.lock();
        try {
            if (!open) {
                return;
            }
            m.put("event_id", "event_" + id + "_" + (++eventSeq));
            ws.send(m.toString()); // queued by Jetty, in order; a failed write shows up as the close
        } finally {
            sendLock.unlock();
        }
    }

    private ObjectNode sessionJson() {
        ObjectNode s = JSON.createObjectNode();
        s.put("id", "sess_" + id);
        s.put("object", "realtime.session");
        s.put("type", "realtime");
        s.put("model", config.modelName());
        s.putArray("output_modalities").add("text");
        ObjectNode input = s.putObject("audio").putObject("input");
        input.putObject("format").put("type", "audio/pcm").put("rate", inputRate);
        input.putNull("turn_detection");
        s.set("soundflow", SoundflowOptions.toJson(options));
        return s;
    }
}
