package io.soundflow.tools;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;

/**
 * Standard output that the commands check. {@link PrintWriter} swallows write errors, so a full disk or a
 * reader that closed the pipe ({@code | head}) would otherwise go unnoticed: the output lost, exit 0, and
 * a stream that runs on forever. Long-running commands call {@link #check} after each write and stop;
 * {@link Main} checks once more at the end of every command.
 */
public final class Stdout {
    /** What a failed standard output is reported as. */
    public static final String FAILED = "stdout: write failed (the disk is full, or the reader closed the pipe)";

    private Stdout() {
    }

    /** Throws {@link WriteFailedException} when a write to {@code out} has failed. */
    public static void check(PrintWriter out) {
        if (out.checkError()) {
            throw new WriteFailedException();
        }
    }

    /** Standard output could not be written: the command stops and exits non-zero. */
    public static final class WriteFailedException extends UncheckedIOException {
        WriteFailedException() {
            super(FAILED, new IOException(FAILED));
        }
    }
}
