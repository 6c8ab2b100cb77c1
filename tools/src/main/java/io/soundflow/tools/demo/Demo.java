package io.soundflow.tools.demo;

import io.soundflow.engine.audio.WavReader;
import io.soundflow.engine.model.LoadOptions;
import io.soundflow.engine.stream.StreamingEngine;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The built-in demo, ready to stream: the generated clip and the steered random model folder under
 * {@code dir} ({@link DemoAssets}, {@link DemoCheckpoint}), the model loaded from disk through the normal
 * loader, exactly as {@code soundflow stream --model <modelDir> --wav <clipFile>} loads it.
 *
 * @param engine         the demo engine (loaded by {@link StreamingEngine#load})
 * @param clip           the demo clip as read back from its WAV (16 kHz mono)
 * @param clipFile       the WAV
 * @param modelDir       the generated checkpoint folder (Audio-Interaction layout)
 * @param steeringMargin smallest (wanted - best other) logit over the steered steps, from the folder's marker
 */
public record Demo(StreamingEngine engine, float[] clip, Path clipFile, Path modelDir, double steeringMargin) {

    /** Which chunks of the demo clip the model is steered to answer (the beep chunks). */
    public static boolean[] respondChunks() {
        boolean[] respond = new boolean[DemoAssets.CHUNKS];
        for (int c : DemoAssets.BEEP_CHUNKS) {
            respond[c] = true;
        }
        return respond;
    }

    /** Generates the clip and the model folder in {@code dir} when missing or outdated, then loads the model from disk. */
    public static Demo load(Path dir) throws IOException {
        Path clipFile = DemoAssets.prepare(dir).resolve("clip.wav");
        float[] clip = WavReader.read(clipFile).samples();
        Path model = DemoCheckpoint.prepare(dir, clip, respondChunks());
        double margin = DemoCheckpoint.steeringMargin(model);
        return new Demo(StreamingEngine.load(model, LoadOptions.defaults()), clip, clipFile, model, margin);
    }
}
