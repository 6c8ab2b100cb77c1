package io.soundflow.engine.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.soundflow.engine.EncoderState;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * An encoder state reuses its buffers from chunk to chunk and gives the same vectors as a call without one
 * (relative error 1e-5: the same kernels on the same inputs, but a kernel may run interpreted in one call and
 * compiled, with another summation order, in the next); a state is tied to the tower that made it.
 */
class EncoderStateTest {
    static AudioInteractionModel aiTiny() throws Exception {
        return AudioInteractionLoader.load(io.soundflow.testing.SharedData.require("golden/ai-tiny").resolve("model"),
                new LoadOptions(Golden.kernels("vector"), null));
    }

    @Test
    void aReusedStateGivesTheSameVectorsAsFreshBuffers() throws Exception {
        try (AudioInteractionModel m = aiTiny()) {
            EncoderState st = m.newEncoderState();
            SplittableRandom r = new SplittableRandom(3);
            int bins = 128;
            for (int round = 0; round < 4; round++) {
                int frames = 40 * (1 + round % 2);   // 40, 80, 40, 80: the buffers shrink and grow as views
                float[] mel = new float[bins * frames];
                for (int i = 0; i < mel.length; i++) {
                    mel[i] = (float) r.nextGaussian();
                }
                float[] got = m.encodeChunk(st, mel, frames), want = m.encodeChunk(mel, frames);
                assertThat(got).as("round %d", round).hasSameSizeAs(want);
                assertThat(Golden.relErr(got, want)).as("round %d", round).isLessThan(1e-5);
            }
        }
    }

    @Test
    void aStateOfAnotherTowerIsRefused() throws Exception {
        try (AudioInteractionModel a = aiTiny(); AudioInteractionModel b = aiTiny()) {
            EncoderState st = a.newEncoderState();
            assertThatThrownBy(() -> b.encodeChunk(st, new float[128 * 40], 40))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("another model");
        }
    }
}
