package io.soundflow.weights;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Read-only memory maps of checkpoint files, all owned by one shared {@link Arena} (any thread may
 * read; closing the arena unmaps them all). No 2 GB limit: a file is one segment.
 */
final class MappedFiles implements AutoCloseable {

    private final Arena arena = Arena.ofShared();

    /** Maps the whole of {@code file} read-only. */
    MemorySegment map(Path file) {
        String problem = RegularFiles.problem(file);
        if (problem != null) {
            throw CheckpointException.of(file, problem.equals(RegularFiles.MISSING) ? "file not found" : problem);
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
        } catch (NoSuchFileException e) {
            throw CheckpointException.of(file, "file not found", e);
        } catch (IOException | RuntimeException e) {
            throw CheckpointException.of(file, "cannot map the file: " + e, e);
        }
    }

    @Override
    public void close() {
        arena.close();
    }
}
