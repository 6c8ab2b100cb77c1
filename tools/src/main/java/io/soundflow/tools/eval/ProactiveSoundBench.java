package io.soundflow.tools.eval;

import com.fasterxml.jackson.databind.JsonNode;
import io.soundflow.engine.audio.WavReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Proactive-Sound-Bench ({@code masaz14/Proactive-Sound-Effect-Benchmark}) as one continuous stream. Its
 * manifest {@code proactive_reply_benchmark.jsonl} has one clip a line,
 * <pre>{"id": "c9a2d625", "path": "./proactive-sound-effect/Daily Living Sounds/Daily Affairs/IGNORE/c9a2d625.wav",
 *  "description": "balloon", "decision": "IGNORE"}</pre>
 * ({@code decision} RESPOND or IGNORE; the path is {@code <root>/<domain>/<subcategory>/<decision>/<id>.wav},
 * relative to the folder the benchmark's audio was downloaded to). The clips are read (resampled to 16 kHz)
 * and spliced in manifest order into one stream: a gap of quiet noise (about -60 dBFS, deterministic),
 * lengthened so that every clip starts on a 400 ms chunk boundary (a clip then owns its chunks from its
 * first sample, as in the benchmark's clip-level setting), the clip, and so on, with a gap at the end.
 * Each clip is an event from its first to its last sample: respond or ignore as labelled, of class its
 * subcategory (or its domain). The benchmark's reference replies are free text for semantic scoring and
 * are not used: no emotion or exact reply is expected.
 */
public final class ProactiveSoundBench {
    private static final int RATE = 16_000;
    private static final int CHUNK = 6400;

    private ProactiveSoundBench() {
    }

    /** What a clip's event class is taken from: the path's subcategory folder (default) or its domain folder. */
    public enum Grouping {
        SUBCATEGORY, DOMAIN;

        public static Grouping parse(String s) {
            return switch (s.trim().toLowerCase(Locale.ROOT)) {
                case "subcategory" -> SUBCATEGORY;
                case "domain" -> DOMAIN;
                default -> throw new IllegalArgumentException("--psb-class '" + s + "': choose subcategory or domain");
            };
        }
    }

    /** One clip of the manifest: its audio file, label and class, and the manifest line (1-based). */
    public record Clip(String id, Path audio, boolean respond, String cls, String description, int line) {
    }

    /** The spliced stream: 16 kHz samples and one event per clip. */
    public record Spliced(float[] samples, List<LabeledEvent> events) {
        public double seconds() {
            return samples.length / (double) RATE;
        }
    }

    /** Reads the manifest; clip paths are resolved against {@code audioDir} (null: the manifest's folder). */
    public static List<Clip> read(Path manifest, Path audioDir, Grouping grouping) {
        List<String> lines;
        try {
            lines = Files.readAllLines(manifest);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(manifest + ": no such Proactive-Sound-Bench manifest", e);
        } catch (IOException e) {
            throw new UncheckedIOException(manifest + ": cannot read the manifest: " + e.getMessage(), e);
        }
        Path base = audioDir != null ? audioDir : manifest.toAbsolutePath().getParent();
        List<Clip> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            String where = manifest + ":" + (i + 1);
            JsonNode o = EvalManifest.object(lines.get(i), where);
            String id = EvalManifest.text(o, "id", where, true);
            String path = EvalManifest.text(o, "path", where, true);
            String decision = EvalManifest.text(o, "decision", where, true).toUpperCase(Locale.ROOT);
            if (!decision.equals("RESPOND") && !decision.equals("IGNORE")) {
                throw new IllegalArgumentException(where + ": \"decision\" must be RESPOND or IGNORE, got \"" + decision + "\"");
            }
            String description = EvalManifest.text(o, "description", where, false);
            Path file = base.resolve(path).normalize();
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException(where + ": clip " + id + ": no such audio file " + file
                        + (audioDir == null ? " (give the benchmark's audio folder with --psb-audio)" : ""));
            }
            out.add(new Clip(id, file, decision.equals("RESPOND"), cls(Path.of(path), grouping), description, i + 1));
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(manifest + ": the manifest has no clips");
        }
        return out;
    }

    /** The class from {@code <root>/<domain>/<subcategory>/<decision>/<id>.wav}; "psb" when the path is shallower. */
    static String cls(Path path, Grouping grouping) {
        List<String> parts = new ArrayList<>();
        for (Path p : path.normalize()) {
            parts.add(p.toString());
        }
        int n = parts.size() - 1; // the file
        if (n >= 1 && (parts.get(n - 1).equalsIgnoreCase("RESPOND") || parts.get(n - 1).equalsIgnoreCase("IGNORE"))) {
            n--; // the decision folder
        }
        int at = grouping == Grouping.SUBCATEGORY ? n - 1 : n - 2;
        return at >= 0 && at < parts.size() && !parts.get(at).equals(".") ? parts.get(at) : "psb";
    }

    /**
     * Splices the clips into one stream: at least {@code gapSeconds} of quiet noise before each clip (up to
     * the next chunk boundary) and after the last.
     */
    public static Spliced splice(List<Clip> clips, double gapSeconds) {
        if (!(Double.isFinite(gapSeconds) && gapSeconds >= 0)) {
            throw new IllegalArgumentException("--gap must be a finite number of seconds >= 0, got " + gapSeconds);
        }
        int gap = (int) Math.round(gapSeconds * RATE);
        List<float[]> audio = new ArrayList<>();
        long total = 0;
        for (Clip c : clips) {
            float[] x;
            try {
                x = WavReader.read16k(c.audio()).samples();
            } catch (IOException e) {
                throw new UncheckedIOException(c.audio() + " (clip " + c.id() + "): " + e.getMessage(), e);
            }
            if (x.length == 0) {
                throw new IllegalArgumentException(c.audio() + " (clip " + c.id() + "): the audio is empty");
            }
            audio.add(x);
            total = align(total + gap) + x.length;
        }
        total += gap;
        if (total > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("the spliced stream is too long (" + total / RATE + " s); use fewer clips");
        }
        float[] out = noise((int) total);
        List<LabeledEvent> events = new ArrayList<>();
        long at = 0;
        for (int i = 0; i < clips.size(); i++) {
            float[] x = audio.get(i);
            at = align(at + gap);
            for (int k = 0; k < x.length; k++) {
                out[(int) at + k] = x[k]; // the clip as recorded
            }
            Clip c = clips.get(i);
            events.add(new LabeledEvent(c.cls(), at / (double) RATE, (at + x.length) / (double) RATE, c.respond(), null, null));
            at += x.length;
        }
        return new Spliced(out, events);
    }

    private static long align(long samples) {
        return (samples + CHUNK - 1) / CHUNK * CHUNK;
    }

    /** Quiet room noise (about -60 dBFS), deterministic. */
    static float[] noise(int n) {
        float[] x = new float[n];
        long s = 0x5EED_B0B5L;
        for (int i = 0; i < n; i++) {
            s = s * 6364136223846793005L + 1442695040888963407L;
            x[i] = ((s >>> 40) / (float) (1 << 24) - 0.5f) * 0.004f;
        }
        return x;
    }
}
