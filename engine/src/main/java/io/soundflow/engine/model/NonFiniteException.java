package io.soundflow.engine.model;

/**
 * A forward met a NaN or an infinity (in its input, or produced by the weights or the config); the
 * message names the stage. The call fails instead of sampling from garbage.
 */
public final class NonFiniteException extends ArithmeticException {
    public NonFiniteException(String message) {
        super(message);
    }
}
