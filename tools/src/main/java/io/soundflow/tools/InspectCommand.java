package io.soundflow.tools;

import com.fasterxml.jackson.databind.JsonNode;
import io.soundflow.weights.CheckpointException;
import io.soundflow.weights.CheckpointLayout;
import io.soundflow.weights.Configs;
import io.soundflow.weights.RegularFiles;
import io.soundflow.weights.SafeTensors;
import io.soundflow.weights.TensorInfo;
import io.soundflow.weights.TensorStore;
import io.soundflow.weights.TorchCheckpoint;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * {@code soundflow inspect PATH}: lists every tensor of a checkpoint (a folder, a safetensors file,
 * an index json or a PyTorch .pth), grouped per file, with the detected layout and a config summary.
 * Every file is validated as it is opened; a bad one is one error line on stderr and exit code 1.
 */
@Command(name = "inspect", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "List the tensors (name, dtype, shape, file) of a checkpoint folder or file, "
                + "its detected layout and its config.")
final class InspectCommand implements Callable<Integer> {

    @Parameters(paramLabel = "PATH", description = "A checkpoint folder, a .safetensors file, "
            + "a model.safetensors.index.json, or a PyTorch .pth state dict.")
    Path path;

    @Mixin
    VerboseOption verboseOption;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Path p = path.toAbsolutePath().normalize();
        if (!RegularFiles.present(p)) {
            throw new CheckpointException(p + ": not found");
        }
        if (Files.isDirectory(p)) {
            requireRegularCheckpointFiles(p);
        } else {
            RegularFiles.require(p); // before anything opens it: reading a named pipe would block
        }
        out.println("checkpoint: " + p);
        List<TensorStore> stores = new ArrayList<>();
        try {
            if (Files.isDirectory(p)) {
                CheckpointLayout layout = CheckpointLayout.detect(p);
                out.println("layout: " + layout.description());
                printConfigs(out, p);
                stores.addAll(openFolder(p));
            } else {
                out.println("layout: " + CheckpointLayout.UNKNOWN.description() + " (a single file; "
                        + "inspect its folder to detect the layout)");
                stores.add(openFile(p));
            }
            printTensors(out, p, stores);
        } finally {
            stores.forEach(TensorStore::close);
        }
        out.flush();
        return 0;
    }

    /** The safetensors set (index, model.safetensors, else every .safetensors) and every .pth/.pt. */
    private static List<TensorStore> openFolder(Path dir) {
        List<TensorStore> stores = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.sorted().toList();
        } catch (IOException e) {
            throw new CheckpointException(dir + ": cannot list the folder: " + e.getMessage(), e);
        }
        files = files.stream().filter(Files::isRegularFile).toList();
        try {
            if (Files.isRegularFile(dir.resolve(SafeTensors.INDEX_FILE))
                    || Files.isRegularFile(dir.resolve(SafeTensors.SINGLE_FILE))) {
                stores.add(SafeTensors.open(dir));
            } else {
                for (Path f : files) {
                    if (f.getFileName().toString().endsWith(".safetensors")) {
                        stores.add(SafeTensors.open(f));
                    }
                }
            }
            for (Path f : files) {
                String n = f.getFileName().toString();
                if (n.endsWith(".pth") || n.endsWith(".pt")) {
                    stores.add(TorchCheckpoint.open(f));
                }
            }
        } catch (RuntimeException e) {
            stores.forEach(TensorStore::close);
            throw e;
        }
        if (stores.isEmpty()) {
            throw new CheckpointException(dir + ": no checkpoint files here (model.safetensors, "
                    + SafeTensors.INDEX_FILE + ", *.safetensors, *.pth)");
        }
        return stores;
    }

    /**
     * Fails naming the first checkpoint or config file of {@code dir} that is not a regular file (a
     * device, a pipe, a folder, a broken link): it is an error, not a file to skip silently.
     */
    private static void requireRegularCheckpointFiles(Path dir) {
        List<Path> entries = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            entries.addAll(s.sorted().toList());
        } catch (IOException e) {
            throw new CheckpointException(dir + ": cannot list the folder: " + e.getMessage(), e);
        }
        entries.add(dir.resolve("qwen25OmniConfig/config.json"));
        for (Path f : entries) {
            if (isCheckpointFile(f.getFileName().toString())) {
                RegularFiles.requireIfPresent(f);
            }
        }
    }

    private static boolean isCheckpointFile(String name) {
        return name.endsWith(".safetensors") || name.endsWith(".pth") || name.endsWith(".pt")
                || name.equals(SafeTensors.INDEX_FILE) || name.equals(CheckpointLayout.AI_MODEL_CONFIG)
                || name.equals("config.json");
    }

    private static TensorStore openFile(Path f) {
        String n = f.getFileName().toString();
        if (n.endsWith(".pth") || n.endsWith(".pt") || n.endsWith(".bin") || startsWithZipMagic(f)) {
            return TorchCheckpoint.open(f);
        }
        return SafeTensors.open(f);
    }

    private static boolean startsWithZipMagic(Path f) {
        try (var in = Files.newInputStream(f)) {
            byte[] b = in.readNBytes(2);
            return b.length == 2 && b[0] == 'P' && b[1] == 'K';
        } catch (IOException e) {
            return false;
        }
    }

    private void printTensors(PrintWriter out, Path root, List<TensorStore> stores) {
        Map<Path, List<TensorInfo>> byFile = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        for (TensorStore s : stores) {
            for (TensorInfo t : s.tensors().values()) {
                byFile.computeIfAbsent(t.file(), k -> new ArrayList<>()).add(t);
            }
            metadata.putAll(s.metadata());
        }
        int width = byFile.values().stream().flatMap(List::stream).mapToInt(t -> t.name().length()).max().orElse(0);
        long tensors = 0;
        long params = 0;
        long bytes = 0;
        for (Map.Entry<Path, List<TensorInfo>> e : byFile.entrySet()) {
            List<TensorInfo> ts = e.getValue();
            long fileBytes = ts.stream().mapToLong(TensorInfo::byteSize).sum();
            String name = Files.isDirectory(root) ? root.relativize(e.getKey()).toString() : e.getKey().getFileName().toString();
            out.println();
            out.printf(Locale.ROOT, "%s: %d tensor%s, %s%n", name, ts.size(), ts.size() == 1 ? "" : "s", human(fileBytes));
            for (TensorInfo t : ts) {
                out.printf(Locale.ROOT, "  %-" + width + "s  %-4s  %s%s%n", t.name(), t.dtype(), t.shapeString(),
                        verboseOption.verbose ? "  " + t.byteSize() + " bytes" : "");
                params += t.elementCount();
            }
            tensors += ts.size();
            bytes += fileBytes;
        }
        out.println();
        out.printf(Locale.ROOT, "total: %d tensors in %d file%s, %,d values, %s%n", tensors, byFile.size(),
                byFile.size() == 1 ? "" : "s", params, human(bytes));
        if (verboseOption.verbose && !metadata.isEmpty()) {
            metadata.forEach((k, v) -> out.println("metadata: " + k + " = " + v));
        }
    }

    private static void printConfigs(PrintWriter out, Path dir) {
        Path yaml = dir.resolve(CheckpointLayout.AI_MODEL_CONFIG);
        if (Files.isRegularFile(yaml)) {
            out.println("config: " + CheckpointLayout.AI_MODEL_CONFIG + ": " + pick(Configs.readYaml(yaml), "",
                    "name", "n_layer", "n_embd", "n_head", "n_query_groups", "head_size", "intermediate_size",
                    "padded_vocab_size", "block_size", "rope_base", "norm_eps"));
        }
        Path omni = dir.resolve("qwen25OmniConfig/config.json");
        if (Files.isRegularFile(omni)) {
            out.println("config: qwen25OmniConfig/config.json: audio " + pick(Configs.readJson(omni),
                    "/thinker_config/audio_config", AUDIO_KEYS));
        }
        Path config = dir.resolve("config.json");
        if (Files.isRegularFile(config)) {
            JsonNode c = Configs.readJson(config);
            if (c.has("thinker_config")) {
                out.println("config: config.json: text " + pick(c, "/thinker_config/text_config", "hidden_size",
                        "num_hidden_layers", "num_attention_heads", "num_key_value_heads", "intermediate_size",
                        "vocab_size", "rope_theta", "tie_word_embeddings"));
                out.println("config: config.json: audio " + pick(c, "/thinker_config/audio_config", AUDIO_KEYS));
            } else if (!Files.isRegularFile(yaml)) {
                out.println("config: config.json: " + pick(c, "", "model_type", "hidden_size", "num_hidden_layers",
                        "num_attention_heads", "num_key_value_heads", "vocab_size"));
            }
        }
    }

    private static final String[] AUDIO_KEYS = {"d_model", "encoder_layers", "encoder_attention_heads",
            "encoder_ffn_dim", "num_mel_bins", "n_window", "output_dim"};

    /** "key value, key value" for the keys present under {@code at}. */
    private static String pick(JsonNode root, String at, String... keys) {
        JsonNode n = at.isEmpty() ? root : root.at(at);
        List<String> parts = new ArrayList<>();
        for (String k : keys) {
            JsonNode v = n.get(k);
            if (v != null && !v.isNull()) {
                parts.add(k + " " + (v.isTextual() ? v.asText() : v.toString()));
            }
        }
        return parts.isEmpty() ? "(none of the expected keys)" : String.join(", ", parts);
    }

    private static String human(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
