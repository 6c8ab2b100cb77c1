package io.soundflow.engine.audio;

import java.io.IOException;

/** An audio file or stream that cannot be decoded; the message names the source and the problem. */
public final class AudioFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    public AudioFormatException(String source, String problem) {
        super(source + ": " + problem);
    }
}
