package io.soundflow.engine.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.soundflow.testing.SharedData;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Editable copies of the golden tiny models for hostile-config tests: the small config files are
 * copied (so a test may rewrite them), the weights are symbolic links to the golden files.
 */
final class HostileModels {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String YAML = "model_config.yaml";
    static final String AUDIO_CONFIG = "qwen25OmniConfig/config.json";
    private static final List<String> AI_COPIED = List.of(YAML, AUDIO_CONFIG, "tokenizer.json");

    private HostileModels() {
    }

    /** A copy of ai-tiny in {@code dir}/ai (the Audio-Interaction release layout). */
    static Path ai(Path dir) throws IOException {
        return copy(SharedData.require("golden/ai-tiny/model"), dir.resolve("ai"), AI_COPIED);
    }

    /** A copy of omni-tiny in {@code dir}/omni (the Hugging Face layout). */
    static Path omni(Path dir) throws IOException {
        return copy(SharedData.require("golden/omni-tiny/model"), dir.resolve("omni"), List.of("config.json"));
    }

    private static Path copy(Path src, Path dst, List<String> copied) throws IOException {
        try (Stream<Path> files = Files.walk(src)) {
            for (Path f : files.toList()) {
                Path rel = src.relativize(f);
                Path to = dst.resolve(rel.toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(to);
                } else if (copied.contains(rel.toString().replace('\\', '/'))) {
                    Files.copy(f, to);
                    to.toFile().setWritable(true);
                } else {
                    Files.createSymbolicLink(to, f.toAbsolutePath());
                }
            }
        }
        return dst;
    }

    /** Sets {@code key: value} in a flat YAML file ({@code value} null: deletes the key). */
    static void yaml(Path file, String key, String value) throws IOException {
        String text = Files.readString(file);
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(key) + ":.*\\n").matcher(text);
        String line = value == null ? "" : key + ": " + value + "\n";
        text = m.find() ? text.substring(0, m.start()) + line + text.substring(m.end()) : text + line;
        Files.writeString(file, text);
    }

    /** The top-level keys of a flat YAML file whose values look numeric. */
    static List<String> numericYamlKeys(Path file) throws IOException {
        return Files.readAllLines(file).stream()
                .filter(l -> l.matches("[a-z_]+: -?[0-9][0-9.e+-]*"))
                .map(l -> l.substring(0, l.indexOf(':')))
                .toList();
    }

    /** Rewrites a JSON file in place. */
    static void json(Path file, Consumer<ObjectNode> edit) throws IOException {
        ObjectNode root = (ObjectNode) JSON.readTree(file.toFile());
        edit.accept(root);
        JSON.writeValue(file.toFile(), root);
    }

    /** The object at {@code pointer} ("/thinker_config/audio_config"). */
    static ObjectNode at(JsonNode root, String pointer) {
        return (ObjectNode) root.at(pointer);
    }

    /** Deletes a folder tree made by the tests (links are removed, never followed). */
    static void delete(Path dir) throws IOException {
        if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
