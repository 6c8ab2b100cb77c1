package io.soundflow.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** Test client: the JDK's {@link WebSocket}, every server event parsed and queued in order. */
final class WsClient implements WebSocket.Listener, AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();

    final BlockingQueue<JsonNode> events = new LinkedBlockingQueue<>();
    final List<JsonNode> seen = new ArrayList<>();
    final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
    final CompletableFuture<String> closeReason = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();
    WebSocket ws;

    static WsClient connect(int port, Map<String, String> headers) {
        WsClient c = new WsClient();
        WebSocket.Builder b = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10));
        headers.forEach(b::header);
        c.ws = b.buildAsync(URI.create("ws://127.0.0.1:" + port + "/v1/realtime"), c).join();
        return c;
    }

    static WsClient connect(int port) {
        return connect(port, Map.of());
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            try {
                events.add(JSON.readTree(partial.toString()));
            } catch (Exception e) {
                throw new AssertionError("the server sent invalid JSON: " + partial, e);
            }
            partial.setLength(0);
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closeCode.complete(statusCode);
        closeReason.complete(reason);
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closeCode.complete(-1);
        closeReason.complete(String.valueOf(error));
    }

    void send(String text) {
        ws.sendText(text, true).join();
    }

    void send(JsonNode n) {
        send(n.toString());
    }

    void sendBinary(byte[] b) {
        ws.sendBinary(ByteBuffer.wrap(b), true).join();
    }

    /** The next event (within 30 s). */
    JsonNode next() throws InterruptedException {
        JsonNode e = events.poll(30, TimeUnit.SECONDS);
        if (e == null) {
            throw new AssertionError("no server event within 30 s; seen so far: " + seen);
        }
        seen.add(e);
        return e;
    }

    /** Events up to and including the first one of {@code type}. */
    List<JsonNode> until(String type) throws InterruptedException {
        return until(e -> e.path("type").asText().equals(type));
    }

    List<JsonNode> until(Predicate<JsonNode> stop) throws InterruptedException {
        List<JsonNode> got = new ArrayList<>();
        while (true) {
            JsonNode e = next();
            got.add(e);
            if (stop.test(e)) {
                return got;
            }
        }
    }

    /** The next event, which must be of {@code type}. */
    JsonNode expect(String type) throws InterruptedException {
        JsonNode e = next();
        if (!e.path("type").asText().equals(type)) {
            throw new AssertionError("expected " + type + ", got " + e);
        }
        return e;
    }

    @Override
    public void close() {
        if (ws != null && !ws.isOutputClosed()) {
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").orTimeout(2, TimeUnit.SECONDS).exceptionally(t -> null).join();
        }
        if (ws != null) {
            ws.abort();
        }
    }
}
