package example;

import io.soundflow.engine.audio.Audio;
import io.soundflow.engine.audio.WavReader;
import io.soundflow.engine.model.LoadOptions;
import io.soundflow.engine.stream.DrainLayout;
import io.soundflow.engine.stream.Session;
import io.soundflow.engine.stream.SessionOptions;
import io.soundflow.engine.stream.StreamEvent;
import io.soundflow.engine.stream.StreamingEngine;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The README's streaming example in a project of its own: {@code StreamAFile MODEL_DIR WAV}. The lines
 * between the markers are the README's block verbatim ({@code ReadmeExamplesTest} compares them).
 */
public final class StreamAFile {
    public static void main(String[] args) throws Exception {
        Path modelDir = Path.of(args[0]), wav = Path.of(args[1]);
        // README:stream:begin
        Audio audio = WavReader.read16k(wav);                       // any WAV, mixed to mono, resampled to 16 kHz
        SessionOptions options = SessionOptions.defaults()
                .withLayout(DrainLayout.ONE_BY_ONE);                // the released loop's decisions, whatever the timing
        try (StreamingEngine engine = StreamingEngine.load(modelDir, LoadOptions.defaults());
             Session s = engine.newSession(options, event -> {
                 if (event instanceof StreamEvent.Decision d && d.respond()) {
                     System.out.println("chunk " + d.chunk() + ": respond");
                 } else if (event instanceof StreamEvent.ResponseEnd r) {
                     System.out.println("  [" + r.emotion() + "] " + r.text());
                 } else if (event instanceof StreamEvent.End end) {
                     System.out.println("end: " + end.reason());
                 }
             })) {
            float[] x = audio.samples();
            s.acceptWaiting(x, 0, x.length, Duration.ofMinutes(10)); // waits for room: no sample dropped
            s.finish();                                              // end of input
            s.await(Duration.ofMinutes(10));
            System.out.println(s.stats());
        }
        // README:stream:end
    }
}
