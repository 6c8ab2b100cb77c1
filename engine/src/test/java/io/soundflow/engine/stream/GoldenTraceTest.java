package io.soundflow.engine.stream;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.soundflow.engine.audio.Audio;
import io.soundflow.engine.audio.WavReader;
import io.soundflow.engine.model.LoadOptions;
import io.soundflow.testing.SharedData;
import io.soundflow.testing.TestBackends;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Conformance with the golden traces of the released greedy loop ({@code ../shared/golden/ai-tiny}):
 * every decision, every reply id and every forwarded token must be identical, on the default backend and
 * on opencl where an OpenCL platform is present ({@link TestBackends}).
 */
class GoldenTraceTest {
    static Path dir;
    static StreamingEngine engine;
    static float[] clip;
    static final Map<String, StreamingEngine> others = new HashMap<>();

    @BeforeAll
    static void load() throws Exception {
        dir = SharedData.require("golden/ai-tiny");
        engine = StreamingEngine.load(dir.resolve("model"), LoadOptions.defaults());
        Audio a = WavReader.read(dir.resolve("clip-8s.wav"));
        assertThat(a.sampleRate()).isEqualTo(16_000);
        clip = a.samples();
    }

    @AfterAll
    static void close() throws Exception {
        if (engine != null) {
            engine.close();
        }
        for (StreamingEngine e : others.values()) {
            e.close();
        }
    }

    static StreamTrace run(FrontEndMode mode, DrainLayout layout, boolean paced) throws Exception {
        return run(engine, mode, layout, paced);
    }

    static StreamTrace run(StreamingEngine engine, FrontEndMode mode, DrainLayout layout, boolean paced) throws Exception {
        SessionOptions o = SessionOptions.defaults().withMode(mode).withLayout(layout).withRecordTrace(true);
        AtomicLong decided = new AtomicLong();
        List<String> errors = new ArrayList<>();
        try (Session s = engine.newSession(o, e -> {
            if (e instanceof StreamEvent.Decision) {
                decided.incrementAndGet();
            }
            if (e instanceof StreamEvent.Overrun ov) {
                errors.add(ov.toString());
            }
        })) {
            if (paced) {
                StreamFeeder.feedPaced(s, clip, decided::get);
            } else {
                StreamFeeder.feedAll(s, clip, 1000);
            }
            assertThat(s.await(Duration.ofSeconds(120))).as("session ended").isTrue();
            assertThat(s.failure()).isNull();
            assertThat(errors).isEmpty();
            assertThat(s.stats().droppedSamples()).isZero();
            return s.trace();
        }
    }

    static void assertMatches(StreamTrace t, String golden) throws Exception {
        JsonNode g = new ObjectMapper().readTree(dir.resolve(golden).toFile());
        assertThat(t.prefixIds()).containsExactly(ints(g.get("prefix_ids")));
        assertThat(t.decisions()).isEqualTo(g.get("decisions").asText());
        JsonNode chunks = g.get("chunks");
        assertThat(t.chunks()).hasSize(chunks.size());
        for (int i = 0; i < chunks.size(); i++) {
            assertThat(t.chunks().get(i).chunk()).isEqualTo(i);
            assertThat(t.chunks().get(i).decision()).as("chunk %d decision", i).isEqualTo(chunks.get(i).get("decision").asInt());
            assertThat(t.chunks().get(i).reply()).as("chunk %d reply", i).containsExactly(ints(chunks.get(i).get("reply")));
        }
        assertThat(t.fedTokens()).containsExactly(ints(g.get("fed_tokens")));
        assertThat(t.pendingToken()).isEqualTo(g.get("pending_token").asInt());
        assertThat(t.nextPosition()).isEqualTo(g.get("next_position").asInt());
        assertThat(t.stopReason()).isEqualTo(g.get("stop_reason").asText());
    }

    static int[] ints(JsonNode a) {
        int[] r = new int[a.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = a.get(i).asInt();
        }
        return r;
    }

    @Test
    void refExactOneByOneReproducesTheReleasedLoop() throws Exception {
        assertMatches(run(FrontEndMode.REF_EXACT, DrainLayout.ONE_BY_ONE, false), "trace-ref-exact.json");
    }

    @Test
    void chunkLocalOneByOneReproducesTheReleasedLoop() throws Exception {
        assertMatches(run(FrontEndMode.CHUNK_LOCAL, DrainLayout.ONE_BY_ONE, false), "trace-chunk-local.json");
    }

    @Test
    void teacherForcedWithAPacedProducerGivesTheSameTrace() throws Exception {
        assertMatches(run(FrontEndMode.CHUNK_LOCAL, DrainLayout.TEACHER_FORCED, true), "trace-chunk-local.json");
    }

    static List<String> deviceBackends() {
        return TestBackends.names().stream().filter(b -> b.equals("opencl")).toList();
    }

    /** Both released-loop traces on each device backend (opencl), with the model's weights on the device. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("deviceBackends")
    void theTracesAreTheSameOnADeviceBackend(String backend) throws Exception {
        StreamingEngine e = others.get(backend);
        if (e == null) {
            e = StreamingEngine.load(dir.resolve("model"), new LoadOptions(TestBackends.create(backend), null));
            others.put(backend, e);
        }
        assertMatches(run(e, FrontEndMode.REF_EXACT, DrainLayout.ONE_BY_ONE, false), "trace-ref-exact.json");
        assertMatches(run(e, FrontEndMode.CHUNK_LOCAL, DrainLayout.ONE_BY_ONE, false), "trace-chunk-local.json");
    }
}
