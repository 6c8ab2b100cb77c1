package io.soundflow.engine.audio;

import io.soundflow.testing.SharedData;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The mel front end against the independent reference's golden mels (1e-4 absolute). */
class LogMelGoldenTest {
    private static final double TOL = 1e-4;

    static double maxAbsDiff(float[] a, float[] b) {
        assertThat(a).hasSameSizeAs(b);
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs((double) a[i] - b[i]));
        }
        return m;
    }

    @Test
    void qwenOfflineMatchesOmniTinyReference() throws Exception {
        Path dir = SharedData.require("golden/omni-tiny");
        Audio audio = WavReader.read(dir.resolve("chirp.wav"));
        assertThat(audio.sampleRate()).isEqualTo(16000);
        assertThat(audio.samples()).hasSize(75237);
        GoldenTensors ref = new GoldenTensors(dir.resolve("reference.safetensors"));
        assertThat(ref.shape("mel.0")).containsExactly(128, 471);

        Mel mel = LogMel.qwenOffline(audio.samples());
        assertThat(mel.frames()).isEqualTo(471).isEqualTo(LogMel.qwenFrameCount(75237));
        double err64 = maxAbsDiff(mel.data(), ref.f32("mel.0"));
        double err32 = maxAbsDiff(mel.data(), ref.f32("mel_torch_f32.0"));
        System.out.printf("omni-tiny mel.0 max abs err %.2e, mel_torch_f32.0 max abs err %.2e%n", err64, err32);
        assertThat(err64).isLessThan(TOL);
        assertThat(err32).isLessThan(TOL);
    }

    @Test
    void audioInteractionChunkZeroMatchesBothTraces() throws Exception {
        Path dir = SharedData.require("golden/ai-tiny");
        float[] x = WavReader.read(dir.resolve("clip-8s.wav")).samples();
        assertThat(x).hasSize(128000);

        Mel[] refExact = AudioInteractionMel.refExact(x);
        assertThat(refExact).hasSize(20);
        float[] want = new GoldenTensors(dir.resolve("trace-ref-exact.safetensors")).f32("mel_chunk0");
        double errRef = maxAbsDiff(refExact[0].data(), want);

        Mel local = AudioInteractionMel.chunkLocal(x, 0, AudioInteractionMel.CHUNK_SAMPLES);
        float[] wantLocal = new GoldenTensors(dir.resolve("trace-chunk-local.safetensors")).f32("mel_chunk0");
        double errLocal = maxAbsDiff(local.data(), wantLocal);
        System.out.printf("ai-tiny mel_chunk0 max abs err: ref-exact %.2e, chunk-local %.2e%n", errRef, errLocal);
        assertThat(errRef).isLessThan(TOL);
        assertThat(errLocal).isLessThan(TOL);
        // the two modes really differ on this clip, so each comparison discriminates
        assertThat(maxAbsDiff(refExact[0].data(), local.data())).isGreaterThan(0.01);
    }
}
