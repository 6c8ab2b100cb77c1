package io.soundflow.tools.stream;

import io.soundflow.engine.stream.StreamTrace;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The {@code --trace} file, opened (created or truncated) before anything is streamed, so a path that
 * cannot be written fails at once and not after a two-hour stream; the trace is written into it at
 * the end.
 */
public final class TraceOutput implements AutoCloseable {
    private final Path path;
    private final OutputStream out;

    private TraceOutput(Path path, OutputStream out) {
        this.path = path;
        this.out = out;
    }

    /** Opens {@code path} for the trace, or fails with one line naming it and why. */
    public static TraceOutput open(Path path) {
        if (Files.isDirectory(path)) {
            throw new IllegalArgumentException(path + ": is a directory; --trace takes a file name");
        }
        try {
            return new TraceOutput(path, Files.newOutputStream(path));
        } catch (NoSuchFileException e) {
            Path parent = path.toAbsolutePath().getParent();
            throw new IllegalArgumentException(path + ": cannot write the trace: no such folder " + parent, e);
        } catch (AccessDeniedException e) {
            throw new IllegalArgumentException(path + ": cannot write the trace: permission denied", e);
        } catch (IOException e) {
            throw new IllegalArgumentException(path + ": cannot write the trace: " + e.getMessage(), e);
        }
    }

    public Path path() {
        return path;
    }

    /** Writes the trace and closes the file; a failed write is one line naming the file. */
    public void write(StreamTrace trace) {
        try (out) {
            trace.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(path + ": cannot write the trace: " + (e.getMessage() == null ? e : e.getMessage()), e);
        }
    }

    @Override
    public void close() {
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException(path + ": cannot close the trace: " + e.getMessage(), e);
        }
    }
}
