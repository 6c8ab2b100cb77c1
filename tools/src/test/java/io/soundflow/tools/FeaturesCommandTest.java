package io.soundflow.tools;

import io.soundflow.engine.audio.AudioInteractionMel;
import io.soundflow.engine.audio.Mel;
import io.soundflow.engine.audio.WavWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

import static io.soundflow.tools.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code soundflow features}: the file holds the windowed front end's mels of the audio, chunk after chunk. */
class FeaturesCommandTest {
    @TempDir
    Path dir;

    private static float[] tone(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (0.3 * Math.sin(i * 0.07 * (1 + seed)) + 0.01 * (r.nextDouble() - 0.5));
        }
        return x;
    }

    private static float[] readF32(Path p) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(p)).order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[b.remaining() / 4];
        b.asFloatBuffer().get(out);
        return out;
    }

    @Test
    void manifestFilesGetTheirMelsUnderTheSameRelativePaths() throws IOException {
        Files.createDirectories(dir.resolve("streams"));
        float[][] clips = {tone(6400 * 3, 1), tone(6400 * 2 + 1234, 2)};
        for (int i = 0; i < clips.length; i++) {
            WavWriter.writePcm16(dir.resolve("streams/" + i + ".wav"), clips[i], 16_000);
        }
        Files.writeString(dir.resolve("m.jsonl"), "{\"audio\": \"streams/0.wav\", \"events\": []}\n\n{\"audio\": \"streams/1.wav\"}\n");
        CliRun r = run("features", "--manifest", dir.resolve("m.jsonl").toString(), "--out", dir.resolve("out").toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("2 files, 6 chunks");
        for (int i = 0; i < clips.length; i++) {
            float[] got = readF32(dir.resolve("out/streams/" + i + ".mel"));
            Mel[] want = AudioInteractionMel.windowedAll(CliAudio.read16k(dir.resolve("streams/" + i + ".wav")), AudioInteractionMel.DEFAULT_WINDOW_CHUNKS);
            assertThat(got).hasSize(want.length * 128 * 40);
            for (int c = 0; c < want.length; c++) {
                float[] chunk = java.util.Arrays.copyOfRange(got, c * 128 * 40, (c + 1) * 128 * 40);
                assertThat(chunk).as("file %d chunk %d", i, c).containsExactly(want[c].data());
            }
        }
    }

    @Test
    void aBadManifestLineIsNamed() throws IOException {
        Files.writeString(dir.resolve("m.jsonl"), "{\"audio\": \"a.wav\"}\n{\"duration\": 3}\n");
        CliRun r = run("features", "--manifest", dir.resolve("m.jsonl").toString(), "--out", dir.resolve("o").toString());
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("m.jsonl line 2").contains("no \"audio\" path");
    }
}
