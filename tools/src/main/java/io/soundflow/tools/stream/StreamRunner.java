package io.soundflow.tools.stream;

import io.soundflow.engine.audio.WavStream;
import io.soundflow.engine.stream.FrontEndMode;
import io.soundflow.engine.stream.Session;
import io.soundflow.engine.stream.SessionOptions;
import io.soundflow.engine.stream.StreamEvent;
import io.soundflow.engine.stream.StreamListener;
import io.soundflow.engine.stream.StreamingEngine;
import io.soundflow.tools.Stdout;
import io.soundflow.tools.audio.MicCapture;
import io.soundflow.tools.audio.NoAudioDeviceException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.time.Duration;

/**
 * Runs one stream for the CLI ({@code stream} and {@code demo}): feeds a file (as fast as the engine
 * takes it without loss, or paced at real time) or the microphone into a session, prints the timeline or
 * JSON events, and ends with the summary; Ctrl-C ends the session cleanly and still prints the summary
 * (and writes the trace).
 */
public final class StreamRunner {
    private final StreamingEngine engine;
    private final SessionOptions options;
    private final boolean json;
    private final TraceOutput trace;
    private final PrintWriter out;
    private boolean summarized; // guarded by this
    private volatile boolean stopping; // Ctrl-C: the hook is closing the session
    private final FileFeeder feeder = new FileFeeder(); // lockstep: counts the decisions
    private TimelinePrinter timeline;

    /**
     * @param trace the {@code --trace} file, opened before the model was loaded (null for none); written at the end
     * @param out   standard output: a failed write (full disk, closed pipe) ends the stream with an error
     */
    public StreamRunner(StreamingEngine engine, SessionOptions options, boolean json, TraceOutput trace, PrintWriter out) {
        this.engine = engine;
        this.options = trace != null ? options.withRecordTrace(true) : options;
        this.json = json;
        this.trace = trace;
        this.out = out;
    }

    /**
     * Streams {@code samples} (16 kHz mono). With {@code realtime} they are fed at real time (what does not
     * fit is dropped and counted). Otherwise they are fed in lockstep, as fast as the decoder goes
     * ({@link FileFeeder}: at most one chunk is queued at a decision point, so every layout gives the
     * released loop's trace); {@code ref-exact} needs the whole input first and is fed at once.
     */
    public void runFile(float[] samples, boolean realtime) throws InterruptedException {
        run(FileFeeder.of(samples), realtime);
    }

    /**
     * Streams a WAV source (at 16 kHz) block by block, with the feeding policy of {@link #runFile(float[], boolean)}:
     * memory stays bounded whatever the file's length, and a pipe is read as it arrives. A read error (a
     * non-finite sample, a broken pipe) ends the session and is thrown, naming the source.
     */
    public void runFile(WavStream in, boolean realtime) throws InterruptedException {
        if (in.sampleRate() != 16_000) {
            throw new IllegalArgumentException(in.name() + ": the stream gives " + in.sampleRate() + " Hz, 16000 needed");
        }
        run(in::read, realtime);
    }

    private void run(FileFeeder.Source src, boolean realtime) throws InterruptedException {
        try (Session s = start()) {
            Thread hook = hook(s);
            try {
                IOException readError = null;
                try {
                    feeder.feed(s, src, realtime, options.mode() != FrontEndMode.REF_EXACT, () -> stopping, this::accept);
                } catch (IOException e) { // e.g. a NaN sample: the audio before it is still decided, then the error
                    readError = e;
                }
                if (!s.isEnded() && !stopping) {
                    s.finish();
                }
                finish(s);
                if (readError != null) {
                    throw new UncheckedIOException(readError.getMessage(), readError);
                }
            } finally {
                removeHook(hook);
            }
        }
    }

