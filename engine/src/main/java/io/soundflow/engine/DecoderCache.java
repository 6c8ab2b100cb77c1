package io.soundflow.engine;

/**
 * One stream's decoder state (the KV cache of every layer), owned by a session, never shared.
 * Positions are implicit: the token at cache row i sits at position i (rounded through float16 when
 * the cache was made with {@code float16Positions}, as the released model does).
 */
public interface DecoderCache {

    /** Positions filled so far. */
    int length();

    /** Positions this cache can hold. */
    int capacity();

    /** Forgets every position from {@code length} on (0 empties the cache). */
    void truncate(int length);

    /** Whether RoPE positions are rounded through float16. */
    boolean float16Positions();
}
