package io.soundflow.engine.audio;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** The hostile-WAV corpus (generated here) and the block reader's bounded memory. */
class WavStreamTest {
    @TempDir
    Path dir;

    private Path write(String name, byte[] bytes) throws IOException {
        Path f = dir.resolve(name);
        Files.write(f, bytes);
        return f;
    }

    private static byte[] pcm16(int rate, int channels, int frames) {
        int[] v = new int[frames * channels];
        for (int i = 0; i < v.length; i++) {
            v[i] = (int) (8000 * Math.sin(i * 0.05));
        }
        return new WavBytes().fmt(1, channels, rate, 16).data(WavBytes.intPcm(16, v)).build();
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 10, 3999, 384001})
    void ratesOutsideTheRangeAreRefusedByName(int rate) throws IOException {
        Path f = write("r" + rate + ".wav", pcm16(rate, 1, 60000));
        assertThatThrownBy(() -> WavReader.read16k(f)).isInstanceOf(AudioFormatException.class)
                .hasMessage(f + ": sample rate " + rate + " Hz is outside the supported 4000..384000 Hz");
        assertThatThrownBy(() -> WavReader.open(f, 16000)).isInstanceOf(AudioFormatException.class);
    }

    @Test
    void theEdgesOfTheRangeAreAccepted() throws IOException {
        assertThat(WavReader.read16k(write("lo.wav", pcm16(4000, 1, 4000))).samples()).hasSize(16000);
        assertThat(WavReader.read16k(write("hi.wav", pcm16(384000, 1, 38400))).samples()).hasSize(1600);
    }

    @Test
    void anUnsupportedRatioNamesTheFile() throws IOException {
        Path f = write("odd.wav", pcm16(383999, 1, 100));
        assertThatThrownBy(() -> WavReader.read16k(f)).isInstanceOf(AudioFormatException.class)
                .hasMessageStartingWith(f + ": unsupported sample-rate ratio 383999 -> 16000").hasMessageContaining("taps");
    }

    @Test
    void nonFiniteFloatSamplesAreRefusedWithFrameChannelAndTime() throws IOException {
        int frames = 16000;
        ByteBuffer f32 = ByteBuffer.allocate(frames * 2 * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < frames * 2; i++) {
            f32.putFloat(i == 2 * 5100 + 1 ? Float.NaN : 0.01f);
        }
        Path nan = write("nan.wav", new WavBytes().fmt(3, 2, 16000, 32).data(f32.array()).build());
        assertThatThrownBy(() -> WavReader.read(nan)).isInstanceOf(AudioFormatException.class)
                .hasMessage(nan + ": sample NaN at frame 5100, channel 1 (0.3188 s): float samples must be finite");

        ByteBuffer f64 = ByteBuffer.allocate(100 * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 100; i++) {
            f64.putDouble(i == 70 ? Double.NEGATIVE_INFINITY : i == 90 ? 1e300 : 0.5);
        }
        Path inf = write("inf.wav", new WavBytes().fmt(3, 1, 8000, 64).data(f64.array()).build());
        assertThatThrownBy(() -> WavReader.read16k(inf)).hasMessageContaining("sample -Inf at frame 70, channel 0");
        f64.putDouble(70 * 8, 0.0);
        Path big = write("big.wav", new WavBytes().fmt(3, 1, 8000, 64).data(f64.array()).build());
        assertThatThrownBy(() -> WavReader.read16k(big)).hasMessageContaining("beyond the float range (1.0E300) at frame 90");
        // through the block reader too: the blocks before the bad sample arrive, then the error
        try (WavStream s = WavReader.open(nan, 16000)) {
            assertThatThrownBy(() -> s.readAll(Long.MAX_VALUE)).hasMessageContaining("frame 5100");
        }
    }

    @Test
    void truncatedDataIsReadWithOneWarning() throws IOException {
        byte[] full = pcm16(16000, 1, 48000); // 96000 data bytes
        Path f = write("x.wav", Arrays.copyOf(full, 44 + 47978));
        try (WavStream s = WavReader.open(f, 16000)) {
            assertThat(s.warning()).isEqualTo(f + ": the data chunk declares 96000 bytes but only 47978 are present; "
                    + "reading the 23989 frames that are there");
            assertThat(s.sourceFrames()).isEqualTo(23989);
            assertThat(s.readAll(Long.MAX_VALUE)).hasSize(23989);
        }
        // the same bytes from a pipe: the shortfall is found at the end
        try (WavStream s = WavReader.open(new ByteArrayInputStream(Files.readAllBytes(f)), "pipe", 16000)) {
            assertThat(s.warning()).isNull();
            assertThat(s.readAll(Long.MAX_VALUE)).hasSize(23989);
            assertThat(s.warning()).isEqualTo("pipe: the data chunk declares 96000 bytes but only 47978 are present; "
                    + "reading the 23989 frames that are there");
        }
    }

    @Test
    void hugeDeclaredSizesAllocateNothingBig() throws IOException {
        byte[] b = pcm16(8000, 1, 100);
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(40, 0x7FFFFFF0); // data declares 2 GB
        Path f = write("huge.wav", b);
        assertThat(WavReader.read(f).samples()).hasSize(100);
        try (WavStream s = WavReader.open(new ByteArrayInputStream(b), "pipe", 0)) {
            assertThat(s.sourceFrames()).isEqualTo(0x7FFFFFF0 / 2);
            assertThat(s.readAll(Long.MAX_VALUE)).hasSize(100);
        }
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(40, -1); // 0xFFFFFFFF: up to the end
        try (WavStream s = WavReader.open(new ByteArrayInputStream(b), "pipe", 16000)) {
            assertThat(s.seconds()).isNaN();
            assertThat(s.readAll(Long.MAX_VALUE)).hasSize(200);
            assertThat(s.warning()).isNull();
        }
        byte[] odd = Arrays.copyOf(b, b.length - 1); // up to the end, but the last frame is cut
        try (WavStream s = WavReader.open(new ByteArrayInputStream(odd), "pipe", 0)) {
            assertThat(s.readAll(Long.MAX_VALUE)).hasSize(99);
            assertThat(s.warning()).isEqualTo("pipe: the stream ends with 1 bytes of an incomplete 2-byte frame; "
                    + "reading the 99 whole frames");
        }
        byte[] junk = new WavBytes().chunk("JUNK", new byte[8]).fmt(1, 1, 8000, 16).data(new byte[4]).build();
        ByteBuffer.wrap(junk).order(ByteOrder.LITTLE_ENDIAN).putInt(16, -1); // a 4 GB junk chunk
        Path j = write("junk.wav", junk);
        assertThatThrownBy(() -> WavReader.read(j)).hasMessage(j + ": truncated: chunk 'JUNK' declares 4294967295 bytes but only "
                + (junk.length - 20) + " are present");
    }

    @Test
    void aDirectoryAndADeviceSayWhatTheyAre() throws IOException {
        assertThatThrownBy(() -> WavReader.read(dir)).isInstanceOf(AudioFormatException.class)
                .hasMessage(dir + ": is a directory, not an audio file");
        Path zero = Path.of("/dev/zero");
        assertThatThrownBy(() -> WavReader.read(zero)).isInstanceOf(AudioFormatException.class)
                .hasMessage("/dev/zero: not a WAV file: starts with '\\x00\\x00\\x00\\x00', expected 'RIFF'");
    }

    @Test
    void aFifoFedSlowlyIsReadAsAStream() throws Exception {
        Path fifo = dir.resolve("in.fifo");
        Process mk = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertThat(mk.waitFor(10, TimeUnit.SECONDS) && mk.exitValue() == 0).isTrue();
        byte[] wav = pcm16(48000, 2, 24000);
        Thread writer = new Thread(() -> {
            try (OutputStream o = Files.newOutputStream(fifo)) {
                for (int off = 0; off < wav.length; off += 7001) {
                    o.write(wav, off, Math.min(7001, wav.length - off));
                    o.flush();
                    Thread.sleep(5);
                }
            } catch (IOException | InterruptedException e) {
                throw new RuntimeException(e);
            }
        });
        writer.start();
        float[] got = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            try (WavStream s = WavReader.open(fifo, 16000)) {
                assertThat(s.sourceFrames()).isEqualTo(24000);
                return s.readAll(Long.MAX_VALUE);
            }
        });
        writer.join();
        Path file = write("same.wav", wav);
        assertThat(got).containsExactly(WavReader.read16k(file).samples());
    }

    /** Blocks of any size from the reader concatenate to the whole-file read (itself equal to Resampler.resample). */
    @Test
    void blocksEqualTheWholeFile() throws IOException {
        Path f = write("s.wav", pcm16(44100, 2, 44100));
        float[] whole = WavReader.read16k(f).samples();
        assertThat(whole).containsExactly(Resampler.resample(WavReader.read(f).samples(), 44100, 16000));
        float[] pieces = new float[whole.length + 10];
        int n = 0;
        Random r = new Random(3);
        try (WavStream s = WavReader.open(f, 16000)) {
            assertThat(s.length()).isEqualTo(whole.length);
            for (int k; (k = s.read(pieces, n, Math.min(1 + r.nextInt(3000), pieces.length - n))) >= 0; ) {
                n += k;
            }
        }
        assertThat(Arrays.copyOf(pieces, n)).containsExactly(whole);
    }

    @Test
    void resamplerCountsDoNotOverflow() {
        StreamingResampler up = new StreamingResampler(1, 16000);
        // 200,000 inputs give 3.2e9 outputs: refused by name (was a wrapped int: a negative array size)
        assertThatThrownBy(() -> up.process(new float[200_000], 0, 200_000)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("output samples, more than one array holds").hasMessageContaining("feed smaller blocks");
        assertThatThrownBy(() -> Resampler.resample(new float[200_000], 1, 16000)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("gives 3200000000 samples");
        assertThat(new StreamingResampler(1, 16000).outputLength(300_000)).isEqualTo(4_800_000_000L);
        assertThatThrownBy(() -> new StreamingResampler(1, 16000).outputLength(Long.MAX_VALUE / 2))
                .isInstanceOf(ArithmeticException.class).hasMessageContaining("overflow");
    }

    /**
     * Flat memory: a 10-minute 8 kHz file (9.6 MB; 38 MB as 16 kHz floats) streams in a JVM with a 24 MB heap,
     * which the whole-file read cannot do (checked too, so the heap is known to be small enough to tell).
     */
    @Test
    void aLongFileStreamsInASmallHeap() throws Exception {
        Path f = dir.resolve("long.wav");
        int rate = 8000;
        long frames = 600L * rate;
        try (OutputStream o = Files.newOutputStream(f)) {
            o.write(WavBytes.le(4, 0x46464952)); // RIFF
            o.write(WavBytes.le(4, 36 + frames * 2));
            o.write("WAVEfmt ".getBytes());
            o.write(WavBytes.le(4, 16));
            o.write(WavBytes.le(2, 1));
            o.write(WavBytes.le(2, 1));
            o.write(WavBytes.le(4, rate));
            o.write(WavBytes.le(4, rate * 2));
            o.write(WavBytes.le(2, 2));
            o.write(WavBytes.le(2, 16));
            o.write("data".getBytes());
            o.write(WavBytes.le(4, frames * 2));
            byte[] block = new byte[rate * 2];
            for (int i = 0; i < rate; i++) {
                short v = (short) (3000 * Math.sin(i * 0.1));
                block[2 * i] = (byte) v;
                block[2 * i + 1] = (byte) (v >> 8);
            }
            for (int s = 0; s < 600; s++) {
                o.write(block);
            }
        }
        assertThat(child("stream", f)).isEqualTo("samples " + frames * 2);
        assertThat(child("whole", f)).contains("OutOfMemoryError");
    }

    private static String child(String how, Path f) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(List.of(java, "-Xmx24m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                StreamChild.class.getName(), how, f.toString())).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return out;
    }

    /** The forked reader of {@link #aLongFileStreamsInASmallHeap}. */
    static final class StreamChild {
        public static void main(String[] args) throws IOException {
            Path f = Path.of(args[1]);
            try {
                if (args[0].equals("whole")) {
                    System.out.println("samples " + WavReader.read16k(f).samples().length);
                    return;
                }
                long n = 0;
                float[] buf = new float[1600];
                try (WavStream s = WavReader.open(f, 16000)) {
                    for (int k; (k = s.read(buf, 0, buf.length)) >= 0; ) {
                        n += k;
                    }
                }
                System.out.println("samples " + n);
            } catch (OutOfMemoryError e) {
                System.out.println("OutOfMemoryError");
            }
        }
    }

    /**
     * Random header corruptions of a valid file, read from disk and as a stream: a correct decode or one
     * AudioFormatException naming the source, never another exception, an OOM or a hang.
     */
    @Property(tries = 300)
    void mutatedHeadersFailCleanlyOrDecode(@ForAll @Size(min = 1, max = 6) List<@IntRange(min = 0, max = 79) Integer> where,
                                           @ForAll @Size(min = 6, max = 6) List<@IntRange(min = 0, max = 255) Integer> values,
                                           @ForAll boolean stereo) throws IOException {
        byte[] good = new WavBytes().chunk("LIST", new byte[5]).fmt(stereo ? 3 : 1, stereo ? 2 : 1, 22050, 32)
                .data(new byte[stereo ? 8 * 40 : 4 * 40]).build();
        byte[] bad = good.clone();
        for (int i = 0; i < where.size(); i++) {
            bad[where.get(i) % bad.length] = (byte) (int) values.get(i);
        }
        Path f = Files.createTempFile("soundflow-mutated", ".wav"); // (jqwik does not inject @TempDir)
        Files.write(f, bad);
        try {
            readBothWays(f, bad);
        } finally {
            Files.delete(f);
        }
    }

    private static void readBothWays(Path f, byte[] bad) {
        for (int source = 0; source < 2; source++) {
            int src = source;
            Throwable t = catchThrowable(() -> assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
                if (src == 0) {
                    WavReader.read16k(f);
                } else {
                    try (WavStream s = WavReader.open(new ByteArrayInputStream(bad), "pipe.wav", 16000)) {
                        s.readAll(Long.MAX_VALUE);
                    }
                }
            }));
            if (t != null) {
                assertThat(t).isInstanceOf(AudioFormatException.class)
                        .hasMessageStartingWith((src == 0 ? f.toString() : "pipe.wav") + ": ");
            }
        }
    }

    /** A live pipe: the header (data size 0xFFFFFFFF, "up to the end") and 100 ms of audio, the writer still open. */
    @Test
    void aPipeHandsOutAudioAsItArrivesNotWhenABlockFills() throws Exception {
        byte[] wav = pcm16(16000, 1, 1600);
        ByteBuffer.wrap(wav).order(ByteOrder.LITTLE_ENDIAN).putInt(40, 0xFFFFFFFF); // the data chunk's size
        java.io.PipedOutputStream writer = new java.io.PipedOutputStream();
        java.io.PipedInputStream reader = new java.io.PipedInputStream(writer, 1 << 16);
        writer.write(wav);
        writer.flush();
        try (WavStream s = WavReader.open(reader, "pipe", 16000)) {
            float[] buf = new float[8192];
            int got = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
                int n = 0;
                while (n < 1600) { // before: blocked until 64 KiB (2 s of this audio) had arrived
                    n += s.read(buf, n, buf.length - n);
                }
                return n;
            });
            assertThat(got).isEqualTo(1600);
            writer.close();
            assertThat(s.read(buf, 0, buf.length)).isEqualTo(-1);
        }
    }

    @Test
    void theSamplesBeforeANonFiniteOneAreHandedOutFirst() throws IOException {
        int frames = 40_000;
        ByteBuffer f32 = ByteBuffer.allocate(frames * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < frames; i++) {
            f32.putFloat(i == 20_000 ? Float.POSITIVE_INFINITY : 0.01f);
        }
        Path f = write("late-inf.wav", new WavBytes().fmt(3, 1, 16000, 32).data(f32.array()).build());
        try (WavStream s = WavReader.open(f, 16000)) {
            float[] buf = new float[4096];
            long seen = 0;
            Throwable error = null;
            try {
                for (int r; (r = s.read(buf, 0, buf.length)) >= 0; ) {
                    seen += r;
                }
            } catch (AudioFormatException e) {
                error = e;
            }
            assertThat(seen).as("every sample before the bad one").isEqualTo(20_000);
            assertThat(error).hasMessage(f + ": sample +Inf at frame 20000, channel 0 (1.2500 s): float samples must be finite");
        }
    }

    @Test
    void readingAWholeFileAllocatesAboutTwiceItsSamplesNotFiveTimes() throws IOException {
        int frames = 2_000_000;
        Path f = write("long.wav", pcm16(16000, 1, frames));
        var mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        WavReader.read16k(f); // warm up the code paths
        long b0 = mx.getThreadAllocatedBytes(Thread.currentThread().threadId());
        float[] x = WavReader.read16k(f).samples();
        long bytes = mx.getThreadAllocatedBytes(Thread.currentThread().threadId()) - b0;
        assertThat(x).hasSize(frames);
        // the result (4 B a sample) and the decoded blocks (4 B); before, the array grew to twice the length first
        assertThat(bytes / (double) frames).as("bytes allocated per sample").isLessThan(10.0);
    }
}