    /** Accepts a block; false when Ctrl-C closed the session meanwhile. */
    private boolean accept(Session s, float[] x, int off, int n) {
        try {
            s.accept(x, off, n);
            return true;
        } catch (IllegalStateException closed) {
            if (stopping || s.failure() != null) { // Ctrl-C, or the session failed on its own: finish() reports why
                return false;
            }
            throw closed;
        }
    }

    /** Opens a capture that hands 16 kHz blocks to a sink ({@link MicCapture#openDefault} for the real device). */
    @FunctionalInterface
    public interface MicOpener {
        MicCapture open(java.util.function.Consumer<float[]> sink) throws NoAudioDeviceException;
    }

    /** Streams the default microphone until Ctrl-C (or {@code seconds} when positive). */
    public void runMic(double seconds) throws InterruptedException {
        runMic(seconds, MicCapture::openDefault);
    }

    /** Streams a capture until Ctrl-C (or {@code seconds} when positive). */
    public void runMic(double seconds, MicOpener opener) throws InterruptedException {
        try (Session s = start()) {
            MicCapture mic;
            try {
                mic = opener.open(b -> {
                    if (!s.isEnded() && !stopping) {
                        accept(s, b, 0, b.length);
                    }
                });
            } catch (NoAudioDeviceException e) {
                s.close();
                throw new IllegalArgumentException(e.getMessage(), e);
            }
            Thread hook = hook(s);
            try (mic) {
                mic.start();
                if (!json) {
                    out.println("listening on the default input (" + mic.format() + "); Ctrl-C to stop");
                }
                long end = seconds > 0 ? System.nanoTime() + (long) (seconds * 1e9) : Long.MAX_VALUE;
                while (!s.isEnded() && !stopping && System.nanoTime() < end) {
                    Thread.sleep(50);
                }
                mic.stop();
                if (!s.isEnded() && !stopping) {
                    s.finish();
                }
                finish(s);
            } finally {
                removeHook(hook);
            }
        }
    }

    private Session start() {
        StreamListener l;
        if (json) {
            l = new JsonEventPrinter(out);
        } else {
            timeline = new TimelinePrinter(out);
            l = timeline;
        }
        StreamListener printer = l;
        return engine.newSession(options, e -> {
            printer.onEvent(e);
            if (!(e instanceof StreamEvent.Stats || e instanceof StreamEvent.End)) {
                Stdout.check(out); // stdout gone (| head, full disk): the session ends with that error instead of running on
            }
            feeder.onEvent(e);
        });
    }

    private void finish(Session s) throws InterruptedException {
        while (!s.await(Duration.ofSeconds(1))) {
            // a long reply may still be generating
        }
        summarize(s);
        if (s.failure() != null) {
            Throwable f = s.failure();
            throw new IllegalStateException("stream failed: " + (f.getMessage() == null ? f : f.getMessage()), f);
        }
    }

    /** Prints the summary and writes the trace, once (from the main thread or the Ctrl-C hook). */
    private synchronized void summarize(Session s) { // synchronized: the other caller waits until the trace is written
        if (summarized) {
            return;
        }
        summarized = true;
        if (timeline != null) {
            timeline.summary(s.stats(), io.soundflow.tools.CliNames.forCli(s.endReason()));
        }
        if (trace != null) {
            trace.write(s.trace());
            if (!json) {
                out.println("trace written to " + trace.path());
            }
        }
    }

    private Thread hook(Session s) {
        Thread h = new Thread(() -> {
            stopping = true;
            s.close(); // ends the session ("closed"); the current forward completes first
            try {
                s.await(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            try {
                summarize(s);
            } catch (RuntimeException e) { // one line, as every other error (the exit code stays the signal's)
                System.err.println("soundflow stream: " + (e.getMessage() == null ? e : e.getMessage()));
            }
        }, "soundflow-ctrl-c");
        Runtime.getRuntime().addShutdownHook(h);
        return h;
    }

    private static void removeHook(Thread h) {
        try {
            Runtime.getRuntime().removeShutdownHook(h);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running: it prints the summary
        }
    }
}
