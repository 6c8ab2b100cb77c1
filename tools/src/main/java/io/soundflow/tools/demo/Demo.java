package io.soundflow.tools.demo;

import io.soundflow.engine.audio.WavReader;
import io.soundflow.engine.model.LoadOptions;
import io.soundflow.engine.stream.StreamingEngine;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;

/**
 * The built-in demo, ready to stream: the committed clip and the trained demo model folder under {@code dir}
 * ({@link DemoAssets}, {@link DemoCheckpoint}), the model loaded from disk through the normal loader, exactly
 * as {@code soundflow stream --model <modelDir> --wav <clipFile>} loads it.
 *
 * @param engine       the demo engine (loaded by {@link StreamingEngine#load})
 * @param clip         the demo clip as read back from its WAV (16 kHz mono)
 * @param clipFile     the WAV
 * @param clipManifest its events, one {@code eval} manifest line ({@code clip.jsonl})
 * @param modelDir     the written checkpoint folder (Audio-Interaction layout)
 */
public record Demo(StreamingEngine engine, float[] clip, Path clipFile, Path clipManifest, Path modelDir) {

    /**
     * Writes the clip and the model folder in {@code dir} when missing, outdated or damaged, then loads
     * the model from disk.
     *
     * @throws IOException naming {@code dir} and the reason ("permission denied") when it cannot be written
     */
    public static Demo load(Path dir) throws IOException {
        Path clipFile;
        float[] clip;
        Path model;
        try {
            DemoAssets.prepare(dir);
            clipFile = dir.resolve(DemoAssets.CLIP);
            clip = WavReader.read(clipFile).samples();
            model = DemoCheckpoint.prepare(dir);
        } catch (FileSystemException e) {
            String where = e.getFile() == null || e.getFile().equals(dir.toString()) ? "" : " (" + e.getFile() + ")";
            throw new IOException(dir + ": cannot create the demo folder: " + reason(e) + where, e);
        }
        try {
            return new Demo(StreamingEngine.load(model, LoadOptions.defaults()), clip, clipFile, dir.resolve(DemoAssets.CLIP_MANIFEST), model);
        } catch (RuntimeException e) {
            throw new IOException(e.getMessage() + " (delete " + dir + " to write the demo again)", e);
        }
    }

    /** What went wrong, in words: the JDK leaves the reason of most file-system exceptions empty. */
    static String reason(FileSystemException e) {
        if (e.getReason() != null) {
            return e.getReason().toLowerCase(java.util.Locale.ROOT);
        }
        return switch (e) {
            case AccessDeniedException a -> "permission denied";
            case NoSuchFileException n -> "no such file or directory";
            case FileAlreadyExistsException f -> "a file of that name is in the way";
            case NotDirectoryException n -> "not a directory";
            default -> e.getClass().getSimpleName();
        };
    }
}
