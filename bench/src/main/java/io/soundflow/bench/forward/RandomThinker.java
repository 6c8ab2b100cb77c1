package io.soundflow.bench.forward;

import io.soundflow.engine.DecoderCache;
import io.soundflow.engine.InteractionModel;
import io.soundflow.engine.model.AudioEncoderConfig;
import io.soundflow.engine.model.AudioTower;
import io.soundflow.engine.model.KvCache;
import io.soundflow.engine.model.Probe;
import io.soundflow.engine.model.TextDecoder;
import io.soundflow.engine.model.TextDecoderConfig;
import io.soundflow.kernels.Kernels;
import io.soundflow.kernels.WeightFormat;
import java.lang.foreign.Arena;

/**
 * An {@link InteractionModel} with random weights at the Qwen2.5-Omni-3B thinker's shapes (built by
 * {@link RandomModel}), for the streaming benchmark: speed only, its outputs mean nothing.
 */
public final class RandomThinker implements InteractionModel {
    private final AudioTower audio;
    private final TextDecoder text;

    private RandomThinker(AudioTower audio, TextDecoder text) {
        this.audio = audio;
        this.text = text;
    }

    /** The 3B shapes with {@code layers} decoder layers (36 for the real model), weights in {@code format}. */
    public static RandomThinker build(Arena arena, Kernels k, WeightFormat format, int layers) {
        TextDecoderConfig t = text(layers);
        RandomModel rm = new RandomModel(arena, k, format);
        return new RandomThinker(rm.audio(RandomModel.AUDIO_3B), rm.text(t));
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

    public TextDecoderConfig config() {
        return text.config();
    }

    @Override
    public int hiddenSize() {
        return text.config().hidden();
    }

    @Override
    public int vocabSize() {
        return text.config().vocab();
    }

    @Override
    public int audioVectorsPerChunk() {
        return 10;
    }

    @Override
    public float[] encodeChunk(float[] mel, int frames) {
        return audio.encode(mel, frames, 40, Probe.NONE);
    }

    @Override
    public DecoderCache newCache(int capacity, boolean float16Positions) {
        return text.newCache(capacity, float16Positions);
    }

    @Override
    public float[] forward(DecoderCache cache, int[] ids, int[] audioSlots, float[] audioVectors, int[] logitRows) {
        return text.forward((KvCache) cache, ids, audioSlots, audioVectors, logitRows, Probe.NONE);
    }
}
