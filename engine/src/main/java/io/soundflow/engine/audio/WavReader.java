package io.soundflow.engine.audio;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Reads RIFF/WAVE files: integer PCM of 8 (unsigned), 16, 24 or 32 bits and IEEE float of 32 or 64 bits,
 * plain or WAVE_FORMAT_EXTENSIBLE, any channel count (mixed to mono by averaging), sample rates from
 * {@value WavStream#MIN_RATE} to {@value WavStream#MAX_RATE} Hz. Chunks may come in any order in a file;
 * unknown chunks are skipped. Every malformed input gives an {@link AudioFormatException} naming the file
 * and the problem; see {@link WavStream} for the policies (non-finite float samples, truncated data).
 *
 * <p>{@link #open} streams a file, a FIFO or a pipe in blocks (bounded memory); {@link #read} and
 * {@link #read16k} read a whole file into one array through the same parser.
 */
public final class WavReader {
    private WavReader() {
    }

    /**
     * Opens a WAV file, FIFO or device for reading in blocks, resampled to {@code targetRate} (0: the file's
     * rate). A directory, a missing path or one without read permission is refused by name.
     */
    public static WavStream open(Path path, int targetRate) throws IOException {
        String name = path.toString();
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(path, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(name, null, "no such audio file");
        } catch (AccessDeniedException e) {
            throw new AccessDeniedException(name, null, "permission denied");
        } catch (IOException e) {
            throw new IOException(name + ": cannot read the audio file: " + reason(e), e);
        }
        if (attrs.isDirectory()) {
            throw new AudioFormatException(name, "is a directory, not an audio file");
        }
        SeekableByteChannel ch;
        try {
            ch = Files.newByteChannel(path); // a FIFO blocks here until a writer opens it
        } catch (AccessDeniedException e) {
            throw new AccessDeniedException(name, null, "permission denied");
        } catch (IOException e) {
            throw new IOException(name + ": cannot read the audio file: " + reason(e), e);
        }
        boolean file = attrs.isRegularFile();
        return WavStream.open(name, ch, file ? attrs.size() : -1, file ? ch : null, targetRate);
    }

    /** Opens a WAV stream (a pipe, standard input) at {@code targetRate} (0: its own); {@code name} names it in messages. */
    public static WavStream open(InputStream in, String name, int targetRate) throws IOException {
        return WavStream.open(name, in, targetRate);
    }

    /** Reads a WAV file whole, at its own rate. */
    public static Audio read(Path path) throws IOException {
        try (WavStream s = open(path, 0)) {
            return new Audio(s.readAll(Long.MAX_VALUE), s.sampleRate(), 1, path);
        }
    }

    /** Reads a WAV file whole and resamples it to 16 kHz when needed (the rate both models take). */
    public static Audio read16k(Path path) throws IOException {
        try (WavStream s = open(path, LogMel.SAMPLE_RATE)) {
            return new Audio(s.readAll(Long.MAX_VALUE), s.sampleRate(), 1, path);
        }
    }

    /** Reads a WAV stream whole, at its own rate; {@code name} names it in error messages. */
    public static Audio read(InputStream in, String name) throws IOException {
        WavStream s = open(in, name, 0);
        return new Audio(s.readAll(Long.MAX_VALUE), s.sampleRate(), 1, null);
    }

    private static String reason(IOException e) {
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }
}
