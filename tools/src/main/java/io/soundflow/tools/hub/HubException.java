package io.soundflow.tools.hub;

/** A pull that cannot go on: the message is one line that names the repository, file or folder at fault. */
public final class HubException extends RuntimeException {
    public HubException(String message) {
        super(message);
    }

    public HubException(String message, Throwable cause) {
        super(message, cause);
    }
}
