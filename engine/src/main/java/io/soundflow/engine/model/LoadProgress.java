package io.soundflow.engine.model;

/**
 * Told of each tensor a loader has prepared (mapped, or quantized when asked), so that a user interface can
 * show a load of tens of seconds moving. Called on the loading thread.
 */
@FunctionalInterface
public interface LoadProgress {

    /** Reports nothing. */
    LoadProgress NONE = (what, done, total) -> { };

    /**
     * @param what  what is being prepared ("tensors", or "quantizing to q8_0")
     * @param done  tensors prepared so far
     * @param total tensors in all (of this part of the checkpoint)
     */
    void tensors(String what, int done, int total);
}
