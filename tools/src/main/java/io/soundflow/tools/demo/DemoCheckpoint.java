package io.soundflow.tools.demo;

import io.soundflow.engine.model.AudioInteractionLoader;
import io.soundflow.engine.model.AudioInteractionModel;
import io.soundflow.engine.model.LoadOptions;
import io.soundflow.kernels.ScalarKernels;
import io.soundflow.tokenizer.Tokenizer;
import io.soundflow.weights.CheckpointLayout;
import io.soundflow.weights.DType;
import io.soundflow.weights.SafeTensors;
import io.soundflow.weights.SafeTensorsWriter;
import io.soundflow.weights.TensorInfo;
import io.soundflow.weights.TensorStore;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * The demo's model: a tiny Audio-Interaction model <b>trained</b> by {@code tools/demo-model/train.sh} to
 * perceive, decide and respond (alarms, sirens, "help": URGENT; doorbell, phone: NORMAL; "hello": HAPPY;
 * silence, noise, music, other speech, knocks: silent), committed in a compact form and written out here as a
 * checkpoint folder in the released layout, loaded by the normal {@link AudioInteractionLoader} like any release.
 *
 * <p>The compact form (classpath {@value #RESOURCES}, from {@code tools/demo-model/model/}, checked against its
 * {@code SHA256SUMS}) holds the release files as the trainer wrote them, except that {@code lm.safetensors} keeps
 * only the vocabulary rows the model uses: {@code transformer.wte.weight} [U, d] and {@code lm_head.weight}
 * [U + 1, d] for the ids listed in {@code soundflow.vocab_ids} [U], the last {@code lm_head} row being the one
 * the trainer shared by every other id. Expansion to the full 151,936 rows copies those rows byte for byte
 * (unused embedding rows are zero, unused {@code lm_head} rows repeat the shared row), so the folder's softmax is
 * exactly the trained one; the tower {@code .pth} and the configs are copied unchanged.
 *
 * <p>The folder is built in a temporary sibling and renamed into place; {@link #MARKER} records {@link #VERSION}
 * and the compact files' checksum, and a folder whose marker differs (or that no longer loads) is written again.
 */
public final class DemoCheckpoint {
    /** Bump when the way the folder is written changes. */
    static final String VERSION = "soundflow-demo-model 3 (trained listener, expanded from the compact form)";
    /** The marker file in the model folder. */
    public static final String MARKER = "soundflow-demo.properties";
    /** Where the compact model lies on the classpath. */
    static final String RESOURCES = "/io/soundflow/tools/demo/model/";
    static final String LM = "lm.safetensors";
    static final String VOCAB_IDS = "soundflow.vocab_ids";
    static final String REPORT = "train-report.json";
    /** Files copied unchanged into the release folder. */
    static final String[] COPIED = {CheckpointLayout.AI_MODEL_CONFIG, "qwen25OmniConfig/config.json", CheckpointLayout.AI_AUDIO_TOWER, REPORT};
    static final String WTE = "transformer.wte.weight";
    static final String HEAD = "lm_head.weight";
    static final int VOCAB = 151_936;
    /** LM shard size limit: lm_head and the embedding get a shard each, the layers a third. */
    static final long MAX_SHARD_BYTES = 100_000_000L;

    private DemoCheckpoint() {
    }

    /**
     * The model folder {@code dir/model}, written when missing, when its marker differs from the committed
     * model, or when a file is gone or damaged (the folder does not load).
     */
    public static Path prepare(Path dir) throws IOException {
        Map<String, byte[]> compact = compact();
        String version = VERSION + " sha256 " + sha256(compact.get(LM)).substring(0, 16);
        return prepareFolder(dir, version, out -> write(out, compact, version));
    }

    /** Writes a model folder's files into an empty folder (whose {@link #MARKER} it writes last). */
    @FunctionalInterface
    interface FolderWriter {
        void write(Path out) throws IOException;
    }

    /**
     * {@code dir/model} as {@code writer} makes it: kept when its {@link #MARKER} records {@code version} and it
     * loads; otherwise written into a temporary sibling and renamed into place (the old folder moved aside and
     * deleted), so a reader never sees half a folder. When another process finished the same version first,
     * its folder is used.
     */
    static Path prepareFolder(Path dir, String version, FolderWriter writer) throws IOException {
        Path model = dir.resolve("model");
        if (version.equals(marker(model).getProperty("version")) && loads(model)) {
            return model;
        }
        Files.createDirectories(dir);
        Path tmp = Files.createTempDirectory(dir, "model.tmp");
        try {
            readableByAll(tmp);
            writer.write(tmp);
            if (Files.exists(model)) {
                Path old = Files.createTempDirectory(dir, "model.old");
                Files.move(model, old.resolve("model"), StandardCopyOption.ATOMIC_MOVE);
                deleteTree(old);
            }
            Files.move(tmp, model, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            if (version.equals(marker(model).getProperty("version"))) {
                return model; // another process finished the same model first
            }
            throw e;
        } finally {
            deleteTree(tmp);
        }
        return model;
    }

    /** The committed compact files, each checked against {@code SHA256SUMS}. */
    static Map<String, byte[]> compact() throws IOException {
        Map<String, String> sums = new LinkedHashMap<>();
        for (String line : new String(resource("SHA256SUMS"), StandardCharsets.UTF_8).split("\n")) {
            if (!line.isBlank()) {
                String[] p = line.trim().split("\\s+\\*?", 2);
                sums.put(p[1], p[0]);
            }
        }
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (String f : Stream.concat(Stream.of(COPIED), Stream.of(LM)).toList()) {
            byte[] b = resource(f);
            String want = sums.get(f);
            if (want == null || !want.equalsIgnoreCase(sha256(b))) {
                throw new IllegalStateException("the committed demo model file " + f + " does not match its SHA256SUMS entry ("
                        + (want == null ? "none" : want) + "): rebuild from a clean checkout or run tools/demo-model/train.sh");
            }
            files.put(f, b);
        }
        return files;
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = DemoCheckpoint.class.getResourceAsStream(RESOURCES + name)) {
            if (in == null) {
                throw new IllegalStateException("the demo model file " + name + " is missing from the build (" + RESOURCES
                        + "; it comes from tools/demo-model/model/)");
            }
            return in.readAllBytes();
        }
    }

    /** The trainer's report (what it was trained on, its held-out figures) as committed, JSON text. */
    public static String trainReport() throws IOException {
        return new String(resource(REPORT), StandardCharsets.UTF_8);
    }

    /** Writes the release folder into {@code out} (an empty folder). */
    static void write(Path out, Map<String, byte[]> compact, String version) throws IOException {
        for (String f : COPIED) {
            Path p = out.resolve(f);
            Files.createDirectories(p.getParent());
            Files.write(p, compact.get(f));
        }
        Files.writeString(out.resolve("tokenizer.json"), DemoAssets.tokenizerJson());
        Path lm = out.resolve(LM);
        Files.write(lm, compact.get(LM));
        try (TensorStore s = SafeTensors.open(lm)) {
            SafeTensorsWriter w = new SafeTensorsWriter().metadata("format", "pt");
            int[] ids = vocabIds(s);
            w.add(HEAD, DType.BF16, new long[] {VOCAB, s.get(HEAD).dim(1)}, expand(s.get(HEAD), ids, true));
            w.add(WTE, DType.BF16, new long[] {VOCAB, s.get(WTE).dim(1)}, expand(s.get(WTE), ids, false));
            for (TensorInfo t : s.tensors().values()) {
                if (!t.name().equals(HEAD) && !t.name().equals(WTE) && !t.name().equals(VOCAB_IDS)) {
                    w.add(t.name(), t.dtype(), t.shape(), t.data().toArray(ValueLayout.JAVA_BYTE));
                }
            }
            w.writeSharded(out, MAX_SHARD_BYTES);
        }
        Files.delete(lm);
        String text = "# SoundFlow demo model: a tiny Audio-Interaction model trained on synthetic sounds and espeak-ng speech"
                + " (tools/demo-model)\nversion=" + version + "\n";
        Files.writeString(out.resolve(MARKER), text); // written by hand: Properties.store adds a date
    }

    /** The full-vocabulary ids of the compact rows, checked: in range, increasing. */
    static int[] vocabIds(TensorStore s) {
        long[] v = s.get(VOCAB_IDS).toLongArray();
        int[] ids = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            if (v[i] < 0 || v[i] >= VOCAB || (i > 0 && v[i] <= v[i - 1])) {
                throw new IllegalStateException(s.source() + ": " + VOCAB_IDS + "[" + i + "] = " + v[i]
                        + " is not an increasing id below " + VOCAB);
            }
            ids[i] = (int) v[i];
        }
        TensorInfo wte = s.get(WTE);
        TensorInfo head = s.get(HEAD);
        if (wte.dtype() != DType.BF16 || head.dtype() != DType.BF16 || wte.dim(0) != ids.length || head.dim(0) != ids.length + 1
                || wte.dim(1) != head.dim(1)) {
            throw new IllegalStateException(s.source() + ": expected BF16 " + WTE + " [" + ids.length + ", d] and " + HEAD
                    + " [" + (ids.length + 1) + ", d], got " + wte + " and " + head);
        }
        return ids;
    }

    /** The full [VOCAB, d] matrix: row ids[i] is compact row i; every other row is zero or (head) the shared last row. */
    static byte[] expand(TensorInfo t, int[] ids, boolean shared) {
        int rowBytes = (int) t.dim(1) * 2;
        MemorySegment src = t.data();
        byte[] out = new byte[VOCAB * rowBytes];
        if (shared) {
            byte[] rest = src.asSlice((long) ids.length * rowBytes, rowBytes).toArray(ValueLayout.JAVA_BYTE);
            for (int r = 0; r < VOCAB; r++) {
                System.arraycopy(rest, 0, out, r * rowBytes, rowBytes);
            }
        }
        for (int i = 0; i < ids.length; i++) {
            MemorySegment.copy(src, ValueLayout.JAVA_BYTE, (long) i * rowBytes, out, ids[i] * rowBytes, rowBytes);
        }
        return out;
    }

    /** Whether {@code model} loads as the demo needs it (a truncated or deleted file makes it be written again). */
    private static boolean loads(Path model) {
        if (CheckpointLayout.detect(model) != CheckpointLayout.AUDIO_INTERACTION) {
            return false;
        }
        try (AudioInteractionModel m = AudioInteractionLoader.load(model, new LoadOptions(new ScalarKernels(), null))) {
            m.text().config().requireTokenizer(Tokenizer.load(model.resolve("tokenizer.json")),
                    model.resolve(CheckpointLayout.AI_MODEL_CONFIG));
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static Properties marker(Path model) throws IOException {
        Properties p = new Properties();
        Path f = model.resolve(MARKER);
        if (Files.isRegularFile(f)) {
            try (var in = Files.newBufferedReader(f)) {
                p.load(in);
            }
        }
        return p;
    }

    /** A temporary folder is private (rwx------); the model folder it becomes is an ordinary one. */
    private static void readableByAll(Path dir) throws IOException {
        try {
            Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: keep its defaults
        }
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(x);
            }
        }
    }
}
