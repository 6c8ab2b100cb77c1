package io.soundflow.tools.eval;

import io.soundflow.engine.audio.WavReader;
import io.soundflow.engine.audio.WavStream;
import io.soundflow.engine.model.LoadOptions;
import io.soundflow.engine.stream.Session;
import io.soundflow.engine.stream.SessionOptions;
import io.soundflow.engine.stream.StreamEvent;
import io.soundflow.engine.stream.StreamingEngine;
import io.soundflow.kernels.Backends;
import io.soundflow.kernels.WeightFormat;
import io.soundflow.tools.CliNames;
import io.soundflow.tools.stream.FileFeeder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Streams evaluation inputs through the normal streaming engine, a fresh {@link Session} per stream, fed
 * by {@link FileFeeder} (lockstep by default, real time on request), and scores the respond decisions and
 * replies with {@link EvalScorer}. {@link #evaluate} is the whole {@code soundflow eval} in one call.
 */
public final class EvalRunner {
    /**
     * How streams are run and scored.
     *
     * @param options  the sessions' options (the {@code stream} command's defaults: {@link SessionOptions#defaults()})
     * @param realtime feed at real time (what the engine cannot take is dropped and counted) instead of lockstep
     * @param collar   seconds after an event's offset that still count as inside it
     */
    public record Settings(SessionOptions options, boolean realtime, double collar) {
        public static Settings defaults() {
            return new Settings(SessionOptions.defaults(), false, EvalScorer.DEFAULT_COLLAR);
        }
    }

    private final StreamingEngine engine;
    private final Settings settings;
    private final Consumer<String> progress;

    /**
     * A runner over {@code engine}.
     *
     * @param progress told "name: s, n decisions, k responses" after each stream (a no-op for none)
     */
    public EvalRunner(StreamingEngine engine, Settings settings, Consumer<String> progress) {
        this.engine = engine;
        this.settings = settings;
        this.progress = progress;
    }

    /**
     * Loads {@code model} (weights converted to {@code weights} at load, or as stored when null), streams every
     * file of {@code manifest} and returns the scored report (wall time included): {@code soundflow eval}
     * without the printing, for tests and scripts.
     */
    public static EvalReport evaluate(Path model, Path manifest, WeightFormat weights, Settings settings)
            throws InterruptedException {
        List<EvalManifest.Entry> entries = EvalManifest.read(manifest); // errors before the model loads
        try (StreamingEngine engine = StreamingEngine.load(model, new LoadOptions(Backends.get(), weights))) {
            return new EvalRunner(engine, settings, m -> { }).runManifest(entries);
        } catch (InterruptedException | RuntimeException e) {
            throw e;
        } catch (Exception e) { // StreamingEngine.close
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** Streams each entry's WAV (resampled to 16 kHz) and scores the lot. */
    public EvalReport runManifest(List<EvalManifest.Entry> entries) throws InterruptedException {
        List<StreamResult> results = new ArrayList<>();
        long t0 = System.nanoTime();
        for (EvalManifest.Entry e : entries) {
            try (WavStream wav = WavReader.open(e.audio(), 16_000)) {
                results.add(stream(e.audio().toString(), wav::read, e.events()));
            } catch (IOException x) {
                throw new UncheckedIOException(e.audio() + ": " + x.getMessage(), x);
            }
        }
        return EvalScorer.score(results, settings.collar()).withWallSeconds((System.nanoTime() - t0) / 1e9);
    }

    /** Streams one spliced stream (Proactive-Sound-Bench) and scores it. */
    public EvalReport runSpliced(String name, ProactiveSoundBench.Spliced s) throws InterruptedException {
        long t0 = System.nanoTime();
        StreamResult r;
        try {
            r = stream(name, FileFeeder.of(s.samples()), s.events());
        } catch (IOException x) {
            throw new UncheckedIOException(name + ": " + x.getMessage(), x);
        }
        return EvalScorer.score(List.of(r), settings.collar()).withWallSeconds((System.nanoTime() - t0) / 1e9);
    }

    /** Streams {@code src} (16 kHz) through a fresh session and collects its respond decisions and replies. */
    public StreamResult stream(String name, FileFeeder.Source src, List<LabeledEvent> events)
            throws InterruptedException, IOException {
        Collector c = new Collector();
        FileFeeder feeder = new FileFeeder();
        long[] samples = {0};
        FileFeeder.Source counted = (b, off, len) -> {
            int n = src.read(b, off, len);
            samples[0] += Math.max(n, 0);
            return n;
        };
        try (Session s = engine.newSession(settings.options(), e -> {
            c.onEvent(e);
            feeder.onEvent(e);
        })) {
            feeder.feed(s, counted, settings.realtime());
            if (!s.isEnded()) {
                s.finish();
            }
            while (!s.await(Duration.ofSeconds(1))) {
                // a long reply may still be generating
            }
            if (s.failure() != null) {
                Throwable f = s.failure();
                throw new IllegalStateException(name + ": the stream failed: " + CliNames.forCli(f.getMessage() == null ? f.toString() : f.getMessage()), f);
            }
        }
        StreamResult r = c.result(name, samples[0] / 16_000.0, events);
        progress.accept(String.format(java.util.Locale.ROOT, "%s: %.1f s, %d decisions, %d response%s", name, r.seconds(),
                r.decisions(), r.responses().size(), r.responses().size() == 1 ? "" : "s"));
        return r;
    }

    /** The session's decisions and replies (events arrive on the decoder thread). */
    private static final class Collector {
        private final List<Long> respond = new ArrayList<>(); // the chunks responded on
        private final List<Double> latency = new ArrayList<>();
        private final List<StreamEvent.ResponseEnd> ends = new ArrayList<>();
        private long decisions;
        private long dropped;

        synchronized void onEvent(StreamEvent e) {
            switch (e) {
                case StreamEvent.Decision d -> {
                    decisions++;
                    if (d.respond()) {
                        respond.add(d.chunk());
                        latency.add(d.latencyMs());
                    }
                }
                case StreamEvent.ResponseEnd r -> ends.add(r);
                case StreamEvent.Overrun o when o.kind() == StreamEvent.Overrun.Kind.DROPPED -> dropped += o.count();
                default -> {
                }
            }
        }

        synchronized StreamResult result(String name, double seconds, List<LabeledEvent> events) {
            List<StreamResult.Response> rs = new ArrayList<>();
            for (int i = 0; i < respond.size(); i++) {
                long chunk = respond.get(i);
                StreamEvent.ResponseEnd end = ends.stream().filter(x -> x.chunk() == chunk).findFirst().orElse(null);
                rs.add(new StreamResult.Response(chunk, StreamResult.chunkEnd(chunk), latency.get(i),
                        end == null ? null : end.emotion(), end == null ? null : end.text()));
            }
            return new StreamResult(name, seconds, events, rs, decisions, dropped);
        }
    }
}
