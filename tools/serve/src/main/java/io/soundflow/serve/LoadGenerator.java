package io.soundflow.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.soundflow.engine.audio.WavReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A load generator for {@code soundflow serve}: N clients at once, each streaming a WAV file (looped) at real
 * time in 100 ms binary PCM16 frames for S seconds, then ending its input; prints one JSON line per N with the
 * decision latency over all sessions ({@code p50_ms}, {@code p95_ms}, {@code max_ms}), the decisions, the
 * samples dropped and the errors. Run it against a running server:
 *
 * <pre>
 * java -cp tools/target/soundflow.jar io.soundflow.serve.LoadGenerator ws://127.0.0.1:8080/v1/realtime clip.wav 20 1,4,16,32
 * </pre>
 *
 * An optional fifth argument is the {@code session.soundflow} JSON (default {@code {}}).
 */
public final class LoadGenerator {
    private static final ObjectMapper JSON = new ObjectMapper();

    private LoadGenerator() {
    }

    /** What one client saw. */
    record Result(List<Double> latencies, long dropped, int errors) {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 4) {
            System.err.println("usage: LoadGenerator WS_URL WAV SECONDS N[,N...] [SESSION_SOUNDFLOW_JSON]");
            System.exit(2);
        }
        URI uri = URI.create(args[0]);
        float[] clip = WavReader.read16k(Path.of(args[1])).samples();
        double seconds = Double.parseDouble(args[2]);
        JsonNode options = args.length > 4 ? JSON.readTree(args[4]) : JSON.createObjectNode();
        byte[] pcm = pcm16(clip, (int) Math.round(seconds * 16000));
        for (String n : args[3].split(",")) {
            System.out.println(run(uri, pcm, Integer.parseInt(n.trim()), options));
        }
    }

    static byte[] pcm16(float[] clip, int samples) {
        byte[] b = new byte[samples * 2];
        for (int i = 0; i < samples; i++) {
            int v = Math.round(Math.max(-1f, Math.min(1f, clip[i % clip.length])) * 32767f);
            b[2 * i] = (byte) v;
            b[2 * i + 1] = (byte) (v >> 8);
        }
        return b;
    }

    static String run(URI uri, byte[] pcm, int clients, JsonNode options) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        List<Result> results = Collections.synchronizedList(new ArrayList<>());
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> fs = new ArrayList<>();
            for (int k = 0; k < clients; k++) {
                fs.add(pool.submit(() -> {
                    results.add(client(http, uri, pcm, options));
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        }
        double[] l = results.stream().flatMap(r -> r.latencies().stream()).mapToDouble(Double::doubleValue).sorted().toArray();
        ObjectNode o = JSON.createObjectNode();
        o.put("clients", clients);
        o.put("seconds", pcm.length / 2 / 16000.0);
        o.put("decisions", l.length);
        o.put("p50_ms", l.length == 0 ? null : l[l.length / 2]);
        o.put("p95_ms", l.length == 0 ? null : l[Math.max(0, (int) Math.ceil(l.length * 0.95) - 1)]);
        o.put("max_ms", l.length == 0 ? null : l[l.length - 1]);
        o.put("dropped_samples", results.stream().mapToLong(Result::dropped).sum());
        o.put("errors", results.stream().mapToInt(Result::errors).sum());
        o.put("cores", Runtime.getRuntime().availableProcessors());
        return o.toString();
    }

    static Result client(HttpClient http, URI uri, byte[] pcm, JsonNode options) throws Exception {
        List<Double> latencies = Collections.synchronizedList(new ArrayList<>());
        AtomicLong dropped = new AtomicLong();
        int[] errors = {0};
        CompletableFuture<Void> ended = new CompletableFuture<>();
        WebSocket ws = http.newWebSocketBuilder().buildAsync(uri, new WebSocket.Listener() {
            private final StringBuilder sb = new StringBuilder();

            @Override
            public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                sb.append(data);
                if (last) {
                    try {
                        JsonNode e = JSON.readTree(sb.toString());
                        switch (e.path("type").asText()) {
                            case "soundflow.decision" -> latencies.add(e.get("latency_ms").asDouble());
                            case "soundflow.stats" -> dropped.set(e.path("dropped_samples").asLong());
                            case "error" -> errors[0]++;
                            case "soundflow.session.ended" -> ended.complete(null);
                            default -> {
                            }
                        }
                    } catch (Exception ex) {
                        errors[0]++;
                    }
                    sb.setLength(0);
                }
                w.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onClose(WebSocket w, int code, String reason) {
                ended.complete(null);
                return null;
            }
        }).join();
        ObjectNode update = JSON.createObjectNode();
        update.put("type", "session.update");
        ObjectNode s = update.putObject("session");
        s.putObject("audio").putObject("input").putObject("format").put("type", "audio/pcm").put("rate", 16000);
        s.set("soundflow", options);
        ws.sendText(update.toString(), true).join();
        long t0 = System.nanoTime();
        int block = 3200;
        for (int i = 0, off = 0; off < pcm.length; i++, off += block) {
            long wait = t0 + i * 100_000_000L - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
            ws.sendBinary(ByteBuffer.wrap(Arrays.copyOfRange(pcm, off, Math.min(pcm.length, off + block))), true).join();
        }
        ws.sendText("{\"type\":\"soundflow.input_audio.end\"}", true).join();
        ended.get(120, TimeUnit.SECONDS);
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").exceptionally(t -> null).join();
        return new Result(latencies, dropped.get(), errors[0]);
    }
}
