package io.soundflow.engine.model;

/**
 * One Qwen2.5 decoder layer: pre-RMSNorm attention (q/k/v with biases, o without) and a SwiGLU MLP
 * {@code down(silu(gate(x)) * up(x))}.
 */
public record DecoderLayer(Norm attnNorm, QkvProjection qkv, Linear o, Norm mlpNorm,
                           Linear gate, Linear up, Linear down) {
}
