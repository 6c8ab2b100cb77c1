package io.soundflow.tools;

import io.soundflow.engine.audio.WavWriter;
import io.soundflow.testing.SharedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Hostile and unusual {@code --wav} inputs through the real command line: one clear line, or a correct run. */
class WavInputCommandTest {
    @TempDir
    Path dir;

    private static String model() {
        return SharedData.require("golden/ai-tiny").resolve("model").toString();
    }

    private static Path clip() {
        return SharedData.require("golden/ai-tiny").resolve("clip-8s.wav");
    }

    /** A 16-bit mono WAV header + data. */
    private static byte[] wav(int rate, int frames) {
        ByteBuffer b = ByteBuffer.allocate(44 + 2 * frames).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes()).putInt(36 + 2 * frames).put("WAVEfmt ".getBytes()).putInt(16).putShort((short) 1)
                .putShort((short) 1).putInt(rate).putInt(2 * rate).putShort((short) 2).putShort((short) 16)
                .put("data".getBytes()).putInt(2 * frames);
        for (int i = 0; i < frames; i++) {
            b.putShort((short) (1000 * Math.sin(i)));
        }
        return b.array();
    }

    private static String errorLine(CliRun r, String command) {
        assertThat(r.code()).as(r.out() + r.err()).isEqualTo(1);
        List<String> lines = r.err().lines().filter(l -> !l.startsWith("WARNING") && !l.contains("SoundFlow kernels")
                && !l.matches("^\\w{3} \\d+, \\d{4} .*")).toList();
        assertThat(lines).as(r.err()).hasSize(1);
        assertThat(lines.get(0)).startsWith("soundflow " + command + ": ");
        return lines.get(0).substring(("soundflow " + command + ": ").length());
    }

    @Test
    void aOneHertzFileIsRefusedByName() throws Exception {
        Path f = dir.resolve("r1.wav");
        Files.write(f, wav(1, 60000));
        assertThat(errorLine(CliRun.run("stream", "--model", model(), "--wav", f.toString()), "stream"))
                .isEqualTo(f + ": sample rate 1 Hz is outside the supported 4000..384000 Hz");
    }

    @Test
    void directoriesDevicesAndNonFiniteSamplesSayWhatIsWrong() throws Exception {
        assertThat(errorLine(CliRun.run("stream", "--model", model(), "--wav", dir.toString()), "stream"))
                .isEqualTo(dir + ": is a directory, not an audio file");
        assertThat(errorLine(CliRun.run("stream", "--model", model(), "--wav", "/dev/zero"), "stream"))
                .startsWith("/dev/zero: not a WAV file: ");
        assertThat(errorLine(CliRun.run("stream", "--model", model(), "--wav", dir.resolve("none.wav").toString()), "stream"))
                .isEqualTo(dir.resolve("none.wav") + ": no such audio file");

        int frames = 16000 * 6;
        ByteBuffer b = ByteBuffer.allocate(44 + 4 * frames).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes()).putInt(36 + 4 * frames).put("WAVEfmt ".getBytes()).putInt(16).putShort((short) 3)
                .putShort((short) 1).putInt(16000).putInt(64000).putShort((short) 4).putShort((short) 32)
                .put("data".getBytes()).putInt(4 * frames);
        for (int i = 0; i < frames; i++) {
            b.putFloat(i == 80100 ? Float.NaN : (float) (0.01 * Math.sin(i)));
        }
        Path nan = dir.resolve("nan.wav");
        Files.write(nan, b.array());
        String expected = nan + ": sample NaN at frame 80100, channel 0 (5.0063 s): float samples must be finite";
        assertThat(errorLine(CliRun.run("stream", "--model", model(), "--wav", nan.toString()), "stream")).isEqualTo(expected);
        assertThat(errorLine(CliRun.run("stream", "--lenient", "--model", model(), "--wav", nan.toString()), "stream")).isEqualTo(expected);
        assertThat(errorLine(CliRun.run("ask", "--model", model(), "--wav", nan.toString(), "--prompt", "hi"), "ask")).isEqualTo(expected);
    }

    @Test
    void aFifoFedSlowlyStreamsLikeTheFile() throws Exception {
        CliRun file = CliRun.run("stream", "--model", model(), "--wav", clip().toString(), "--mode", "chunk-local");
        assertThat(file.code()).as(file.err()).isZero();
        Path fifo = dir.resolve("clip.fifo");
        Process mk = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertThat(mk.waitFor(10, TimeUnit.SECONDS) && mk.exitValue() == 0).isTrue();
        byte[] bytes = Files.readAllBytes(clip());
        Thread writer = new Thread(() -> {
            try (OutputStream o = Files.newOutputStream(fifo)) {
                for (int off = 0; off < bytes.length; off += 16000) {
                    o.write(bytes, off, Math.min(16000, bytes.length - off));
                    o.flush();
                    Thread.sleep(20);
                }
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        writer.start();
        CliRun piped = CliRun.run("stream", "--model", model(), "--wav", fifo.toString(), "--mode", "chunk-local");
        writer.join();
        assertThat(piped.code()).as(piped.err()).isZero();
        assertThat(piped.out()).contains("soundflow stream: " + fifo + " (8.0 s)");
        assertThat(timeline(piped.out())).isEqualTo(timeline(file.out())).isNotEmpty();
    }

    @Test
    void standardInputIsAStreamOfUnknownLength() throws Exception {
        byte[] bytes = Files.readAllBytes(clip());
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(dataSizeOffset(bytes), -1); // streamed writer: 0xFFFFFFFF
        CliRun file = CliRun.run("stream", "--model", model(), "--wav", clip().toString(), "--mode", "chunk-local");
        InputStream saved = System.in;
        CliRun piped;
        try {
            System.setIn(new ByteArrayInputStream(bytes));
            piped = CliRun.run("stream", "--model", model(), "--wav", "-", "--mode", "chunk-local");
        } finally {
            System.setIn(saved);
        }
        assertThat(piped.code()).as(piped.err()).isZero();
        assertThat(piped.out()).contains("soundflow stream: standard input (unknown length)");
        assertThat(timeline(piped.out())).isEqualTo(timeline(file.out()));
    }

    private static int dataSizeOffset(byte[] b) {
        for (int i = 12; i + 8 <= b.length; i++) {
            if (b[i] == 'd' && b[i + 1] == 'a' && b[i + 2] == 't' && b[i + 3] == 'a') {
                return i + 4;
            }
        }
        throw new AssertionError("no data chunk");
    }

    @Test
    void refExactLimitIsCheckedBeforeTheModelLoads() throws Exception {
        Path f = dir.resolve("long.wav");
        Files.write(f, wav(4000, 4000 * 1801));
        // the model folder does not exist: the limit is reported first, so nothing was loaded
        assertThat(errorLine(CliRun.run("stream", "--model", dir.resolve("no-model").toString(), "--wav", f.toString(),
                "--mode", "ref-exact"), "stream"))
                .isEqualTo(f + ": 1801.0 s of audio: --mode ref-exact keeps the whole input and is limited to 1800 s; "
                        + "use --mode windowed for long or live streams");
    }

    /** The heap need comes from the header: a header declaring twice this JVM's heap is refused without reading the data. */
    @Test
    void refExactRefusesWhatWillNotFitTheHeap() throws Exception {
        long seconds = Runtime.getRuntime().maxMemory() / StreamCommand.REF_EXACT_BYTES_PER_SAMPLE / 16_000 * 2 + 1;
        ByteBuffer b = ByteBuffer.allocate(44 + 4000).order(ByteOrder.LITTLE_ENDIAN); // 8-bit 4 kHz: 4000 bytes a second
        b.put("RIFF".getBytes()).putInt(-1).put("WAVEfmt ".getBytes()).putInt(16).putShort((short) 1)
                .putShort((short) 1).putInt(4000).putInt(4000).putShort((short) 1).putShort((short) 8)
                .put("data".getBytes()).putInt((int) (seconds * 4000));
        try (var wav = io.soundflow.engine.audio.WavReader.open(new ByteArrayInputStream(b.array()), "big.wav", 16000)) {
            assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> StreamCommand.readForRefExact(wav, Integer.MAX_VALUE)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("big.wav: --mode ref-exact needs about ")
                    .hasMessageContaining("MB of heap for this input, the JVM has ").hasMessageContaining("raise -Xmx");
        }
    }

    @Test
    void askRefusesAudioThatCannotFitBeforeEncoding() {
        String line = errorLine(CliRun.run("ask", "--model", model(), "--wav", clip().toString(), "--prompt", "hi",
                "--max-new-tokens", "32700"), "ask");
        assertThat(line).startsWith(clip() + ": audio of 8.0 s is too long for ask: at most ")
                .contains("s fit the model's 32768 positions").contains("--max-new-tokens 32700");
    }

    @Test
    void forwardRefusesASingleSampleByName() throws Exception {
        Path g = SharedData.require("golden/omni-tiny");
        Path one = dir.resolve("one.wav");
        WavWriter.writePcm16(one, new float[] {0.1f}, 16000);
        String line = errorLine(CliRun.run("forward", "--model", g.resolve("model").toString(), "--wav", one.toString(),
                "--prompt-ids-file", g.resolve("prompt-ids.txt").toString(), "--dump", dir.resolve("o.safetensors").toString()),
                "forward");
        assertThat(line).isEqualTo(one + ": 1 sample (0.06 ms) is too short: forward needs at least 321 samples (20.1 ms at 16 kHz)");
    }

    private static List<String> timeline(String out) {
        return out.lines().filter(l -> l.matches("^ +\\d+\\.\\ds  .*")).toList();
    }

    /** {@code --raw-rate}: the clip's PCM bytes without their header stream exactly as the WAV does. */
    @Test
    void rawPcmStreamsAsTheSameWav() throws Exception {
        Path wavFile = dir.resolve("clip16.wav");
        float[] samples = io.soundflow.engine.audio.WavReader.read16k(clip()).samples();
        WavWriter.writePcm16(wavFile, samples, 16_000);
        byte[] all = Files.readAllBytes(wavFile);
        Path raw = dir.resolve("clip.s16le");
        Files.write(raw, java.util.Arrays.copyOfRange(all, 44, all.length)); // WavWriter writes a 44-byte header
        CliRun a = CliRun.run("stream", "--model", model(), "--wav", wavFile.toString(), "--json", "--layout", "one-by-one");
        CliRun b = CliRun.run("stream", "--model", model(), "--wav", raw.toString(), "--raw-rate", "16000", "--json",
                "--layout", "one-by-one");
        assertThat(a.code()).as(a.err()).isZero();
        assertThat(b.code()).as(b.err()).isZero();
        assertThat(decisions(b.out())).isEqualTo(decisions(a.out())).isNotEmpty();
        assertThat(errorLine(CliRun.run("stream", "--model", model(), "--wav", raw.toString(), "--raw-rate", "1"), "stream"))
                .contains("sample rate 1 Hz is outside the supported 4000..384000 Hz");
        assertThat(errorLine(CliRun.run("stream", "--model", model(), "--mic", "--raw-rate", "16000"), "stream"))
                .isEqualTo("--raw-rate needs --wav (a file, a FIFO or - for standard input)");
    }

    /** The decision lines of a --json run (chunk and decision only: latencies differ run to run). */
    private static List<String> decisions(String jsonLines) {
        return jsonLines.lines().filter(l -> l.contains("\"decision\"")).map(l -> l.replaceAll(",\"latency_ms\":[^,}]*", "")
                .replaceAll(",\"t_ms\":[^,}]*", "")).toList();
    }
}
