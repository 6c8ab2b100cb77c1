package io.soundflow.engine.model;

import com.fasterxml.jackson.databind.JsonNode;
import io.soundflow.weights.Configs;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses a prompt written as token ids and names (the golden {@code prompt-ids.txt} syntax):
 * whitespace- or comma-separated integers and names; {@code AUDIO} expands to the audio's placeholder
 * tokens. Names come from the model folder's {@code tiny_tokens.json} when present, else the real Qwen
 * special tokens.
 */
public final class PromptIds {
    /** The audio placeholder name: one occurrence expands to n copies of the audio token id. */
    public static final String AUDIO = "AUDIO";

    private PromptIds() {
    }

    /** The real Qwen2.5-Omni names (the ones tiny_tokens.json uses, with the real ids). */
    public static Map<String, Integer> qwenNames() {
        Map<String, Integer> m = new LinkedHashMap<>();
        String[] special = {"ENDOFTEXT", "IM_START", "IM_END", "AUDIO", "AUDIO_BOS", "AUDIO_EOS", "BOX_END",
                "QUAD_START", "QUAD_END", "VISION_BOS", "VISION_EOS", "VISION_PAD", "IMAGE", "VIDEO", "TOOL_CALL",
                "TOOL_CALL_END", "FIM_PREFIX", "FIM_MIDDLE", "FIM_SUFFIX", "FIM_PAD", "REPO_NAME", "FILE_SEP"};
        for (int i = 0; i < special.length; i++) {
            m.put(special[i], 151643 + i);
        }
        m.put("SYSTEM", 8948);
        m.put("USER", 872);
        m.put("ASSISTANT", 77091);
        m.put("NL", 198);
        return m;
    }

    /** The names for a model folder: {@code tiny_tokens.json} if it exists, else {@link #qwenNames()}. */
    public static Map<String, Integer> namesFor(Path modelDir) {
        Path f = modelDir.resolve("tiny_tokens.json");
        if (!Files.isRegularFile(f)) {
            return qwenNames();
        }
        JsonNode n = Configs.readJson(f);
        Map<String, Integer> m = new LinkedHashMap<>();
        n.properties().forEach(e -> {
            if (!e.getValue().canConvertToInt()) {
                throw new IllegalArgumentException(f + ": token '" + e.getKey() + "' is not an integer id");
            }
            m.put(e.getKey(), e.getValue().asInt());
        });
        return m;
    }

    /**
     * The ids of {@code text}; the single {@code AUDIO} becomes {@code audioCount} copies of
     * {@code audioTokenId}. Fails naming the offending word for an unknown name, an id outside
     * [0, vocab), or a number of AUDIO words other than one when audio is given (zero when not).
     */
    public static int[] parse(String text, Map<String, Integer> names, int vocab, int audioTokenId, int audioCount) {
        List<Integer> ids = new ArrayList<>();
        int audios = 0;
        for (String w : text.trim().split("[\\s,]+")) {
            if (w.isEmpty()) {
                continue;
            }
            int id;
            if (w.equals(AUDIO)) {
                audios++;
                for (int i = 0; i < audioCount; i++) {
                    ids.add(audioTokenId);
                }
                continue;
            } else if (w.matches("-?\\d+")) {
                try {
                    id = Integer.parseInt(w);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("prompt ids: '" + w + "' is not a token id");
                }
            } else if (names.containsKey(w)) {
                id = names.get(w);
            } else {
                throw new IllegalArgumentException("prompt ids: unknown token name '" + w + "' (known: "
                        + String.join(" ", names.keySet()) + ", or integer ids)");
            }
            if (id < 0 || id >= vocab) {
                throw new IllegalArgumentException("prompt ids: token " + w + " is outside the vocabulary [0, " + vocab + ")");
            }
            ids.add(id);
        }
        int expected = audioCount > 0 ? 1 : 0;
        if (audios != expected) {
            throw new IllegalArgumentException("prompt ids: " + audios + " AUDIO placeholders, expected " + expected
                    + (audioCount > 0 ? " (the audio gives " + audioCount + " tokens)" : " (no audio given)"));
        }
        if (ids.isEmpty()) {
            throw new IllegalArgumentException("prompt ids: the prompt is empty");
        }
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }
}
