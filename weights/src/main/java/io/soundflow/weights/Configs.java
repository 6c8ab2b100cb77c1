package io.soundflow.weights;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Config files as Jackson trees: Hugging Face {@code config.json} files and litgpt's
 * {@code model_config.yaml}. Any problem (missing, unreadable, malformed, empty) is a
 * {@link CheckpointException} naming the file.
 */
public final class Configs {

    /** Config files are small; anything bigger is refused. */
    static final long MAX_CONFIG_BYTES = 16L << 20;
    private static final ObjectMapper YAML = new YAMLMapper(YAMLFactory.builder()
            .loaderOptions(yamlOptions()).build());

    private Configs() {
    }

    /** Reads a JSON file into a tree. */
    public static JsonNode readJson(Path file) {
        return Json.parse(read(file), file, "the config");
    }

    /** Reads a YAML file (one document) into a tree. */
    public static JsonNode readYaml(Path file) {
        byte[] bytes = read(file);
        try {
            JsonNode n = YAML.readTree(bytes);
            if (n == null || n.isMissingNode() || n.isNull()) {
                throw CheckpointException.of(file, "the YAML config is empty");
            }
            return n;
        } catch (IOException | RuntimeException e) {
            if (e instanceof CheckpointException ce) {
                throw ce;
            }
            throw CheckpointException.of(file, "not valid YAML: " + Json.oneLine(e), e);
        }
    }

    private static byte[] read(Path file) {
        String problem = RegularFiles.problem(file);
        if (problem != null && !problem.equals(RegularFiles.MISSING)) {
            throw CheckpointException.of(file, problem); // never opened: a FIFO would block, /dev/zero never end
        }
        try {
            if (Files.size(file) > MAX_CONFIG_BYTES) {
                throw CheckpointException.of(file, "config file larger than " + MAX_CONFIG_BYTES + " bytes");
            }
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw CheckpointException.of(file, "file not found", e);
        } catch (IOException e) {
            throw CheckpointException.of(file, "cannot read: " + e, e);
        }
    }

    private static org.yaml.snakeyaml.LoaderOptions yamlOptions() {
        org.yaml.snakeyaml.LoaderOptions o = new org.yaml.snakeyaml.LoaderOptions();
        o.setAllowDuplicateKeys(false);
        o.setMaxAliasesForCollections(50);
        o.setNestingDepthLimit(64);
        return o;
    }
}
