package io.soundflow.tools.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.soundflow.engine.audio.WavWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proactive-Sound-Bench read from a small manifest in its format (fields {@code id}, {@code path},
 * {@code description}, {@code decision}; paths {@code ./proactive-sound-effect/<domain>/<subcategory>/<DECISION>/<id>.wav})
 * with clips at three sample rates, spliced into one stream.
 */
public class ProactiveSoundBenchTest {
    @TempDir
    Path dir;

    /** Writes three clips (8, 16 and 44.1 kHz) and the manifest into {@code root}; returns the manifest. */
    public static Path writeBench(Path root) throws Exception {
        clip(root, "Daily Living Sounds/Daily Affairs/RESPOND/r1.wav", 8000, 1.0);
        clip(root, "Daily Living Sounds/Daily Affairs/IGNORE/i1.wav", 16000, 0.5);
        clip(root, "Traffic Sounds/Vehicle/RESPOND/r2.wav", 44100, 0.7);
        Path m = root.resolve("proactive_reply_benchmark.jsonl");
        Files.writeString(m, String.join("\n",
                line("r1", "Daily Living Sounds/Daily Affairs/RESPOND", "glass break", "RESPOND"),
                line("i1", "Daily Living Sounds/Daily Affairs/IGNORE", "pen click", "IGNORE"),
                line("r2", "Traffic Sounds/Vehicle/RESPOND", "car horn", "RESPOND")) + "\n");
        return m;
    }

    /** One manifest line in the benchmark's format. */
    public static String line(String id, String folder, String description, String decision) {
        return "{\"id\": \"" + id + "\", \"path\": \"./proactive-sound-effect/" + folder + "/" + id + ".wav\", \"description\": \""
                + description + "\", \"decision\": \"" + decision + "\"}";
    }

    /** Writes {@code x} as {@code root/proactive-sound-effect/rel}. */
    public static void clip(Path root, String rel, float[] x, int rate) throws Exception {
        Path f = root.resolve("proactive-sound-effect").resolve(rel);
        Files.createDirectories(f.getParent());
        WavWriter.writePcm16(f, x, rate);
    }

    private static void clip(Path root, String rel, int rate, double seconds) throws Exception {
        float[] x = new float[(int) Math.round(rate * seconds)];
        for (int i = 0; i < x.length; i++) {
            boolean on = (i * 10 / rate) % 2 == 0; // 100 ms on, 100 ms off
            x[i] = on ? (float) (0.4 * Math.sin(2 * Math.PI * 1000 * i / rate)) : 0f;
        }
        clip(root, rel, x, rate);
    }

    @Test
    void clipsAreSplicedWithGapsEachStartingOnAChunkBoundaryAsOneEventOfItsSubcategory() throws Exception {
        Path m = writeBench(dir);
        List<ProactiveSoundBench.Clip> clips = ProactiveSoundBench.read(m, null, ProactiveSoundBench.Grouping.SUBCATEGORY);
        assertThat(clips).extracting(ProactiveSoundBench.Clip::cls).containsExactly("Daily Affairs", "Daily Affairs", "Vehicle");
        assertThat(clips).extracting(ProactiveSoundBench.Clip::respond).containsExactly(true, false, true);
        assertThat(clips.get(0).description()).isEqualTo("glass break");

        ProactiveSoundBench.Spliced s = ProactiveSoundBench.splice(clips, 2.0);
        List<LabeledEvent> ev = s.events();
        assertThat(ev).hasSize(3);
        // 2 s gap, then the next chunk boundary: 2.0, then 3.0 + 2 -> 5.2, then 5.7 + 2 -> 8.0
        assertThat(ev.get(0).onset()).isCloseTo(2.0, within(1e-9));
        assertThat(ev.get(0).offset()).isCloseTo(3.0, within(1e-9)); // 8 kHz resampled: still 1.0 s
        assertThat(ev.get(1).onset()).isCloseTo(5.2, within(1e-9));
        assertThat(ev.get(1).offset()).isCloseTo(5.7, within(1e-9));
        assertThat(ev.get(2).onset()).isCloseTo(8.0, within(1e-9));
        assertThat(ev.get(2).offset()).isCloseTo(8.7, within(2 / 16000.0)); // 44.1 kHz resampled
        for (LabeledEvent e : ev) {
            assertThat(e.onset() / 0.4).isCloseTo(Math.rint(e.onset() / 0.4), within(1e-9));
            assertThat(e.emotion()).isNull();
            assertThat(e.reply()).isNull();
        }
        assertThat(ev).extracting(LabeledEvent::respond).containsExactly(true, false, true);
        assertThat(s.seconds()).isCloseTo(ev.get(2).offset() + 2.0, within(1e-9));
        // the gaps are quiet noise, the clips as recorded
        assertThat(maxAbs(s.samples(), 0, 32000)).isBetween(1e-4f, 0.003f);
        assertThat(maxAbs(s.samples(), 32000, 48000)).isGreaterThan(0.3f);

        assertThat(ProactiveSoundBench.read(m, null, ProactiveSoundBench.Grouping.DOMAIN))
                .extracting(ProactiveSoundBench.Clip::cls).containsExactly("Daily Living Sounds", "Daily Living Sounds", "Traffic Sounds");
        // a gap of 0: the clips back to back, each still from a chunk boundary
        List<LabeledEvent> tight = ProactiveSoundBench.splice(clips, 0).events();
        assertThat(tight.get(0).onset()).isZero();
        assertThat(tight.get(1).onset()).isCloseTo(1.2, within(1e-9));
    }

    @Test
    void theAudioFolderCanBeElsewhereAndMistakesNameTheLine() throws Exception {
        Path data = dir.resolve("data");
        Path m = writeBench(data);
        Path elsewhere = dir.resolve("manifests/proactive_reply_benchmark.jsonl");
        Files.createDirectories(elsewhere.getParent());
        Files.copy(m, elsewhere);
        assertThatThrownBy(() -> ProactiveSoundBench.read(elsewhere, null, ProactiveSoundBench.Grouping.SUBCATEGORY))
                .hasMessageContaining("proactive_reply_benchmark.jsonl:1").hasMessageContaining("clip r1")
                .hasMessageContaining("--psb-audio");
        assertThat(ProactiveSoundBench.read(elsewhere, data, ProactiveSoundBench.Grouping.SUBCATEGORY)).hasSize(3);

        Files.writeString(elsewhere, Files.readString(m).replace("\"IGNORE\"}", "\"MAYBE\"}"));
        assertThatThrownBy(() -> ProactiveSoundBench.read(elsewhere, data, ProactiveSoundBench.Grouping.SUBCATEGORY))
                .hasMessageContaining(":2:").hasMessageContaining("RESPOND or IGNORE");
        Files.writeString(elsewhere, "{\"id\": \"x\", \"decision\": \"IGNORE\"}\n");
        assertThatThrownBy(() -> ProactiveSoundBench.read(elsewhere, data, ProactiveSoundBench.Grouping.SUBCATEGORY))
                .hasMessageContaining(":1:").hasMessageContaining("\"path\" is missing");
        assertThatThrownBy(() -> ProactiveSoundBench.Grouping.parse("colour")).hasMessageContaining("subcategory or domain");
    }

    private static float maxAbs(float[] x, int from, int to) {
        float m = 0;
        for (int i = from; i < to; i++) {
            m = Math.max(m, Math.abs(x[i]));
        }
        return m;
    }
}
