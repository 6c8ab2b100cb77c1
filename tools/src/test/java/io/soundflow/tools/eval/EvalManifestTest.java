package io.soundflow.tools.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.soundflow.engine.audio.WavWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The evaluation manifest: the format of the README, and one clear error naming the file and line for each mistake. */
class EvalManifestTest {
    @TempDir
    Path dir;

    @BeforeEach
    void audio() throws Exception {
        Files.createDirectories(dir.resolve("streams"));
        WavWriter.writePcm16(dir.resolve("streams/00012.wav"), new float[16000], 16000);
    }

    private Path manifest(String... lines) throws Exception {
        Path m = dir.resolve("m.jsonl");
        Files.writeString(m, String.join("\n", lines) + "\n");
        return m;
    }

    private static final String GOOD = "{\"audio\": \"streams/00012.wav\", \"duration\": 12.4, \"events\": ["
            + "{\"class\": \"doorbell\", \"onset\": 2.137, \"offset\": 3.05, \"expect\": \"respond\", \"emotion\": \"NORMAL\", "
            + "\"reply\": \"Someone is at the door.\"}, "
            + "{\"class\": \"speech\", \"onset\": 5.2, \"offset\": 7.9, \"expect\": \"ignore\", \"emotion\": null, \"reply\": null}]}";

    @Test
    void theReadmeExampleParsesWithTheAudioRelativeToTheManifest() throws Exception {
        var entries = EvalManifest.read(manifest(GOOD, "", "{\"audio\": \"streams/00012.wav\", \"events\": []}"));
        assertThat(entries).hasSize(2);
        var e = entries.get(0);
        assertThat(e.audio()).isEqualTo(dir.resolve("streams/00012.wav").toAbsolutePath());
        assertThat(e.duration()).isEqualTo(12.4);
        assertThat(e.line()).isEqualTo(1);
        assertThat(e.events()).containsExactly(
                new LabeledEvent("doorbell", 2.137, 3.05, true, "NORMAL", "Someone is at the door."),
                LabeledEvent.ignore("speech", 5.2, 7.9));
        assertThat(entries.get(1).line()).isEqualTo(3);
        assertThat(entries.get(1).duration()).isNaN();
        assertThat(entries.get(1).events()).isEmpty();
    }

    @Test
    void eachMistakeNamesTheFileAndLine() throws Exception {
        expect(manifest(GOOD, "{\"audio\": \"streams/00012.wav\", \"events\": [}"), "m.jsonl:2", "not valid JSON");
        expect(manifest(GOOD, "[1, 2]"), "m.jsonl:2", "one JSON object");
        expect(manifest("{\"audio\": \"streams/missing.wav\", \"events\": []}"), "m.jsonl:1", "streams/missing.wav", "no such file");
        expect(manifest("{\"events\": []}"), "m.jsonl:1", "\"audio\" is missing");
        expect(manifest("{\"audio\": 3, \"events\": []}"), "m.jsonl:1", "\"audio\" must be");
        expect(manifest("{\"audio\": \"streams/00012.wav\"}"), "m.jsonl:1", "\"events\" must be an array");
        expect(manifest("{\"audio\": \"streams/00012.wav\", \"duration\": -1, \"events\": []}"), "m.jsonl:1", "duration");
        expect(manifest(event("\"class\": \"a\", \"onset\": 3, \"offset\": 2, \"expect\": \"respond\"")), "m.jsonl:1", "event 1",
                "onset <= offset");
        expect(manifest(event("\"class\": \"a\", \"onset\": \"x\", \"offset\": 2, \"expect\": \"respond\"")), "m.jsonl:1",
                "\"onset\" must be a number");
        expect(manifest(event("\"class\": \"a\", \"onset\": 1, \"offset\": 2")), "m.jsonl:1", "\"expect\" is missing");
        expect(manifest(event("\"class\": \"a\", \"onset\": 1, \"offset\": 2, \"expect\": \"maybe\"")), "m.jsonl:1",
                "expect must be \"respond\" or \"ignore\"");
        expect(manifest(event("\"onset\": 1, \"offset\": 2, \"expect\": \"ignore\"")), "m.jsonl:1", "\"class\" is missing");
        expect(manifest(event("\"class\": \"a\", \"onset\": 1, \"offset\": 2, \"expect\": \"respond\", \"emotion\": \"GRUMPY\"")),
                "m.jsonl:1", "unknown emotion \"GRUMPY\"", "URGENT");
        expect(manifest(event("\"class\": \"a\", \"onset\": 1, \"offset\": 2, \"expect\": \"ignore\", \"reply\": \"Hi\"")),
                "m.jsonl:1", "an ignore-event has no emotion or reply");
        expect(manifest("", " "), "m.jsonl", "no streams");
        assertThatThrownBy(() -> EvalManifest.read(dir.resolve("none.jsonl"))).hasMessageContaining("none.jsonl")
                .hasMessageContaining("no such manifest");
    }

    private static String event(String body) {
        return "{\"audio\": \"streams/00012.wav\", \"events\": [{" + body + "}]}";
    }

    private static void expect(Path manifest, String... parts) {
        assertThatThrownBy(() -> EvalManifest.read(manifest)).isInstanceOf(IllegalArgumentException.class)
                .satisfies(e -> {
                    for (String p : parts) {
                        assertThat(e.getMessage()).contains(p);
                    }
                });
    }
}
