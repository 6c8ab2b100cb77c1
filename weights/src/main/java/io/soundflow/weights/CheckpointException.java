package io.soundflow.weights;

import java.nio.file.Path;

/**
 * A checkpoint or config file could not be read or failed validation. The message always names the
 * file (and the tensor, when one is involved) and the problem, so it can be shown to a user as is.
 */
public class CheckpointException extends RuntimeException {

    public CheckpointException(String message) {
        super(message);
    }

    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }

    /** "{@code file}: {@code problem}". */
    public static CheckpointException of(Path file, String problem) {
        return new CheckpointException(file + ": " + problem);
    }

    /** "{@code file}: {@code problem}", keeping the cause for --verbose. */
    public static CheckpointException of(Path file, String problem, Throwable cause) {
        return new CheckpointException(file + ": " + problem, cause);
    }

    /** "{@code file}: tensor '{@code tensor}': {@code problem}". */
    public static CheckpointException of(Path file, String tensor, String problem) {
        return new CheckpointException(file + ": tensor '" + tensor + "': " + problem);
    }
}
