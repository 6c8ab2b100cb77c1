package io.soundflow.engine.audio;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

class WavReaderTest {

    static Audio read(byte[] bytes) throws IOException {
        return WavReader.read(new ByteArrayInputStream(bytes), "test.wav");
    }

    @Test
    void pcm16MonoIsScaledBy32768() throws IOException {
        byte[] wav = new WavBytes().fmt(1, 1, 16000, 16).data(WavBytes.intPcm(16, new int[] {0, 16384, -32768, 32767})).build();
        Audio a = read(wav);
        assertThat(a.sampleRate()).isEqualTo(16000);
        assertThat(a.channels()).isEqualTo(1);
        assertThat(a.samples()).containsExactly(0f, 0.5f, -1f, 32767 / 32768f);
    }

    @Test
    void everyIntegerWidth() throws IOException {
        // 8-bit is unsigned with a bias of 128
        assertThat(read(new WavBytes().fmt(1, 1, 8000, 8).data(new byte[] {(byte) 128, (byte) 192, 0, (byte) 255}).build()).samples())
                .containsExactly(0f, 0.5f, -1f, 127 / 128f);
        assertThat(read(new WavBytes().fmt(1, 1, 8000, 24).data(WavBytes.intPcm(24, new int[] {1 << 22, -(1 << 23), 0})).build()).samples())
                .containsExactly(0.5f, -1f, 0f);
        assertThat(read(new WavBytes().fmt(1, 1, 8000, 32).data(WavBytes.intPcm(32, new int[] {1 << 30, Integer.MIN_VALUE})).build()).samples())
                .containsExactly(0.5f, -1f);
    }

    @Test
    void floatWidths() throws IOException {
        ByteBuffer f = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(0.25f).putFloat(-0.75f);
        assertThat(read(new WavBytes().fmt(3, 1, 44100, 32).data(f.array()).build()).samples()).containsExactly(0.25f, -0.75f);
        ByteBuffer d = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putDouble(0.125).putDouble(1.5);
        Audio a = read(new WavBytes().fmt(3, 1, 48000, 64).data(d.array()).build());
        assertThat(a.samples()).containsExactly(0.125f, 1.5f);
        assertThat(a.sampleRate()).isEqualTo(48000);
    }

    @Test
    void channelsAreAveraged() throws IOException {
        Audio stereo = read(new WavBytes().fmt(1, 2, 16000, 16).data(WavBytes.intPcm(16, new int[] {16384, 0, -16384, -16384})).build());
        assertThat(stereo.samples()).containsExactly(0.25f, -0.5f);
        Audio six = read(new WavBytes().fmt(1, 6, 16000, 16).data(WavBytes.intPcm(16, new int[] {6 * 1024, 0, 0, 0, 0, 0})).build());
        assertThat(six.samples()).containsExactly(1024 / 32768f);
    }

    @Test
    void waveFormatExtensible() throws IOException {
        Audio pcm = read(new WavBytes().fmtExtensible(1, 2, 48000, 24, 24).data(WavBytes.intPcm(24, new int[] {1 << 22, 1 << 22})).build());
        assertThat(pcm.samples()).containsExactly(0.5f);
        ByteBuffer f = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(0.5f).putFloat(-0.5f);
        assertThat(read(new WavBytes().fmtExtensible(3, 1, 48000, 32, 32).data(f.array()).build()).samples()).containsExactly(0.5f, -0.5f);
    }

    @Test
    void unknownChunksAnyOrderAndPadBytes() throws IOException {
        byte[] wav = new WavBytes().chunk("LIST", new byte[] {1, 2, 3}).data(WavBytes.intPcm(16, new int[] {100, 200}))
                .fmt(1, 1, 22050, 16).build();
        Audio a = read(wav);
        assertThat(a.samples()).containsExactly(100 / 32768f, 200 / 32768f);
        assertThat(a.sampleRate()).isEqualTo(22050);
    }

    @Test
    void streamedDataSizeRunsToTheEnd() throws IOException {
        byte[] wav = new WavBytes().fmt(1, 1, 16000, 16).data(WavBytes.intPcm(16, new int[] {1, 2, 3})).build();
        ByteBuffer.wrap(wav).order(ByteOrder.LITTLE_ENDIAN).putInt(40, -1); // data size 0xFFFFFFFF
        assertThat(read(wav).samples()).hasSize(3);
    }

