package io.soundflow.weights;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Says what a path that should be a regular file is instead (a directory, a device or named pipe, a
 * dangling link, a link loop), without ever opening it: reading a FIFO blocks and {@code /dev/zero}
 * never ends, so a loader checks first and names the problem instead of hanging or saying "missing".
 */
public final class RegularFiles {
    /** What {@link #problem} says of a path where nothing exists. */
    public static final String MISSING = "does not exist";

    private RegularFiles() {
    }

    /**
     * Null when {@code file} is a regular file (following links); otherwise what it is, as a phrase
     * that follows the file's name: "does not exist", "is a directory, not a file", "is a dangling
     * symbolic link (to /x)", "is a symbolic link loop", "is not a regular file (a device, named pipe or
     * socket)", or "cannot be read (permission denied)".
     */
    public static String problem(Path file) {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            if (Files.isSymbolicLink(file)) {
                String target;
                try {
                    target = String.valueOf(Files.readSymbolicLink(file));
                } catch (IOException | RuntimeException ex) {
                    target = "?";
                }
                return "is a dangling symbolic link (to " + target + ")";
            }
            return MISSING;
        } catch (AccessDeniedException e) {
            return "cannot be read (permission denied)";
        } catch (FileSystemException e) {
            if (Files.isSymbolicLink(file) && String.valueOf(e.getReason()).startsWith("Too many levels of symbolic links")) {
                return "is a symbolic link loop";
            }
            return "cannot be resolved (" + (e.getReason() == null ? e.getClass().getSimpleName() : e.getReason()) + ")";
        } catch (IOException | RuntimeException e) {
            return "cannot be read (" + e.getMessage() + ")";
        }
        if (a.isRegularFile()) {
            return null;
        }
        if (a.isDirectory()) {
            return "is a directory, not a file";
        }
        return "is not a regular file (a device, named pipe or socket)";
    }

    /** Whether {@code file} exists in any form (a dangling link counts), so "missing" would mislead. */
    public static boolean present(Path file) {
        return Files.exists(file, LinkOption.NOFOLLOW_LINKS);
    }

    /**
     * Throws "{@code file}: {@link #problem}" when {@code file} is present in some form (a dangling link
     * counts) but is not a regular file; a path where nothing exists passes (the caller decides whether
     * that is an error).
     */
    public static void requireIfPresent(Path file) {
        if (present(file)) {
            require(file);
        }
    }

    /** Throws "{@code file}: {@link #problem}" unless {@code file} is a regular file. */
    public static void require(Path file) {
        String p = problem(file);
        if (p != null) {
            throw CheckpointException.of(file, p);
        }
    }
}
