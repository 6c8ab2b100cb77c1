package io.soundflow.engine.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.soundflow.engine.KvDtype;
import io.soundflow.engine.audio.WavReader;
import io.soundflow.engine.model.KvCache;
import io.soundflow.engine.model.LoadOptions;
import io.soundflow.testing.SharedData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A session's KV cache on a copy of ai-tiny with a rewritten {@code block_size} (2 layers x 2 x 32 values
 * = 512 B per position at f32): a capacity the heap cannot hold is refused by {@code newSession} with what
 * it needs (it was an OutOfMemoryError at 60000000), and a large one that fits costs only the first block.
 */
class SessionKvCacheTest {
    static final long BYTES_PER_POSITION = 2 * 2 * 32 * 4;

    @TempDir
    Path tmp;

    /** ai-tiny's files copied into a temp folder, with model_config.yaml's block_size set to {@code blockSize}. */
    Path modelWithBlockSize(long blockSize) throws IOException {
        Path src = SharedData.require("golden/ai-tiny").resolve("model");
        Path dst = tmp.resolve("model");
        try (Stream<Path> files = Files.walk(src)) {
            for (Path f : files.toList()) {
                Path to = dst.resolve(src.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(to);
                } else if (f.getFileName().toString().equals("model_config.yaml")) {
                    String yaml = Files.readString(f);
                    assertThat(yaml).contains("\nblock_size: 32768\n");
                    Files.writeString(to, yaml.replace("\nblock_size: 32768\n", "\nblock_size: " + blockSize + "\n"));
                } else {
                    Files.copy(f, to);
                }
            }
        }
        return dst;
    }

    /** The largest block size a config may give (2^24): 8.6 GB of f32 cache on ai-tiny, 4.3 GB at f16. */
    static final int MAX_BLOCK = 1 << 24;

    /**
     * The probe's C4 (block_size 60000000 was an OutOfMemoryError in newSession; such a value is now refused
     * by the config check, so the largest allowed block size is used), in a JVM with a 1 GB heap that cannot
     * hold that cache at either dtype.
     */
    @Test
    void aBlockSizeWhoseCacheCannotFitIsRefusedByNewSessionWithWhatItNeeds() throws Exception {
        Path model = modelWithBlockSize(MAX_BLOCK);
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(List.of(javaBin, "-Xmx1g", "--add-modules=jdk.incubator.vector", "-cp",
                System.getProperty("java.class.path"), NewSessionChild.class.getName(), model.toString()))
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        for (KvDtype dtype : KvDtype.values()) {
            String need = String.format(Locale.ROOT, "%.1f GB", MAX_BLOCK * (2.0 * 2 * 32 * dtype.bytes()) / 1e9);
            assertThat(out).as(dtype.cliName()).contains(dtype.cliName() + ": refused: KV cache of " + MAX_BLOCK
                    + " positions needs " + need + " at " + dtype.cliName() + " (2 layers x 2 x 32 x " + dtype.bytes()
                    + " B per position); this JVM can hold at most ");
            assertThat(out).contains(": lower SessionOptions.maxPositions (or block_size in model_config.yaml; maxNewTokens for ask), "
                    + (dtype == KvDtype.F32 ? "use KvDtype.F16, " : "") + "or raise -Xmx");
        }
        assertThat(out).contains("then: end_of_audio").doesNotContain("OutOfMemoryError");
    }

    /** Child JVM: tries a session of the model's block size at each dtype, then one that fits. */
    public static final class NewSessionChild {
        public static void main(String[] args) throws Exception {
            try (StreamingEngine engine = StreamingEngine.load(Path.of(args[0]), LoadOptions.defaults())) {
                for (KvDtype dtype : KvDtype.values()) {
                    try (Session s = engine.newSession(SessionOptions.defaults().withKvDtype(dtype), null)) {
                        System.out.println(dtype.cliName() + ": started (not refused)");
                    } catch (IllegalArgumentException e) {
                        System.out.println(dtype.cliName() + ": refused: " + e.getMessage());
                    }
                }
                // the engine is still usable: a session of a capacity that fits runs the clip to its end
                System.out.println("then: " + runClip(engine, SessionOptions.defaults().withContext(ContextPolicy.RESET, 4096, 60)));
            }
        }
    }

    @Test
    void aLargeBlockSizeThatFitsCostsOnlyTheFirstBlockAtStart() throws Exception {
        long room = Runtime.getRuntime().maxMemory() / 4; // a quarter of the heap at full size
        int block = (int) Math.min(MAX_BLOCK, room / BYTES_PER_POSITION);
        try (StreamingEngine engine = StreamingEngine.load(modelWithBlockSize(block), LoadOptions.defaults())) {
            KvCache cache = (KvCache) engine.model().newCache(block, true);
            assertThat(cache.capacity()).isEqualTo(block);
            assertThat(cache.capacityBytes()).isEqualTo(block * BYTES_PER_POSITION);
            assertThat(cache.allocatedBytes()).isEqualTo(KvCache.FIRST_BLOCK * BYTES_PER_POSITION); // 32 kB
            for (KvDtype dtype : KvDtype.values()) {
                assertThat(runClip(engine, SessionOptions.defaults().withKvDtype(dtype))).as(dtype.cliName())
                        .isEqualTo("end_of_audio");
            }
        }
    }

    /** Streams the 8 s golden clip through a session of the engine's block size; returns how it ended. */
    static String runClip(StreamingEngine engine, SessionOptions o) throws Exception {
        float[] clip = WavReader.read(SharedData.require("golden/ai-tiny").resolve("clip-8s.wav")).samples();
        List<StreamEvent> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (Session s = engine.newSession(o, events::add)) {
            StreamFeeder.feedAll(s, clip, 1000);
            assertThat(s.await(Duration.ofSeconds(120))).as("session ended").isTrue();
            assertThat(s.failure()).isNull();
        }
        return events.stream().filter(e -> e instanceof StreamEvent.End).map(e -> ((StreamEvent.End) e).reason())
                .findFirst().orElseThrow();
    }
}