    @Test
    void writerRoundTrip(@TempDir Path dir) throws IOException {
        float[] x = new float[1000];
        Random r = new Random(1);
        for (int i = 0; i < x.length; i++) {
            x[i] = (r.nextInt(65536) - 32768) / 32768f;
        }
        x[0] = 2f; // clipped
        Path f = dir.resolve("rt.wav");
        WavWriter.writePcm16(f, x, 16000);
        Audio a = WavReader.read(f);
        assertThat(a.source()).isEqualTo(f);
        x[0] = 32767 / 32768f;
        assertThat(a.samples()).containsExactly(x);

        WavWriter.writePcm16(f, new float[4800], 48000);
        Audio b = WavReader.read16k(f);
        assertThat(b.sampleRate()).isEqualTo(16000);
        assertThat(b.samples()).hasSize(1600);
    }

    @Test
    void malformedFilesNameTheFileAndTheProblem() {
        byte[] good = new WavBytes().fmt(1, 1, 16000, 16).data(WavBytes.intPcm(16, new int[] {1, 2, 3, 4})).build();
        expectError(new byte[0], "too short");
        expectError("hello world, this is text".getBytes(), "not a WAV file");
        expectError(mutate(good, 8, "AVI "), "expected 'WAVE'");
        expectError(new WavBytes().data(new byte[4]).build(), "no fmt chunk");
        expectError(new WavBytes().fmt(1, 1, 16000, 16).build(), "no data chunk");
        expectError(new WavBytes().chunk("fmt ", new byte[10]).data(new byte[4]).build(), "at least 16");
        expectError(new WavBytes().fmt(1, 0, 16000, 16).data(new byte[4]).build(), "zero channels");
        expectError(new WavBytes().fmt(1, 1, 0, 16).data(new byte[4]).build(), "sample rate 0");
        expectError(new WavBytes().fmt(2, 1, 16000, 4).data(new byte[4]).build(), "format tag 0x0002");
        expectError(new WavBytes().fmt(1, 1, 16000, 12).data(new byte[4]).build(), "12 bits");
        expectError(new WavBytes().fmt(3, 1, 16000, 16).data(new byte[4]).build(), "16 bits");
        byte[] badAlign = good.clone();
        ByteBuffer.wrap(badAlign).order(ByteOrder.LITTLE_ENDIAN).putShort(32, (short) 3);
        expectError(badAlign, "block align 3");
        // a data chunk shorter than declared is read with a warning: WavStreamTest.truncatedDataIsReadWithOneWarning
        expectError(new WavBytes().fmt(1, 2, 16000, 16).data(new byte[6]).build(), "whole number");
        expectError(new WavBytes().fmtExtensible(1, 1, 16000, 16, 20).data(new byte[4]).build(), "valid bits");
    }

    @Test
    void missingFileNamesIt() {
        assertThatThrownBy(() -> WavReader.read(Path.of("/nonexistent/x.wav")))
                .isInstanceOf(NoSuchFileException.class).hasMessageContaining("/nonexistent/x.wav");
    }

    /** Hostile inputs: truncations and byte corruptions of a valid file either decode or fail cleanly. */
    @Property(tries = 400)
    void mutatedFilesFailCleanly(@ForAll @IntRange(min = 0, max = 1000) int cut,
                                 @ForAll @IntRange(min = 0, max = 1000) int where,
                                 @ForAll byte value, @ForAll boolean truncate) {
        byte[] good = new WavBytes().chunk("LIST", new byte[5]).fmtExtensible(1, 2, 48000, 24, 24)
                .data(WavBytes.intPcm(24, new int[] {1, -2, 3, -4, 5, -6, 7, -8})).build();
        byte[] bad = truncate ? Arrays.copyOf(good, cut % (good.length + 1)) : good.clone();
        if (!truncate) {
            bad[where % bad.length] = value;
        }
        Throwable t = catchThrowable(() -> read(bad));
        if (t != null) {
            assertThat(t).isInstanceOf(AudioFormatException.class).hasMessageStartingWith("test.wav: ");
        }
    }

    private static byte[] mutate(byte[] b, int at, String ascii) {
        byte[] c = b.clone();
        System.arraycopy(ascii.getBytes(), 0, c, at, ascii.length());
        return c;
    }

    private static void expectError(byte[] wav, String fragment) {
        assertThatThrownBy(() -> read(wav)).isInstanceOf(AudioFormatException.class)
                .hasMessageStartingWith("test.wav: ").hasMessageContaining(fragment);
    }

    @Test
    void goldenWavsRead(@TempDir Path dir) throws IOException {
        // a file on disk reports its path in errors too
        Path f = dir.resolve("bad.wav");
        Files.write(f, new byte[] {'R', 'I', 'F', 'F', 0, 0, 0, 0, 'W', 'A', 'V', 'E'});
        assertThatThrownBy(() -> WavReader.read(f)).isInstanceOf(AudioFormatException.class)
                .hasMessageStartingWith(f.toString()).hasMessageContaining("no fmt chunk");
    }
}
