package io.soundflow.tools.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * An evaluation manifest: JSON Lines, one stream a line,
 * <pre>{"audio": "streams/00012.wav", "duration": 12.4, "events": [
 *   {"class": "doorbell", "onset": 2.137, "offset": 3.05, "expect": "respond", "emotion": "NORMAL", "reply": "Someone is at the door."},
 *   {"class": "speech", "onset": 5.2, "offset": 7.9, "expect": "ignore", "emotion": null, "reply": null}]}</pre>
 * {@code audio} is a WAV file relative to the manifest's folder (or absolute); {@code duration} (seconds,
 * informational: the file's own length is what is scored), {@code emotion} and {@code reply} are optional.
 * Blank lines are skipped. Any other mistake is refused with the manifest's name and the line number.
 */
public final class EvalManifest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The emotion tags of the Audio-Interaction format. */
    static final Set<String> EMOTIONS = Set.of("HAPPY", "SAD", "ANGRY", "SURPRISE", "NORMAL", "URGENT");

    private EvalManifest() {
    }

    /**
     * One stream of the manifest.
     *
     * @param audio    the WAV file (resolved against the manifest's folder)
     * @param duration the declared length in seconds, or NaN
     * @param events   its labelled events
     * @param line     the manifest line (1-based)
     */
    public record Entry(Path audio, double duration, List<LabeledEvent> events, int line) {
        public Entry {
            events = List.copyOf(events);
        }
    }

    /** Reads and checks {@code manifest} (every audio file must exist). */
    public static List<Entry> read(Path manifest) {
        List<String> lines;
        try {
            lines = Files.readAllLines(manifest);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(manifest + ": no such manifest file", e);
        } catch (IOException e) {
            throw new UncheckedIOException(manifest + ": cannot read the manifest: " + e.getMessage(), e);
        }
        Path base = manifest.toAbsolutePath().getParent();
        List<Entry> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i);
            if (!l.isBlank()) {
                out.add(parseLine(l, base, manifest + ":" + (i + 1), i + 1));
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(manifest + ": the manifest has no streams (one JSON object a line)");
        }
        return out;
    }

    /** Parses one line; {@code where} ("manifest.jsonl:3") starts every error message. */
    static Entry parseLine(String line, Path base, String where, int lineNo) {
        JsonNode o = object(line, where);
        String audio = text(o, "audio", where, true);
        Path file = base.resolve(audio);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(where + ": audio " + audio + ": no such file (" + file + ")");
        }
        double duration = Double.NaN;
        if (o.hasNonNull("duration")) {
            duration = number(o, "duration", where);
            if (!(duration > 0)) {
                throw new IllegalArgumentException(where + ": duration must be > 0 seconds, got " + o.get("duration"));
            }
        }
        JsonNode evs = o.get("events");
        if (evs == null || !evs.isArray()) {
            throw new IllegalArgumentException(where + ": \"events\" must be an array (it may be empty)");
        }
        List<LabeledEvent> events = new ArrayList<>();
        for (int k = 0; k < evs.size(); k++) {
            events.add(event(evs.get(k), where + ": event " + (k + 1)));
        }
        return new Entry(file, duration, events, lineNo);
    }

    private static LabeledEvent event(JsonNode e, String where) {
        if (!e.isObject()) {
            throw new IllegalArgumentException(where + ": an event must be a JSON object, got " + e);
        }
        String cls = text(e, "class", where, true);
        double onset = number(e, "onset", where);
        double offset = number(e, "offset", where);
        if (!(onset >= 0 && offset >= onset)) {
            throw new IllegalArgumentException(where + " (" + cls + "): needs 0 <= onset <= offset, got onset " + onset
                    + ", offset " + offset);
        }
        String expect = text(e, "expect", where, true).toLowerCase(Locale.ROOT);
        if (!expect.equals("respond") && !expect.equals("ignore")) {
            throw new IllegalArgumentException(where + " (" + cls + "): expect must be \"respond\" or \"ignore\", got \""
                    + e.get("expect").asText() + "\"");
        }
        String emotion = text(e, "emotion", where, false);
        if (emotion != null && !EMOTIONS.contains(emotion.toUpperCase(Locale.ROOT))) {
            throw new IllegalArgumentException(where + " (" + cls + "): unknown emotion \"" + emotion + "\" (choose "
                    + String.join(", ", EMOTIONS.stream().sorted().toList()) + ", or null)");
        }
        String reply = text(e, "reply", where, false);
        boolean respond = expect.equals("respond");
        if (!respond && (emotion != null || reply != null)) {
            throw new IllegalArgumentException(where + " (" + cls + "): an ignore-event has no emotion or reply");
        }
        return new LabeledEvent(cls, onset, offset, respond, emotion, reply);
    }

    static JsonNode object(String line, String where) {
        JsonNode o;
        try {
            o = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(where + ": not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (o == null || !o.isObject()) {
            throw new IllegalArgumentException(where + ": each line must be one JSON object");
        }
        return o;
    }

    static String text(JsonNode o, String key, String where, boolean required) {
        JsonNode v = o.get(key);
        if (v == null || v.isNull()) {
            if (required) {
                throw new IllegalArgumentException(where + ": \"" + key + "\" is missing");
            }
            return null;
        }
        if (!v.isTextual() || (required && v.asText().isBlank())) {
            throw new IllegalArgumentException(where + ": \"" + key + "\" must be a " + (required ? "non-empty " : "") + "string, got " + v);
        }
        return v.asText();
    }

    private static double number(JsonNode o, String key, String where) {
        JsonNode v = o.get(key);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException(where + ": \"" + key + "\" is missing");
        }
        if (!v.isNumber() || !Double.isFinite(v.asDouble())) {
            throw new IllegalArgumentException(where + ": \"" + key + "\" must be a number of seconds, got " + v);
        }
        return v.asDouble();
    }
}
