package io.soundflow.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.soundflow.engine.audio.AudioInteractionMel;
import io.soundflow.engine.audio.Mel;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code soundflow features}: the streaming front end's log-mel features of audio files, exactly as a session's
 * encoder computes them (the {@code windowed} front end, chunk by chunk with its look-ahead), written as raw
 * little-endian float32 {@code [chunks, 128, 40]} (bin-major per chunk). A trainer reads these so that a model
 * learns on the very numbers the engine will feed it (the demo model's trainer does).
 */
@Command(name = "features", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "Write the streaming front end's log-mel features (raw float32 [chunks,128,40]) of WAV files.")
final class FeaturesCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @ArgGroup(exclusive = true, multiplicity = "1")
    Input input;

    static final class Input {
        @Option(names = "--wav", paramLabel = "FILE", description = "One WAV file (any rate; resampled to 16 kHz mono).")
        Path wav;

        @Option(names = "--manifest", paramLabel = "FILE.jsonl",
                description = "A manifest of one JSON object per line with an \"audio\" path (relative to the manifest's folder).")
        Path manifest;
    }

    @Option(names = "--out", required = true, paramLabel = "PATH",
            description = "With --wav: the output file. With --manifest: a folder; each audio's features go to "
                    + "the same relative path with .mel instead of .wav.")
    Path out;

    @Option(names = "--mel-window-chunks", paramLabel = "N",
            description = "Clamp window of the windowed front end, in chunks (the session option of the same name).")
    int melWindowChunks = AudioInteractionMel.DEFAULT_WINDOW_CHUNKS;

    @Mixin
    VerboseOption verboseOption;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if (melWindowChunks < 1) {
            throw new IllegalArgumentException("--mel-window-chunks must be at least 1, got " + melWindowChunks);
        }
        PrintWriter stdout = spec.commandLine().getOut();
        if (input.wav != null) {
            int chunks = write(input.wav, out);
            stdout.println(out + ": " + chunks + " chunks");
        } else {
            List<String> audio = audioPaths(input.manifest);
            Path base = input.manifest.toAbsolutePath().getParent();
            long chunks = 0;
            for (String a : audio) {
                String rel = a.endsWith(".wav") ? a.substring(0, a.length() - 4) + ".mel" : a + ".mel";
                chunks += write(base.resolve(a), out.resolve(rel));
            }
            stdout.println(out + ": " + audio.size() + " files, " + chunks + " chunks");
        }
        stdout.flush();
        return 0;
    }

    /** The "audio" field of every line of a manifest, in order; a bad line is named. */
    static List<String> audioPaths(Path manifest) throws IOException {
        List<String> out = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(manifest)) {
            String line;
            int no = 0;
            while ((line = r.readLine()) != null) {
                no++;
                if (line.isBlank()) {
                    continue;
                }
                JsonNode n;
                try {
                    n = JSON.readTree(line);
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    throw new IllegalArgumentException(manifest + " line " + no + ": not JSON (" + e.getOriginalMessage() + ")");
                }
                JsonNode a = n == null ? null : n.get("audio");
                if (a == null || !a.isTextual() || a.asText().isBlank()) {
                    throw new IllegalArgumentException(manifest + " line " + no + ": no \"audio\" path");
                }
                out.add(a.asText());
            }
        }
        return out;
    }

    /** Writes one file's features (through a temporary sibling, renamed into place); returns its chunk count. */
    private int write(Path wav, Path dest) throws IOException {
        Mel[] mels = AudioInteractionMel.windowedAll(CliAudio.read16k(wav), melWindowChunks);
        Path dir = dest.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, dest.getFileName().toString(), ".tmp");
        try (OutputStream o = Files.newOutputStream(tmp)) {
            ByteBuffer b = ByteBuffer.allocate(mels.length == 0 ? 0 : mels[0].data().length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            for (Mel m : mels) {
                b.clear();
                b.asFloatBuffer().put(m.data());
                o.write(b.array(), 0, m.data().length * Float.BYTES);
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        Files.move(tmp, dest, StandardCopyOption.REPLACE_EXISTING);
        return mels.length;
    }
}
