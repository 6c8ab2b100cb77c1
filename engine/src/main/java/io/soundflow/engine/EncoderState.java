package io.soundflow.engine;

/**
 * The audio encoder's per-stream working memory: grow-only buffers a model reuses from one chunk to the
 * next, so a stream's encoder allocates only while its chunks grow (not per chunk). Owned by one thread at a
 * time (a session's encoder thread); made by {@link InteractionModel#newEncoderState()}.
 */
public interface EncoderState {

    /** A state that keeps nothing: every call allocates its own buffers. */
    EncoderState NONE = new EncoderState() {
    };
}
