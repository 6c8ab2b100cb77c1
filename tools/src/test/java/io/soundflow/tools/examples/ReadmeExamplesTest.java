package io.soundflow.tools.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.soundflow.tools.demo.Demo;
import io.soundflow.tools.demo.DemoExpectations;
import io.soundflow.engine.model.LoadOptions;
import io.soundflow.engine.stream.DrainLayout;
import io.soundflow.engine.stream.Session;
import io.soundflow.engine.stream.SessionOptions;
import io.soundflow.engine.stream.StreamEvent;
import io.soundflow.engine.stream.StreamListener;
import io.soundflow.engine.stream.StreamStats;
import io.soundflow.engine.stream.StreamingEngine;
import java.time.Duration;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's Java streaming example can never rot: its code block is the marked region of
 * {@link StreamFileExample}, which this test runs on the demo model and clip. Before it existed, the
 * README's example (every sample in one non-blocking {@code accept}, the default drain) dropped most of a
 * long clip and failed on the demo model.
 */
class ReadmeExamplesTest {
    @TempDir
    static Path shared;       // the demo model, generated once for the class
    @TempDir
    Path tmp;

    static Demo demo() throws Exception {
        Demo demo = Demo.load(shared.resolve("demo"));
        demo.engine().close();
        return demo;
    }

    static Path repoFile(String name) {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve(name)) && Files.isDirectory(d.resolve("engine"))) {
                return d.resolve(name);
            }
        }
        throw new IllegalStateException(name + " not found above " + Path.of("").toAbsolutePath());
    }

    /** The lines between the markers, with their common indentation removed. */
    static List<String> region(List<String> lines, String begin, String end) {
        int a = -1, b = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).trim().equals(begin)) {
                a = i;
            } else if (lines.get(i).trim().equals(end)) {
                b = i;
            }
        }
        assertThat(a).as(begin).isNotNegative();
        assertThat(b).as(end).isGreaterThan(a);
        List<String> r = new ArrayList<>(lines.subList(a + 1, b));
        int indent = r.stream().filter(l -> !l.isBlank()).mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
        r.replaceAll(l -> l.isBlank() ? "" : l.substring(indent));
        return r;
    }

    /** The stats the example printed last. */
    static StreamStats stats(List<Object> printed) {
        return printed.stream().filter(StreamStats.class::isInstance).map(StreamStats.class::cast)
                .reduce((a, b) -> b).orElseThrow(() -> new AssertionError("the example printed no stats: " + printed));
    }

    @Test
    void theReadmeStreamingExampleIsTheCompiledOne() throws Exception {
        List<String> source = region(Files.readAllLines(repoFile("tools/src/test/java/io/soundflow/tools/examples/StreamFileExample.java")),
                "// README:stream:begin", "// README:stream:end");
        String readme = Files.readString(repoFile("README.md"));
        Matcher m = Pattern.compile("<!-- example: StreamFileExample -->\\s*```java\\n(.*?)```", Pattern.DOTALL).matcher(readme);
        assertThat(m.find()).as("README.md has the block marked <!-- example: StreamFileExample -->").isTrue();
        List<String> block = new ArrayList<>(List.of(m.group(1).split("\n", -1)));
        if (!block.isEmpty() && block.getLast().isEmpty()) {
            block.removeLast();
        }
        block.replaceAll(l -> l.replace("System.out::println", "print::accept").replace("System.out.println(", "print.accept("));
        assertThat(block).as("README block vs StreamFileExample (System.out.println there is print.accept here)").isEqualTo(source);
        List<String> separate = region(Files.readAllLines(repoFile("tools/examples/library-user/src/main/java/example/StreamAFile.java")),
                "// README:stream:begin", "// README:stream:end");
        separate.replaceAll(l -> l.replace("System.out.println(", "print.accept("));
        assertThat(separate).as("the separate project's copy (tools/examples/library-user) is the README's code too").isEqualTo(source);
    }

    @Test
    void theExampleStreamsTheDemoClipLikeTheDemo() throws Exception {
        Demo demo = demo();
        List<Object> printed = Collections.synchronizedList(new ArrayList<>());
        StreamFileExample.run(demo.modelDir(), demo.clipFile(), printed::add);
        StreamStats stats = stats(printed);
        List<String> lines = printed.stream().map(String::valueOf).toList();
        List<Long> responded = lines.stream().filter(l -> l.matches("chunk \\d+: respond"))
                .map(l -> Long.parseLong(l.substring(6, l.indexOf(':')))).toList();
        DemoExpectations.assertRespondsOncePerEvent(demo, responded); // the session ends at the end of the audio:
        assertThat(lines).contains("end: end_of_audio");
        assertThat(stats.droppedSamples()).isZero();
        assertThat(stats.chunksDecided()).isEqualTo(DemoExpectations.chunks(demo));
    }

    /**
     * acceptWaiting takes a clip 15 times longer than the ring whole (the old example's single accept kept
     * 131,072 of 384,000 samples of a 24 s clip), with the same decisions as the example's run.
     */
    @Test
    void aClipLongerThanTheRingIsTakenWhole() throws Exception {
        Demo demo = demo();
        float[] clip = demo.clip();
        List<Long> responded = Collections.synchronizedList(new ArrayList<>());
        SessionOptions o = SessionOptions.defaults().withLayout(DrainLayout.ONE_BY_ONE).withQueues(8192, 256);
        try (StreamingEngine engine = StreamingEngine.load(demo.modelDir(), LoadOptions.defaults());
             Session s = engine.newSession(o, e -> {
                 if (e instanceof StreamEvent.Decision d && d.respond()) {
                     responded.add(d.chunk());
                 }
             })) {
            assertThat(clip.length).isGreaterThan(15 * 8192);
            assertThat(s.acceptWaiting(clip, 0, clip.length, Duration.ofMinutes(5))).isEqualTo(clip.length);
            s.finish();
            assertThat(s.await(Duration.ofMinutes(5))).isTrue();
            assertThat(s.stats().droppedSamples()).isZero();
            assertThat(s.stats().chunksDecided()).isEqualTo(DemoExpectations.chunks(demo));
            assertThat(s.endReason()).isEqualTo("end_of_audio");
        }
        DemoExpectations.assertRespondsOncePerEvent(demo, responded);
    }

    @Test
    void acceptWaitingReturnsWhatItTookWhenTheTimeoutPasses() throws Exception {
        Demo demo = demo();
        float[] clip = demo.clip();
        SessionOptions o = SessionOptions.defaults().withQueues(8192, 256);
        try (StreamingEngine engine = StreamingEngine.load(demo.modelDir(), LoadOptions.defaults());
             Session s = engine.newSession(o, StreamListener.NONE)) {
            s.close(); // nobody reads the ring any more
            assertThat(s.acceptWaiting(clip, 0, clip.length, Duration.ofMillis(50))).isZero();
            assertThat(s.stats().droppedSamples()).as("what was not taken was not offered, so not dropped").isZero();
        }
    }
}
