package io.soundflow.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.soundflow.engine.audio.WavReader;
import io.soundflow.engine.model.LoadOptions;
import io.soundflow.engine.stream.StreamingEngine;
import io.soundflow.testing.SharedData;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Load: 16 clients stream the golden clip at real time (100 ms appends) into one server at once. Each
 * session's decisions and reply ids must equal the golden chunk-local trace (what the session gives alone),
 * no sample may be dropped, and the decision latency p95 over all sessions is reported.
 */
class RealtimeLoadTest {
    static final int CLIENTS = 16;

    @Test
    void sixteenRealTimeSessionsEachGiveTheGoldenTrace() throws Exception {
        Path dir = SharedData.require("golden/ai-tiny");
        JsonNode golden = WsClient.JSON.readTree(dir.resolve("trace-chunk-local.json").toFile());
        byte[] pcm = RealtimeProtocolTest.pcm16(WavReader.read(dir.resolve("clip-8s.wav")).samples());
        try (StreamingEngine engine = StreamingEngine.load(dir.resolve("model"), LoadOptions.defaults());
             RealtimeServer server = RealtimeServer.start(engine, ServeConfig.defaults().withPort(0).withMaxSessions(CLIENTS));
             ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<RealtimeProtocolTest.Run>> runs = new ArrayList<>();
            for (int k = 0; k < CLIENTS; k++) {
                runs.add(pool.submit(() -> stream(server.port(), pcm)));
            }
            List<Double> latencies = Collections.synchronizedList(new ArrayList<>());
            for (Future<RealtimeProtocolTest.Run> f : runs) {
                RealtimeProtocolTest.Run r = f.get();
                assertThat(r.decisions()).isEqualTo(golden.get("decisions").asText());
                JsonNode chunks = golden.get("chunks");
                for (int i = 0; i < chunks.size(); i++) {
                    if (!chunks.get(i).get("reply").isEmpty()) {
                        int[] want = new int[chunks.get(i).get("reply").size()];
                        for (int j = 0; j < want.length; j++) {
                            want[j] = chunks.get(i).get("reply").get(j).asInt();
                        }
                        assertThat(r.replies().get((long) i)).containsExactly(want);
                    }
                }
                JsonNode stats = r.events().stream().filter(e -> e.get("type").asText().equals("soundflow.stats")).toList().getLast();
                assertThat(stats.get("dropped_samples").asLong()).isZero();
                assertThat(stats.get("chunks_decided").asInt()).isEqualTo(20);
                r.events().stream().filter(e -> e.get("type").asText().equals("soundflow.decision"))
                        .forEach(e -> latencies.add(e.get("latency_ms").asDouble()));
                assertThat(r.events()).noneMatch(e -> e.get("type").asText().equals("error"));
            }
            double[] l = latencies.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            assertThat(l).hasSize(CLIENTS * 20);
            System.out.printf(Locale.ROOT, "RealtimeLoadTest: %d real-time sessions of ai-tiny on %d cores: decision latency "
                            + "p50 %.1f ms, p95 %.1f ms, max %.1f ms%n", CLIENTS, Runtime.getRuntime().availableProcessors(),
                    l[l.length / 2], l[(int) Math.ceil(l.length * 0.95) - 1], l[l.length - 1]);
        }
    }

    /** One client: chunk-local, one-by-one, the clip in 100 ms appends at real time, then the end of input. */
    static RealtimeProtocolTest.Run stream(int port, byte[] pcm) throws Exception {
        try (WsClient c = WsClient.connect(port)) {
            c.expect("session.created");
            c.send(RealtimeProtocolTest.update(16000));
            c.expect("session.updated");
            long t0 = System.nanoTime();
            int block = 3200; // 100 ms at 16 kHz
            for (int i = 0, off = 0; off < pcm.length; i++, off += block) {
                long due = t0 + i * 100_000_000L;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
                String b64 = Base64.getEncoder().encodeToString(Arrays.copyOfRange(pcm, off, Math.min(pcm.length, off + block)));
                c.send("{\"type\":\"input_audio_buffer.append\",\"audio\":\"" + b64 + "\"}");
            }
            c.send("{\"type\":\"soundflow.input_audio.end\"}");
            return RealtimeProtocolTest.collect(c.until("soundflow.session.ended"));
        }
    }
}
