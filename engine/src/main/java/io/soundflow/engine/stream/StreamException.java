package io.soundflow.engine.stream;

/** A streaming session failed (unexpected token while listening, context too small, engine error). */
public final class StreamException extends RuntimeException {
    public StreamException(String message) {
        super(message);
    }

    public StreamException(String message, Throwable cause) {
        super(message, cause);
    }
}
