package io.soundflow.tools.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.soundflow.engine.audio.AudioInteractionMel;
import io.soundflow.engine.audio.Mel;
import io.soundflow.engine.audio.WindowedMel;
import io.soundflow.engine.model.AudioInteractionLoader;
import io.soundflow.engine.model.AudioInteractionModel;
import io.soundflow.engine.model.KvCache;
import io.soundflow.engine.model.LoadOptions;
import io.soundflow.engine.model.TextDecoder;
import io.soundflow.kernels.ScalarKernels;
import io.soundflow.kernels.WeightMatrix;
import io.soundflow.tokenizer.AudioInteractionPrompt;
import io.soundflow.tokenizer.Tokenizer;
import io.soundflow.weights.CheckpointLayout;
import io.soundflow.weights.SafeTensorsWriter;
import io.soundflow.weights.TorchCheckpointWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * A test fixture (the demo model before a trained one replaced it): a tiny RANDOM model whose behaviour on its own
 * clip is known exactly, for tests of mechanics that need exact numbers (eval's scoring end to end).
 * Writes the tiny model as a checkpoint folder in the released Audio-Interaction layout, the same
 * files a real release has: {@code model_config.yaml} (litgpt), LM shards {@code model-0000k-of-0000n.safetensors}
 * with {@code model.safetensors.index.json} (litgpt names, fused {@code attn.qkv}), the audio tower
 * {@code audiointeraction_ChunkwisedEncoder.pth} (a PyTorch zip state dict, {@code proj} = adapter),
 * {@code qwen25OmniConfig/config.json}, {@code tokenizer.json} and an informational {@code config.json}.
 * The architecture and token format are the real ones (Qwen2.5 decoder with the 151,936-row vocabulary and
 * control ids, the chunkwise audio tower with 10 vectors per 400 ms chunk) at toy sizes (width 64, 2 layers
 * each), with <b>random BF16 weights</b> from a fixed seed. It is not trained and understands nothing.
 *
 * <p>Steering: the rows of {@code lm_head} for the tokens the demo uses are solved so that on the demo clip
 * the greedy loop stays silent on quiet chunks, responds on the beep chunks and answers "[urgent] Alarm?"
 * then TEXT_END. The unsteered folder is loaded through the real {@link AudioInteractionLoader}, the
 * released loop is run teacher-forced with the wanted decisions and replies (the hidden states do not
 * depend on {@code lm_head}), the final hidden state at every predicting position is collected, and the
 * target rows are solved by ridge least squares so that each wanted token scores +{@value #SCALE} and the
 * other steered tokens -{@value #SCALE} there (the random rows score about 1). The steered rows, rounded to
 * BF16, are written back. Greedy decoding then reproduces the teacher-forced sequence step by step.
 *
 * <p>The folder is built in a temporary sibling and renamed into place; {@link #MARKER} records
 * {@link #VERSION} (plus a checksum of the clip) and the steering margin, and a folder whose marker differs
 * is regenerated. Generation is byte-reproducible: the steering run uses the scalar reference kernels
 * (the streaming engine then runs on the process backend, whose float32 results differ by rounding only,
 * far below the steering margin).
 */
public final class SteeredRandomModel {
    /** Bump when the generated files change. */
    static final String VERSION = "soundflow-demo-model 2 (seed 20261125, bf16, windowed steering)";
    /** The marker file in the model folder (version and steering margin). */
    public static final String MARKER = "soundflow-demo.properties";
    static final float SCALE = 20f;
    static final long SEED = 20261125L;
    static final int HIDDEN = 64;
    static final int LAYERS = 2;
    static final int HEADS = 4;
    static final int GROUPS = 2;
    static final int HEAD_SIZE = 16;
    static final int INTERMEDIATE = 128;
    static final int VOCAB = 151_936;
    static final int BLOCK = 32_768;
    static final int MEL_BINS = 128;
    static final int AUDIO_LAYERS = 2;
    static final int AUDIO_HEADS = 4;
    static final int AUDIO_FFN = 128;
    /** LM shard size limit: lm_head and the embedding (19.4 MB each in BF16) get a shard each. */
    static final long MAX_SHARD_BYTES = 20_000_000L;

    private SteeredRandomModel() {
    }

    /** Chunks of the fixture clip that hold beeps (the rest is quiet noise). */
    public static final int[] BEEP_CHUNKS = {6, 7, 14};
    public static final int CHUNKS = 20;

    /** The fixture: the model folder, its clip (as read back from the WAV) and the WAV. */
    public record Fixture(Path modelDir, Path clipFile, float[] clip) {
    }

    /** Writes (once) the 8 s beep clip and the steered random model folder into {@code dir}. */
    public static Fixture load(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path wav = dir.resolve("clip.wav");
        if (!Files.isRegularFile(wav)) {
            io.soundflow.engine.audio.WavWriter.writePcm16(wav, beepClip(), 16_000);
        }
        float[] clip = io.soundflow.engine.audio.WavReader.read(wav).samples();
        boolean[] respond = new boolean[CHUNKS];
        for (int c : BEEP_CHUNKS) {
            respond[c] = true;
        }
        return new Fixture(prepare(dir, clip, respond), wav, clip);
    }

    /** The 8 s sample: quiet noise, 1 kHz beeps (50 ms on, 50 ms off) in {@link #BEEP_CHUNKS} (deterministic). */
    public static float[] beepClip() {
        float[] x = new float[CHUNKS * 6400];
        long s = 0x5EED;
        for (int i = 0; i < x.length; i++) {
            s = s * 6364136223846793005L + 1442695040888963407L;
            x[i] = ((s >>> 40) / (float) (1 << 24) - 0.5f) * 0.004f; // room noise, about -60 dBFS
        }
        for (int c : BEEP_CHUNKS) {
            for (int i = 0; i < 6400; i++) {
                int t = c * 6400 + i;
                boolean on = (i / 800) % 2 == 0;
                if (on) {
                    x[t] += (float) (0.4 * Math.sin(2 * Math.PI * 1000 * t / 16000.0));
                }
            }
        }
        return x;
    }

    /** A tensor to write: name, values (row-major), shape. */
    private record T(String name, float[] values, long... shape) {
    }

    /**
     * The model folder {@code dir/model}, generated when missing, when its marker differs from this
     * version and {@code clip}, or when a file is gone or damaged ({@link DemoCheckpoint#prepareFolder}).
     * {@code respond[i]} says which chunks answer; {@code clip} is 16 kHz audio in whole 400 ms chunks (as read
     * back from the WAV).
     */
    public static Path prepare(Path dir, float[] clip, boolean[] respond) throws IOException {
        String version = version(clip, respond);
        return DemoCheckpoint.prepareFolder(dir, version, out -> generate(out, clip, respond, version));
    }

    /** The steering margin recorded in the folder's marker (NaN when absent). */
    public static double steeringMargin(Path model) throws IOException {
        String m = DemoCheckpoint.marker(model).getProperty("steering_margin");
        return m == null ? Double.NaN : Double.parseDouble(m);
    }

    static String version(float[] clip, boolean[] respond) {
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        for (float x : clip) {
            int b = Float.floatToIntBits(x);
            crc.update(new byte[] {(byte) b, (byte) (b >>> 8), (byte) (b >>> 16), (byte) (b >>> 24)});
        }
        StringBuilder r = new StringBuilder();
        for (boolean b : respond) {
            r.append(b ? 'R' : 's');
        }
        return VERSION + " clip crc " + Long.toHexString(crc.getValue()) + " " + r;
    }

    /** Writes the whole steered folder into {@code out} (an empty folder). */
    static void generate(Path out, float[] clip, boolean[] respond, String version) throws IOException {
        writeConfigs(out);
        Tokenizer tok = Tokenizer.load(out.resolve("tokenizer.json"));
        SplittableRandom rnd = new SplittableRandom(SEED);
        List<T> tower = audioTower(rnd);
        List<T> lm = textDecoder(rnd);
        TorchCheckpointWriter pth = new TorchCheckpointWriter();
        for (T t : tower) {
            pth.addBF16(t.name(), t.values(), t.shape());
        }
        pth.write(out.resolve(CheckpointLayout.AI_AUDIO_TOWER));
        writeLm(out, lm);

        // teacher-forced run of the released loop on the folder as loaded, collecting (final hidden, wanted token)
        List<float[]> states = new ArrayList<>();
        List<Integer> wanted = new ArrayList<>();
        // scalar reference kernels: plain ordered float32 loops give the same bits at any JIT stage (the vector
        // backend's lane reductions do not: cold and warm runs differed), so the steered rows and files are reproducible
        try (AudioInteractionModel m = AudioInteractionLoader.load(out, new LoadOptions(new ScalarKernels(), null))) {
            collect(m, AudioInteractionMel.windowedAll(clip, AudioInteractionMel.DEFAULT_WINDOW_CHUNKS), respond, reply(tok), AudioInteractionPrompt.prefixIds(tok), states, wanted);
        }
        float[] head = lm.getFirst().values(); // [vocab, hidden]
        int[] targets = wanted.stream().mapToInt(Integer::intValue).distinct().sorted().toArray();
        double[][] w = solve(states, wanted, targets, HIDDEN);
        for (int t = 0; t < targets.length; t++) {
            for (int j = 0; j < HIDDEN; j++) {
                head[targets[t] * HIDDEN + j] = bf16((float) w[t][j]);
            }
        }
        double margin = margin(states, wanted, head, HIDDEN, VOCAB);
        writeLm(out, lm);
        Properties p = new Properties();
        p.setProperty("version", version);
        p.setProperty("steering_margin", String.format(Locale.ROOT, "%.4f", margin));
        StringBuilder text = new StringBuilder("# SoundFlow demo model: RANDOM weights steered on the demo clip, not a trained model\n");
        for (String k : new String[] {"version", "steering_margin"}) {
            text.append(k).append('=').append(p.getProperty(k)).append('\n');
        }
        Files.writeString(out.resolve(MARKER), text); // written by hand: Properties.store adds a date
    }

    /** The reply the demo model is steered to give: URGENT, " Alarm?", TEXT_END. */
    static int[] reply(Tokenizer tok) {
        int[] text = tok.encode(" Alarm?");
        int[] reply = new int[text.length + 2];
        reply[0] = AudioInteractionPrompt.URGENT;
        System.arraycopy(text, 0, reply, 1, text.length);
        reply[reply.length - 1] = AudioInteractionPrompt.TEXT_END;
        return reply;
    }

    private static void collect(AudioInteractionModel m, Mel[] mels, boolean[] respond, int[] reply, int[] prefix,
                                List<float[]> states, List<Integer> wanted) {
        TextDecoder text = m.text();
        KvCache cache = text.newCache(BLOCK, true);
        int[] pending = prefix;
        for (int c = 0; c < mels.length; c++) {
            float[] v = m.encodeChunk(mels[c].data(), mels[c].frames());
            int[] ids = new int[pending.length + 12];
            System.arraycopy(pending, 0, ids, 0, pending.length);
            int[] slots = new int[10];
            ids[pending.length] = 151647;
            for (int i = 0; i < 10; i++) {
                slots[i] = pending.length + 1 + i;
                ids[slots[i]] = 151608;
            }
            ids[ids.length - 1] = 151602;
            states.add(lastHidden(text, cache, ids, slots, v));
            if (respond[c]) {
                wanted.add(151644);
                int tok = 151644;
                for (int r : reply) {
                    states.add(lastHidden(text, cache, new int[] {tok}, new int[0], new float[0]));
                    wanted.add(r);
                    tok = r;
                }
                pending = new int[] {151643};
            } else {
                wanted.add(151605);
                pending = new int[] {151605};
            }
        }
    }

    private static float[] lastHidden(TextDecoder t, KvCache cache, int[] ids, int[] slots, float[] vectors) {
        float[][] h = new float[1][];
        t.forward(cache, ids, slots, vectors, new int[] {ids.length - 1}, (name, data, rows, cols) -> {
            if (name.equals("final_hidden")) {
                h[0] = new float[cols];
                data.read((rows - 1) * cols, h[0], 0, cols);
            }
        });
        return h[0];
    }

    /** Ridge least squares: rows w_t with w_t . h_i = +SCALE when token t is wanted at step i, else -SCALE. */
    static double[][] solve(List<float[]> states, List<Integer> wanted, int[] targets, int d) {
        double[][] a = new double[d][d];
        double[][] rhs = new double[d][targets.length];
        double trace = 0;
        for (int i = 0; i < states.size(); i++) {
            float[] h = states.get(i);
            for (int p = 0; p < d; p++) {
                for (int q = 0; q < d; q++) {
                    a[p][q] += (double) h[p] * h[q];
                }
                for (int t = 0; t < targets.length; t++) {
                    rhs[p][t] += h[p] * (targets[t] == wanted.get(i) ? SCALE : -SCALE);
                }
            }
        }
        for (int p = 0; p < d; p++) {
            trace += a[p][p];
        }
        for (int p = 0; p < d; p++) {
            a[p][p] += 1e-7 * trace / d;
        }
        double[][] x = gauss(a, rhs); // [d, targets]
        double[][] w = new double[targets.length][d];
        for (int t = 0; t < targets.length; t++) {
            for (int p = 0; p < d; p++) {
                w[t][p] = x[p][t];
            }
        }
        return w;
    }

    /** Solves a x = b by Gaussian elimination with partial pivoting (a is d x d, b is d x m). */
    static double[][] gauss(double[][] a, double[][] b) {
        int d = a.length;
        int m = b[0].length;
        for (int c = 0; c < d; c++) {
            int piv = c;
            for (int r = c + 1; r < d; r++) {
                if (Math.abs(a[r][c]) > Math.abs(a[piv][c])) {
                    piv = r;
                }
            }
            double[] t = a[c]; a[c] = a[piv]; a[piv] = t;
            t = b[c]; b[c] = b[piv]; b[piv] = t;
            for (int r = c + 1; r < d; r++) {
                double f = a[r][c] / a[c][c];
                for (int j = c; j < d; j++) {
                    a[r][j] -= f * a[c][j];
                }
                for (int j = 0; j < m; j++) {
                    b[r][j] -= f * b[c][j];
                }
            }
        }
        double[][] x = new double[d][m];
        for (int r = d - 1; r >= 0; r--) {
            for (int j = 0; j < m; j++) {
                double s = b[r][j];
                for (int q = r + 1; q < d; q++) {
                    s -= a[r][q] * x[q][j];
                }
                x[r][j] = s / a[r][r];
            }
        }
        return x;
    }

    /** Smallest (wanted logit - best other logit) over the steered steps, with the full head. */
    static double margin(List<float[]> states, List<Integer> wanted, float[] head, int d, int vocab) {
        double min = Double.POSITIVE_INFINITY;
        for (int i = 0; i < states.size(); i++) {
            float[] h = states.get(i);
            double want = 0;
            double best = Double.NEGATIVE_INFINITY;
            for (int v = 0; v < vocab; v++) {
                double s = 0;
                for (int j = 0; j < d; j++) {
                    s += head[v * d + j] * h[j];
                }
                if (v == wanted.get(i)) {
                    want = s;
                } else {
                    best = Math.max(best, s);
                }
            }
            min = Math.min(min, want - best);
        }
        return min;
    }

    private static float bf16(float x) {
        return WeightMatrix.bf16ToFloat(WeightMatrix.floatToBf16(x));
    }

    /** Gaussian values rounded to BF16 (so what is steered in float32 is exactly what is written). */
    private static float[] gaussian(SplittableRandom rnd, int n, float scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = bf16((float) (rnd.nextGaussian() * scale));
        }
        return a;
    }

    private static float[] filled(int n, float v) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, v);
        return a;
    }

    /** litgpt names, in the order the release's index lists them: lm_head, wte, the layers, ln_f. */
    private static List<T> textDecoder(SplittableRandom rnd) {
        int h = HIDDEN, q = HEADS * HEAD_SIZE, kv = GROUPS * HEAD_SIZE, f = INTERMEDIATE;
        List<T> out = new ArrayList<>();
        out.add(new T("lm_head.weight", gaussian(rnd, VOCAB * h, 0.02f), VOCAB, h));
        out.add(new T("transformer.wte.weight", gaussian(rnd, VOCAB * h, 0.02f), VOCAB, h));
        for (int i = 0; i < LAYERS; i++) {
            String p = "transformer.h." + i + ".";
            float[] qkv = new float[(q + 2 * kv) * h]; // [Q; K; V] rows, [q + 2 kv, h]
            System.arraycopy(gaussian(rnd, q * h, 0.3f), 0, qkv, 0, q * h);
            System.arraycopy(gaussian(rnd, kv * h, 0.3f), 0, qkv, q * h, kv * h);
            System.arraycopy(gaussian(rnd, kv * h, 0.2f), 0, qkv, (q + kv) * h, kv * h);
            out.add(new T(p + "norm_1.weight", filled(h, 1f), h));
            out.add(new T(p + "attn.qkv.weight", qkv, q + 2 * kv, h));
            out.add(new T(p + "attn.qkv.bias", gaussian(rnd, q + 2 * kv, 0.02f), q + 2 * kv));
            out.add(new T(p + "attn.proj.weight", gaussian(rnd, h * q, 0.2f), h, q));
            out.add(new T(p + "norm_2.weight", filled(h, 1f), h));
            out.add(new T(p + "mlp.fc_1.weight", gaussian(rnd, f * h, 0.2f), f, h));
            out.add(new T(p + "mlp.fc_2.weight", gaussian(rnd, f * h, 0.2f), f, h));
            out.add(new T(p + "mlp.proj.weight", gaussian(rnd, h * f, 0.2f), h, f));
        }
        out.add(new T("transformer.ln_f.weight", filled(h, 1f), h));
        return out;
    }

    /** The Qwen2.5-Omni audio encoder's state dict (HF names without prefix), {@code proj} = the adapter to the LM width. */
    private static List<T> audioTower(SplittableRandom rnd) {
        int d = HIDDEN, f = AUDIO_FFN;
        List<T> out = new ArrayList<>();
        out.add(new T("conv1.weight", gaussian(rnd, d * MEL_BINS * 3, 0.05f), d, MEL_BINS, 3));
        out.add(new T("conv1.bias", new float[d], d));
        out.add(new T("conv2.weight", gaussian(rnd, d * d * 3, 0.1f), d, d, 3));
        out.add(new T("conv2.bias", new float[d], d));
        for (int i = 0; i < AUDIO_LAYERS; i++) {
            String p = "layers." + i + ".";
            out.add(new T(p + "self_attn.k_proj.weight", gaussian(rnd, d * d, 0.2f), d, d));
            out.add(new T(p + "self_attn.v_proj.weight", gaussian(rnd, d * d, 0.2f), d, d));
            out.add(new T(p + "self_attn.v_proj.bias", gaussian(rnd, d, 0.02f), d));
            out.add(new T(p + "self_attn.q_proj.weight", gaussian(rnd, d * d, 0.2f), d, d));
            out.add(new T(p + "self_attn.q_proj.bias", gaussian(rnd, d, 0.02f), d));
            out.add(new T(p + "self_attn.out_proj.weight", gaussian(rnd, d * d, 0.2f), d, d));
            out.add(new T(p + "self_attn.out_proj.bias", gaussian(rnd, d, 0.02f), d));
            out.add(new T(p + "self_attn_layer_norm.weight", filled(d, 1f), d));
            out.add(new T(p + "self_attn_layer_norm.bias", new float[d], d));
            out.add(new T(p + "fc1.weight", gaussian(rnd, f * d, 0.2f), f, d));
            out.add(new T(p + "fc1.bias", gaussian(rnd, f, 0.02f), f));
            out.add(new T(p + "fc2.weight", gaussian(rnd, d * f, 0.2f), d, f));
            out.add(new T(p + "fc2.bias", gaussian(rnd, d, 0.02f), d));
            out.add(new T(p + "final_layer_norm.weight", filled(d, 1f), d));
            out.add(new T(p + "final_layer_norm.bias", new float[d], d));
        }
        out.add(new T("ln_post.weight", filled(d, 1f), d));
        out.add(new T("ln_post.bias", new float[d], d));
        out.add(new T("proj.weight", gaussian(rnd, HIDDEN * d, 0.3f), HIDDEN, d));
        out.add(new T("proj.bias", gaussian(rnd, HIDDEN, 0.02f), HIDDEN));
        return out;
    }

    private static void writeLm(Path out, List<T> lm) {
        SafeTensorsWriter w = new SafeTensorsWriter().metadata("format", "pt");
        for (T t : lm) {
            w.addBF16(t.name(), t.values(), t.shape());
        }
        w.writeSharded(out, MAX_SHARD_BYTES);
    }

    /** model_config.yaml (litgpt), qwen25OmniConfig/config.json, the informational config.json and tokenizer.json. */
    private static void writeConfigs(Path out) throws IOException {
        String yaml = String.join("\n",
                "attention_logit_softcapping: null", "attention_scores_scalar: null", "attn_bias: true", "bias: false",
                "block_size: " + BLOCK, "final_logit_softcapping: null", "gelu_approximate: none", "head_size: " + HEAD_SIZE,
                "hf_config:", "  name: Qwen2.5-3B", "  org: Qwen", "intermediate_size: " + INTERMEDIATE,
                "lm_head_bias: false", "mlp_class_name: LLaMAMLP", "n_embd: " + HIDDEN, "n_expert: 0",
                "n_expert_per_token: 0", "n_head: " + HEADS, "n_layer: " + LAYERS, "n_query_groups: " + GROUPS,
                "name: Qwen2.5-3B-soundflow-demo-random", "norm_class_name: RMSNorm", "norm_eps: 1.0e-06",
                "norm_qk: false", "padded_vocab_size: " + VOCAB, "padding_multiple: 512", "parallel_residual: false",
                "post_attention_norm: false", "post_mlp_norm: false", "rope_adjustments: null", "rope_base: 1000000",
                "rope_condense_ratio: 1", "rotary_percentage: 1.0", "scale_embeddings: false",
                "shared_attention_norm: false", "sliding_window_layer_placing: null", "sliding_window_size: null",
                "vocab_size: 151643", "");
        Files.writeString(out.resolve(CheckpointLayout.AI_MODEL_CONFIG), yaml);
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        root.putArray("architectures").add("Qwen2_5OmniModel");
        root.put("model_type", "qwen2_5_omni");
        root.put("enable_audio_output", false);
        ObjectNode thinker = root.putObject("thinker_config");
        thinker.put("model_type", "qwen2_5_omni_thinker");
        thinker.put("audio_token_index", 151646);
        thinker.put("audio_start_token_id", 151647);
        thinker.put("audio_end_token_id", 151648);
        ObjectNode a = thinker.putObject("audio_config");
        a.put("model_type", "qwen2_5_omni_audio_encoder");
        a.put("num_mel_bins", MEL_BINS);
        a.put("encoder_layers", AUDIO_LAYERS);
        a.put("encoder_attention_heads", AUDIO_HEADS);
        a.put("encoder_ffn_dim", AUDIO_FFN);
        a.put("d_model", HIDDEN);
        a.put("activation_function", "gelu");
        a.put("scale_embedding", false);
        a.put("max_source_positions", 1500);
        a.put("n_window", 100);
        a.put("output_dim", HIDDEN);
        Files.createDirectories(out.resolve("qwen25OmniConfig"));
        Files.writeString(out.resolve("qwen25OmniConfig/config.json"), json.writerWithDefaultPrettyPrinter().writeValueAsString(root));
        ObjectNode info = json.createObjectNode();
        info.put("_note", "informational; the released loader reads model_config.yaml");
        info.put("model_type", "qwen2");
        info.put("hidden_size", HIDDEN);
        info.put("num_hidden_layers", LAYERS);
        info.put("num_attention_heads", HEADS);
        info.put("num_key_value_heads", GROUPS);
        info.put("intermediate_size", INTERMEDIATE);
        info.put("vocab_size", VOCAB);
        info.put("rope_theta", 1_000_000.0);
        info.put("rms_norm_eps", 1e-6);
        info.put("max_position_embeddings", BLOCK);
        info.put("tie_word_embeddings", false);
        Files.writeString(out.resolve("config.json"), json.writerWithDefaultPrettyPrinter().writeValueAsString(info));
        Files.writeString(out.resolve("tokenizer.json"), DemoAssets.tokenizerJson());
    }
}
