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
import java.util.concurrent.locks.LockSupport;

/**
 * Runs one stream for the CLI ({@code stream} and {@code demo}): feeds a file (as fast as the engine
 * takes it without loss, or paced at real time) or the microphone into a session, prints the timeline or
 * JSON events, and ends with the summary; Ctrl-C ends the session cleanly and still prints the summary
 * (and writes the trace).
 */
public final class StreamRunner {
    private static final int BLOCK = 1600; // 100 ms

    private final StreamingEngine engine;
    private final SessionOptions options;
    private final boolean json;
    private final TraceOutput trace;
    private final PrintWriter out;
    private boolean summarized; // guarded by this
    private volatile boolean stopping; // Ctrl-C: the hook is closing the session
    private final java.util.concurrent.atomic.AtomicLong decided = new java.util.concurrent.atomic.AtomicLong();
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
     * fit is dropped and counted). Otherwise they are fed in lockstep, as fast as the decoder goes: the
     * samples that complete chunk i (look-ahead included) are fed once chunks 0..i-1 are decided, so at
     * most one chunk is queued at a decision point (every layout then gives the released loop's trace);
     * {@code ref-exact} needs the whole input first and is fed at once.
     */
    public void runFile(float[] samples, boolean realtime) throws InterruptedException {
        int[] next = {0};
        run((b, off, len) -> {
            if (next[0] == samples.length) {
                return -1;
            }
            int n = Math.min(len, samples.length - next[0]);
            System.arraycopy(samples, next[0], b, off, n);
            next[0] += n;
            return n;
        }, realtime);
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

    /** A pull source of 16 kHz samples: like {@link WavStream#read}, -1 at the end. */
    @FunctionalInterface
    private interface Source {
        int read(float[] b, int off, int len) throws IOException;
    }

    private void run(Source src, boolean realtime) throws InterruptedException {
        try (Session s = start()) {
            Thread hook = hook(s);
            try {
                IOException readError = null;
                try {
                    feed(s, src, realtime);
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

    private void feed(Session s, Source src, boolean realtime) throws IOException {
        boolean lockstep = !realtime && options.mode() != FrontEndMode.REF_EXACT;
        float[] buf = new float[BLOCK];
        int pos = 0;  // buf[pos, have) is read but not fed yet
        int have = 0;
        long off = 0; // samples fed
        long t0 = System.nanoTime();
        while (!s.isEnded() && !stopping) {
            if (pos == have) {
                int r = src.read(buf, 0, BLOCK);
                if (r < 0) {
                    return;
                }
                pos = 0;
                have = r;
            }
            long allowed = lockstep ? (decided.get() + 1) * 6400L + 40 : Long.MAX_VALUE;
            if (off >= allowed) {
                LockSupport.parkNanos(200_000L);
                continue;
            }
            int n = (int) Math.min(have - pos, allowed - off);
            if (realtime) {
                long due = t0 + (long) ((off + n) * 1e9 / 16_000);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                if (!accept(s, buf, pos, n)) { // what does not fit is dropped and counted by the session
                    return;
                }
            } else if (s.acceptCapacity() >= n) {
                if (!accept(s, buf, pos, n)) {
                    return;
                }
            } else {
                LockSupport.parkNanos(1_000_000L);
                continue;
            }
            pos += n;
            off += n;
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
            if (e instanceof StreamEvent.Decision) {
                decided.incrementAndGet();
            }
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
