package io.soundflow.bench.forward;

import io.soundflow.engine.model.AudioEncoderConfig;
import io.soundflow.engine.model.AudioInteractionModel;
import io.soundflow.engine.model.TextDecoderConfig;
import io.soundflow.kernels.Kernels;
import io.soundflow.kernels.WeightFormat;
import java.lang.foreign.Arena;

/**
 * An Audio-Interaction model with random weights at the Qwen2.5-Omni-3B thinker's shapes (built by
 * {@link RandomModel}), for the streaming benchmark: speed only, its outputs mean nothing.
 */
public final class RandomThinker {
    private RandomThinker() {
    }

    /** The 3B shapes with {@code layers} decoder layers (36 for the real model), weights in {@code format}. */
    public static AudioInteractionModel build(Arena arena, Kernels k, WeightFormat format, int layers) {
        RandomModel rm = new RandomModel(arena, k, format);
        return AudioInteractionModel.of(rm.audio(RandomModel.AUDIO_3B), rm.text(text(layers)));
    }

    /** The 3B decoder config with {@code layers} layers. */
    public static TextDecoderConfig text(int layers) {
        TextDecoderConfig t0 = RandomModel.TEXT_3B;
        return new TextDecoderConfig(t0.hidden(), layers, t0.heads(), t0.kvHeads(), t0.headDim(), t0.intermediate(),
                t0.vocab(), t0.rmsEps(), t0.ropeTheta(), t0.maxPositions());
    }

    /** The 3B audio tower config. */
    public static AudioEncoderConfig audio() {
        return RandomModel.AUDIO_3B;
    }

    /** Multiply-add FLOPs of one 400 ms chunk through the audio tower. */
    public static double encoderChunkFlops() {
        return ForwardBench.encoderFlops(RandomModel.AUDIO_3B, 40);
    }
}
