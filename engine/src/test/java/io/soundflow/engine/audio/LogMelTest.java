package io.soundflow.engine.audio;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Properties of the log-mel conventions that the golden data does not cover. */
class LogMelTest {

    static float[] noise(int n, double amp, long seed) {
        Random r = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (amp * r.nextGaussian());
        }
        return x;
    }

    static double maxAbsDiff(Mel a, Mel b) {
        assertThat(a.frames()).isEqualTo(b.frames());
        return LogMelGoldenTest.maxAbsDiff(a.data(), b.data());
    }

    @Test
    void qwenOfflineEqualsTheMaterialisedThreeHundredSecondBuffer() {
        // loud at the very end: the loudest STFT frames lie past the last kept frame and see zero padding
        float[] x = noise(16_123, 0.01, 1);
        for (int i = x.length - 120; i < x.length; i++) {
            x[i] = (float) Math.sin(i * 0.7);
        }
        Mel fast = LogMel.qwenOffline(x);
        Mel full = LogMel.whisper(x, 0, x.length, LogMel.QWEN_BUFFER_SAMPLES); // all 30,000 frames
        assertThat(full.frames()).isEqualTo(LogMel.QWEN_MAX_FRAMES);
        int keep = (x.length + 159) / 160;
        assertThat(fast.frames()).isEqualTo(keep);
        assertThat(maxAbsDiff(fast, full.frames(0, keep))).isZero();
    }

    @Test
    void qwenOfflineClampUsesFramesBeyondTheAudio() {
        // quiet body, a click in the last 30 samples: the loudest frames are past the last kept frame
        float[] x = noise(16_123, 1e-5, 1);
        for (int i = x.length - 30; i < x.length; i++) {
            x[i] = 0.9f;
        }
        int keep = (x.length + 159) / 160;
        int n = keep + 2;
        double[] raw = LogMel.rawLogMel(LogMel.centredBuffer(x, 0, x.length, LogMel.QWEN_BUFFER_SAMPLES, n), n);
        double maxKept = Double.NEGATIVE_INFINITY;
        double maxAll = Double.NEGATIVE_INFINITY;
        for (int b = 0; b < 128; b++) {
            for (int t = 0; t < n; t++) {
                maxAll = Math.max(maxAll, raw[b * n + t]);
                if (t < keep) {
                    maxKept = Math.max(maxKept, raw[b * n + t]);
                }
            }
        }
        assertThat(maxAll).isGreaterThan(maxKept + 0.1);
        Mel fast = LogMel.qwenOffline(x);
        float min = Float.POSITIVE_INFINITY;
        for (float v : fast.data()) {
            min = Math.min(min, v);
        }
        assertThat((double) min).isCloseTo((maxAll - 8 + 4) / 4, org.assertj.core.data.Offset.offset(1e-6));
        Mel full = LogMel.whisper(x, 0, x.length, LogMel.QWEN_BUFFER_SAMPLES);
        assertThat(maxAbsDiff(fast, full.frames(0, keep))).isZero();
    }

    @Test
    void frameCountsFollowTheHfAttentionMask() {
        assertThat(LogMel.qwenFrameCount(75237)).isEqualTo(471);
        assertThat(LogMel.qwenFrameCount(160)).isEqualTo(1);
        assertThat(LogMel.qwenFrameCount(161)).isEqualTo(2);
        assertThat(LogMel.qwenFrameCount(10_000_000)).isEqualTo(30_000);
        assertThat(LogMel.qwenOffline(noise(161, 0.1, 2)).frames()).isEqualTo(2);
    }

    @Test
    void silenceIsMinusOnePointFive() {
        // the released code's silence round: log10(1e-10) = -10 everywhere, clamp is a no-op, (-10+4)/4
        for (Mel m : new Mel[] {LogMel.qwenOffline(new float[1600]), LogMel.audioInteraction(new float[19200]),
                AudioInteractionMel.chunkLocal(new float[6400])}) {
            for (float v : m.data()) {
                assertThat(v).isEqualTo(-1.5f);
            }
        }
    }

    @Test
    void dynamicRangeIsClampedToEightDecades() {
        float[] x = noise(12_800, 1e-5, 3);
        for (int i = 3000; i < 3400; i++) {
            x[i] = (float) Math.sin(i * 0.3);
        }
        Mel m = LogMel.audioInteraction(x);
        double max = Double.NEGATIVE_INFINITY;
        double min = Double.POSITIVE_INFINITY;
        for (float v : m.data()) {
            max = Math.max(max, v);
            min = Math.min(min, v);
        }
        assertThat(max - min).isCloseTo(2.0, org.assertj.core.data.Offset.offset(1e-6)); // 8 / 4
    }

    @Test
    void sineLandsInItsMelBin() {
        float[] x = new float[6400];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (0.5 * Math.sin(2 * Math.PI * 1000 * i / 16000.0));
        }
        Mel m = AudioInteractionMel.chunkLocal(x);
        int best = 0;
        for (int b = 0; b < 128; b++) {
            if (m.at(b, 20) > m.at(best, 20)) {
                best = b;
            }
        }
        // bin b peaks at mel (b + 1) * mel(8000) / 129 -> Hz; 1 kHz is mel 15
        double centre = MelFilterbank.melToHz((best + 1) * MelFilterbank.hzToMel(8000) / 129);
        assertThat(centre).isBetween(950.0, 1050.0);
    }

    @Test
    void slaneyScaleMatchesTheSpec() {
        assertThat(MelFilterbank.hzToMel(8000)).isCloseTo(45.245640471924965, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(MelFilterbank.melToHz(MelFilterbank.hzToMel(3210.5))).isCloseTo(3210.5, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(MelFilterbank.hzToMel(600)).isEqualTo(9.0);
    }

    @Test
    void refExactCutsOneWholeMel() {
        float[] x = noise(6400 * 3 + 777, 0.1, 4);
        Mel whole = LogMel.audioInteraction(x);
        assertThat(whole.frames()).isEqualTo(160);
        Mel[] chunks = AudioInteractionMel.refExact(x);
        assertThat(chunks).hasSize(4);
        for (int i = 0; i < 4; i++) {
            assertThat(chunks[i].data()).containsExactly(whole.frames(40 * i, 40 * i + 40).data());
        }
    }

    @Test
    void chunkLocalZeroPadsAPartialChunk() {
        float[] x = noise(3000, 0.1, 5);
        float[] padded = java.util.Arrays.copyOf(x, 6400);
        assertThat(AudioInteractionMel.chunkLocal(x).data()).containsExactly(AudioInteractionMel.chunkLocal(padded).data());
        Mel[] all = AudioInteractionMel.chunkLocalAll(noise(6400 * 2 + 1, 0.1, 6));
        assertThat(all).hasSize(3);
    }

    @Test
    void windowedWithTheLoudestFrameInChunkZeroEqualsRefExact() {
        float[] x = noise(6400 * 5 + 3210, 0.02, 7);
        for (int i = 100; i < 600; i++) {
            x[i] = (float) Math.sin(i * 0.5); // loudest part in chunk 0
        }
        Mel[] ref = AudioInteractionMel.refExact(x);
        WindowedMel w = AudioInteractionMel.windowed(100);
        Mel[] got = feedLikeARuntime(w, x);
        assertThat(got).hasSameSizeAs(ref);
        for (int i = 0; i < ref.length; i++) {
            assertThat(maxAbsDiff(got[i], ref[i])).as("chunk %d", i).isLessThan(1e-6);
        }
        // a fresh stream after reset behaves like a new file
        w.reset();
        Mel again = w.next(x, 0, 6440, false);
        assertThat(maxAbsDiff(again, ref[0])).isLessThan(1e-6);
    }

    @Test
    void windowedClampIsCausalAndRolling() {
        float[] x = noise(6400 * 4, 0.02, 8);
        for (int i = 6400 * 3; i < 6400 * 3 + 500; i++) {
            x[i] = (float) Math.sin(i * 0.5); // loudest part in the last chunk
        }
        Mel[] ref = AudioInteractionMel.refExact(x);
        Mel[] got = feedLikeARuntime(AudioInteractionMel.windowed(100), x);
        assertThat(maxAbsDiff(got[0], ref[0])).isGreaterThan(1e-3); // ref-exact sees the future, windowed not
        assertThat(maxAbsDiff(got[3], ref[3])).isLessThan(1e-6);
        // a one-chunk window clamps each chunk with its own maximum: same spread as chunk-local
        Mel[] one = feedLikeARuntime(AudioInteractionMel.windowed(1), x);
        Mel[] local = AudioInteractionMel.chunkLocalAll(x);
        assertThat(spread(one[1])).isCloseTo(spread(local[1]), org.assertj.core.data.Offset.offset(0.3));
    }

    @Test
    void windowedAllCutsAWholeInputAsTheRuntimeDoes() {
        for (int len : new int[] {6400 * 3, 6400 * 3 + 20, 6400 * 3 + 40, 6400 * 3 + 3000, 100}) {
            float[] x = noise(len, 0.02, len);
            Mel[] want = feedLikeARuntime(AudioInteractionMel.windowed(7), x);
            Mel[] got = AudioInteractionMel.windowedAll(x, 7);
            assertThat(got).as("length %d", len).hasSameSizeAs(want);
            for (int i = 0; i < want.length; i++) {
                assertThat(got[i].data()).as("length %d chunk %d", len, i).containsExactly(want[i].data());
            }
        }
    }

    @Test
    void windowedRejectsBadChunks() {
        WindowedMel w = AudioInteractionMel.windowed();
        assertThatThrownBy(() -> w.next(new float[6000], 0, 6000, false)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("look-ahead");
        assertThatThrownBy(() -> w.next(new float[6440], 0, 6440, true)).isInstanceOf(IllegalArgumentException.class);
        w.next(new float[100], 0, 100, true);
        assertThatThrownBy(() -> w.next(new float[6440], 0, 6440, false)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> AudioInteractionMel.windowed(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void badInputsAreRejectedClearly() {
        assertThatThrownBy(() -> LogMel.qwenOffline(new float[0])).hasMessageContaining("empty audio");
        assertThatThrownBy(() -> LogMel.whisper(new float[150])).hasMessageContaining("too short");
        assertThatThrownBy(() -> AudioInteractionMel.chunkLocal(new float[7000])).hasMessageContaining("1 to 6400");
        assertThatThrownBy(() -> new Mel(new float[10], 1)).isInstanceOf(IllegalArgumentException.class);
    }

    private static double spread(Mel m) {
        double max = Double.NEGATIVE_INFINITY;
        double min = Double.POSITIVE_INFINITY;
        for (float v : m.data()) {
            max = Math.max(max, v);
            min = Math.min(min, v);
        }
        return max - min;
    }

    /** Feeds x chunk by chunk with its 40-sample look-ahead, the end as the runtime would signal it. */
    static Mel[] feedLikeARuntime(WindowedMel w, float[] x) {
        int n = AudioInteractionMel.chunkCount(x.length);
        Mel[] out = new Mel[n];
        for (int i = 0; i < n; i++) {
            int off = i * 6400;
            int avail = x.length - off;
            boolean last = avail <= 6400;
            out[i] = w.next(x, off, last ? avail : Math.min(6440, avail), last);
        }
        return out;
    }
}
