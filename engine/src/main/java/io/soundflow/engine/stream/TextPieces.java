package io.soundflow.engine.stream;

/**
 * Turns a response's ids into printable text one id at a time (one instance per response; control
 * ids print nothing). {@code io.soundflow.tokenizer.StreamingDecoder} is the real one.
 */
public interface TextPieces {

    /** The text that the id completes (often empty). */
    String push(int id);

    /** Whatever is held back at the end of the response. */
    String flush();
}
