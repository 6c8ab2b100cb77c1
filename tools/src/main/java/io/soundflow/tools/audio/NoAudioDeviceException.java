package io.soundflow.tools.audio;

import java.io.IOException;

/** There is no usable audio input device (or none the Java sound system can open). */
public final class NoAudioDeviceException extends IOException {
    private static final long serialVersionUID = 1L;

    public NoAudioDeviceException(String message, Throwable cause) {
        super(message, cause);
    }
}
