package io.soundflow.tools.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.soundflow.engine.audio.WavWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The demo's inputs, written on first use under a cache folder (default {@code ~/.cache/soundflow/demo}):
 * <ul>
 *   <li>{@code clip.wav} and its manifest {@code clip.jsonl} (the {@code eval} format: each event with its onset,
 *       offset, whether the model should respond, and the expected reply): a committed 16 kHz clip made by
 *       {@code tools/demo-model/data/make_data.py --split demo} with a voice and seeds the trainer never saw;</li>
 *   <li>the model folder's {@code tokenizer.json} ({@link DemoCheckpoint} writes it): a byte-level BPE tokenizer in the Hugging Face format with the 256 byte
 *       tokens (no merges) and Qwen's added tokens at their real ids (151643 {@code <|endoftext|>}, 151644
 *       {@code <|im_start|>}, ...), so the Audio-Interaction prefix and control ids are the real ones
 *       while the file stays a few kB instead of Qwen's 7 MB.</li>
 * </ul>
 */
public final class DemoAssets {
    /** Where the committed clip lies on the classpath (from {@code tools/demo-model/demo/}). */
    static final String CLIP_RESOURCES = "/io/soundflow/tools/demo/clip/";
    public static final String CLIP = "clip.wav";
    public static final String CLIP_MANIFEST = "clip.jsonl";
    static final String[] QWEN_ADDED = {"<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|AUDIO|>", "<|audio_bos|>",
            "<|audio_eos|>", "<|box_end|>", "<|quad_start|>", "<|quad_end|>", "<|vision_bos|>", "<|vision_eos|>",
            "<|vision_pad|>", "<|IMAGE|>", "<|VIDEO|>", "<tool_call>", "</tool_call>", "<|fim_prefix|>", "<|fim_middle|>",
            "<|fim_suffix|>", "<|fim_pad|>", "<|repo_name|>", "<|file_sep|>"};
    static final String QWEN_SPLIT = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    private DemoAssets() {
    }

    /** The default cache folder: {@code $SOUNDFLOW_CACHE} or {@code ~/.cache/soundflow}, then {@code demo}. */
    public static Path defaultDir() {
        String env = System.getenv("SOUNDFLOW_CACHE");
        Path base = env != null && !env.isBlank() ? Path.of(env) : Path.of(System.getProperty("user.home"), ".cache", "soundflow");
        return base.resolve("demo");
    }

    /** Writes the clip and its manifest into {@code dir} unless they are there unchanged; returns {@code dir}. */
    public static Path prepare(Path dir) throws IOException {
        Files.createDirectories(dir);
        for (String f : new String[] {CLIP, CLIP_MANIFEST}) {
            byte[] want;
            try (java.io.InputStream in = DemoAssets.class.getResourceAsStream(CLIP_RESOURCES + f)) {
                if (in == null) {
                    throw new IllegalStateException("the demo file " + f + " is missing from the build (" + CLIP_RESOURCES
                            + "; it comes from tools/demo-model/demo/)");
                }
                want = in.readAllBytes();
            }
            Path p = dir.resolve(f);
            if (!Files.isRegularFile(p) || !java.util.Arrays.equals(Files.readAllBytes(p), want)) {
                Path tmp = Files.createTempFile(dir, f, ".tmp");
                Files.write(tmp, want);
                Files.move(tmp, p, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return dir;
    }

    /** GPT-2's byte-to-unicode table: the printable stand-in of every byte, in id order. */
    static List<String> byteTokens() {
        List<Integer> bs = new ArrayList<>();
        for (int b = '!'; b <= '~'; b++) {
            bs.add(b);
        }
        for (int b = 0xA1; b <= 0xAC; b++) {
            bs.add(b);
        }
        for (int b = 0xAE; b <= 0xFF; b++) {
            bs.add(b);
        }
        List<Integer> cs = new ArrayList<>(bs);
        int n = 0;
        for (int b = 0; b < 256; b++) {
            if (!bs.contains(b)) {
                bs.add(b);
                cs.add(256 + n++);
            }
        }
        String[] byByte = new String[256];
        for (int i = 0; i < bs.size(); i++) {
            byByte[bs.get(i)] = new String(Character.toChars(cs.get(i)));
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < bs.size(); i++) {
            out.add(byByte[bs.get(i)]);
        }
        return out;
    }

    /** The generated tokenizer.json (byte tokens 0..255, no merges, Qwen's added tokens at their ids). */
    public static String tokenizerJson() throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        for (int i = 0; i < QWEN_ADDED.length; i++) {
            ObjectNode t = added.addObject();
            t.put("id", 151643 + i);
            t.put("content", QWEN_ADDED[i]);
            t.put("single_word", false);
            t.put("lstrip", false);
            t.put("rstrip", false);
            t.put("normalized", false);
            t.put("special", true);
        }
        root.putObject("normalizer").put("type", "NFC");
        ObjectNode pre = root.putObject("pre_tokenizer");
        pre.put("type", "Sequence");
        ArrayNode pts = pre.putArray("pretokenizers");
        ObjectNode split = pts.addObject();
        split.put("type", "Split");
        split.putObject("pattern").put("Regex", QWEN_SPLIT);
        split.put("behavior", "Isolated");
        split.put("invert", false);
        pts.add(byteLevel(json));
        root.set("post_processor", byteLevel(json));
        root.set("decoder", byteLevel(json));
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        model.putNull("unk_token");
        model.put("continuing_subword_prefix", "");
        model.put("end_of_word_suffix", "");
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        model.put("ignore_merges", false);
        ObjectNode vocab = model.putObject("vocab");
        List<String> bytes = byteTokens();
        for (int i = 0; i < bytes.size(); i++) {
            vocab.put(bytes.get(i), i);
        }
        model.putArray("merges");
        return json.writerWithDefaultPrettyPrinter().writeValueAsString(root);
    }

    private static ObjectNode byteLevel(ObjectMapper json) {
        ObjectNode b = json.createObjectNode();
        b.put("type", "ByteLevel");
        b.put("add_prefix_space", false);
        b.put("trim_offsets", false);
        b.put("use_regex", false);
        return b;
    }
}
