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
 * The demo's generated inputs, written deterministically on first use under a cache folder (default
 * {@code ~/.cache/soundflow/demo}; nothing large is kept in git):
 * <ul>
 *   <li>{@code clip.wav}: 8 s at 16 kHz: quiet room noise with two bursts of 1 kHz beeps (chunks
 *       {@link #BEEP_CHUNKS}), 20 chunks of 400 ms;</li>
 *   <li>the model folder's {@code tokenizer.json} ({@link DemoCheckpoint} writes it): a byte-level BPE tokenizer in the Hugging Face format with the 256 byte
 *       tokens (no merges) and Qwen's added tokens at their real ids (151643 {@code <|endoftext|>}, 151644
 *       {@code <|im_start|>}, ...), so the Audio-Interaction prefix and control ids are the real ones
 *       while the file stays a few kB instead of Qwen's 7 MB.</li>
 * </ul>
 */
public final class DemoAssets {
    /** Chunks of the clip that hold beeps (the rest is quiet noise). */
    public static final int[] BEEP_CHUNKS = {6, 7, 14};
    public static final int CHUNKS = 20;
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

    /** Writes the clip into {@code dir} unless it is already there; returns {@code dir}. */
    public static Path prepare(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path wav = dir.resolve("clip.wav");
        if (!Files.isRegularFile(wav)) {
            Path tmp = Files.createTempFile(dir, "clip", ".tmp");
            WavWriter.writePcm16(tmp, clip(), 16_000);
            Files.move(tmp, wav, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        return dir;
    }

    /** The 8 s sample: quiet noise, beeps in {@link #BEEP_CHUNKS} (deterministic). */
    public static float[] clip() {
        float[] x = new float[CHUNKS * 6400];
        long s = 0x5EED;
        for (int i = 0; i < x.length; i++) {
            s = s * 6364136223846793005L + 1442695040888963407L;
            x[i] = ((s >>> 40) / (float) (1 << 24) - 0.5f) * 0.004f; // room noise, about -60 dBFS
        }
        for (int c : BEEP_CHUNKS) {
            for (int i = 0; i < 6400; i++) {
                int t = c * 6400 + i;
                boolean on = (i / 800) % 2 == 0; // 50 ms on, 50 ms off
                if (on) {
                    x[t] += (float) (0.4 * Math.sin(2 * Math.PI * 1000 * t / 16000.0));
                }
            }
        }
        return x;
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
