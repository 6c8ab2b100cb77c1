package io.soundflow.tools.examples;

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
import java.util.function.Consumer;

/**
 * The README's streaming example, compiled and run by {@link ReadmeExamplesTest}: the lines between the
 * {@code README} markers are the README's code block, verbatim (the test compares them). {@code print} is
 * {@code System.out::println} in the README.
 */
public final class StreamFileExample {
    private StreamFileExample() {
    }

    /** Streams {@code wav} through the model in {@code modelDir}, printing decisions, replies and the final stats. */
    public static void run(Path modelDir, Path wav, Consumer<Object> print) throws Exception {
        // README:stream:begin
        Audio audio = WavReader.read16k(wav);                       // any WAV, mixed to mono, resampled to 16 kHz
        SessionOptions options = SessionOptions.defaults()
                .withLayout(DrainLayout.ONE_BY_ONE);                // the released loop's decisions, whatever the timing
        try (StreamingEngine engine = StreamingEngine.load(modelDir, LoadOptions.defaults());
             Session s = engine.newSession(options, event -> {
                 if (event instanceof StreamEvent.Decision d && d.respond()) {
                     print.accept("chunk " + d.chunk() + ": respond");
                 } else if (event instanceof StreamEvent.ResponseEnd r) {
                     print.accept("  [" + r.emotion() + "] " + r.text());
                 } else if (event instanceof StreamEvent.End end) {
                     print.accept("end: " + end.reason());
                 }
             })) {
            float[] x = audio.samples();
            s.acceptWaiting(x, 0, x.length, Duration.ofMinutes(10)); // waits for room: no sample dropped
            s.finish();                                              // end of input
            s.await(Duration.ofMinutes(10));
            print.accept(s.stats());
        }
        // README:stream:end
    }
}
