package io.soundflow.engine.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.soundflow.kernels.Backends;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A NaN or an infinity never leaves a forward as if it were a number: non-finite inputs, and weights
 * that make a stage non-finite, fail the call naming the stage (before: logits of NaN, sampled as id 0).
 */
class NonFiniteForwardTest {
    @TempDir
    Path tmp;

    private OmniThinker load(TinyCheckpoint ck, String backend) throws Exception {
        ck.write(tmp);
        return OmniLoader.load(tmp, new LoadOptions(Backends.create(backend), null));
    }

    @ParameterizedTest
    @ValueSource(strings = {"scalar", "vector"})
    void aNanWeightInTheDecoderFailsTheForwardNamingTheLogits(String backend) throws Exception {
        TinyCheckpoint ck = new TinyCheckpoint(3).generate();
        ck.values.get("thinker.model.layers.1.mlp.down_proj.weight")[17] = Float.NaN;
        try (OmniThinker m = load(ck, backend)) {
            KvCache cache = m.newCache(16);
            assertThatThrownBy(() -> m.prefill(cache, new int[] {1, 2, 3}, null, new int[] {2}, Probe.NONE))
                    .isInstanceOf(NonFiniteException.class)
                    .hasMessageStartingWith("decoder: the logits of position 2 (logit row 0) hold NaN at id ")
                    .hasMessageContaining("weights or config");
            assertThat(cache.length()).as("the failed forward's keys and values are forgotten").isZero();
        }
    }

    @Test
    void nonFiniteAudioVectorsAreRefusedBeforeTheyReachTheCache() throws Exception {
        TinyCheckpoint ck = new TinyCheckpoint(4).generate();
        try (OmniThinker m = load(ck, "scalar")) {
            KvCache cache = m.newCache(16);
            float[] audio = new float[ck.hidden];
            audio[5] = Float.POSITIVE_INFINITY;
            int audioId = m.tokens().audio();
            assertThatThrownBy(() -> m.prefill(cache, new int[] {1, audioId, 3}, audio, new int[] {2}, Probe.NONE))
                    .isInstanceOf(NonFiniteException.class)
                    .hasMessage("decoder: the audio vectors holds Infinity at row 0, column 5");
            assertThat(cache.length()).as("nothing was appended").isZero();
        }
    }

    @Test
    void theAudioTowerRefusesANonFiniteMelAndNamesANonFiniteOutput() throws Exception {
        TinyCheckpoint ck = new TinyCheckpoint(5).generate();
        try (OmniThinker m = load(ck, "scalar")) {
            int frames = 200;
            float[] mel = new float[ck.melBins * frames];
            Arrays.fill(mel, -0.5f);
            mel[3 * frames + 17] = Float.NaN;
            assertThatThrownBy(() -> m.encodeAudio(mel, frames, Probe.NONE))
                    .isInstanceOf(NonFiniteException.class)
                    .hasMessage("audio tower: the mel input [bins, frames] holds NaN at row 3, column 17");
        }
        ck.values.get("thinker.audio_tower.proj.weight")[0] = Float.NEGATIVE_INFINITY;
        try (OmniThinker m = load(ck, "scalar")) {
            int frames = 200;
            float[] mel = new float[ck.melBins * frames];
            Arrays.fill(mel, 0.25f);
            assertThatThrownBy(() -> m.encodeAudio(mel, frames, Probe.NONE))
                    .isInstanceOf(NonFiniteException.class)
                    .hasMessageStartingWith("audio tower: the output vectors holds")
                    .hasMessageContaining("audio weights");
        }
    }
}
