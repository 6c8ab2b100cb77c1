package io.soundflow.engine.stream;

/**
 * Receives a session's {@link StreamEvent}s. Called from the session's engine threads:
 * {@link StreamEvent.ChunkEncoded} from the encoder thread, everything else from the decoder thread,
 * so an implementation that keeps state must be thread-safe. It must return quickly (the decoder
 * waits for it).
 */
@FunctionalInterface
public interface StreamListener {

    void onEvent(StreamEvent event);

    /** A listener that ignores everything. */
    StreamListener NONE = e -> {
    };
}
