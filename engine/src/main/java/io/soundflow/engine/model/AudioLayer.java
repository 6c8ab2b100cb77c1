package io.soundflow.engine.model;

/**
 * One pre-LayerNorm encoder layer of the audio tower. {@code k} has no bias (as in the checkpoint).
 */
public record AudioLayer(Norm attnNorm, Linear q, Linear k, Linear v, Linear out,
                         Norm mlpNorm, Linear fc1, Linear fc2) {
}
