package io.soundflow.weights;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads safetensors checkpoints, memory-mapped: one {@code .safetensors} file, a folder holding
 * {@code model.safetensors} or {@code model.safetensors.index.json}, or an index json whose
 * {@code weight_map} names the shards. Everything is validated before it is trusted (header length,
 * JSON, dtypes, shapes, offsets inside the file and not overlapping, byte lengths, every shard present,
 * every indexed tensor in its shard).
 *
 * <p>Format: 8-byte little-endian header length N, N bytes of JSON header
 * {@code {"name": {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {..}}}, then the
 * data; offsets are relative to the start of the data.
 */
public final class SafeTensors {

    /** Largest header accepted (the reference implementation's limit). */
    public static final long MAX_HEADER_BYTES = 100_000_000L;
    /** Largest index json accepted. */
    static final long MAX_INDEX_BYTES = 100_000_000L;
    public static final String SINGLE_FILE = "model.safetensors";
    public static final String INDEX_FILE = "model.safetensors.index.json";

    private SafeTensors() {
    }

    /** Opens a file, a folder, or an index json (see the class comment). */
    public static TensorStore open(Path fileOrDir) {
        Path p = fileOrDir.toAbsolutePath().normalize();
        if (Files.isDirectory(p)) {
            if (Files.isRegularFile(p.resolve(INDEX_FILE))) {
                return openIndex(p.resolve(INDEX_FILE), p);
            }
            if (Files.isRegularFile(p.resolve(SINGLE_FILE))) {
                return openFile(p.resolve(SINGLE_FILE), p);
            }
            throw CheckpointException.of(p, "no " + SINGLE_FILE + " or " + INDEX_FILE + " in this folder");
        }
        if (!Files.exists(p)) {
            throw CheckpointException.of(p, "file not found");
        }
        if (p.getFileName().toString().endsWith(".json")) {
            return openIndex(p, p);
        }
        return openFile(p, p);
    }

    private static TensorStore openFile(Path file, Path source) {
        MappedFiles files = new MappedFiles();
        try {
            Parsed parsed = parse(file, files.map(file));
            Map<String, TensorInfo> tensors = new LinkedHashMap<>();
            for (TensorInfo t : parsed.tensors) {
                tensors.put(t.name(), t);
            }
            return new MappedTensorStore(source, tensors, parsed.metadata, files);
        } catch (RuntimeException e) {
            files.close();
            throw e;
        }
    }

    private static TensorStore openIndex(Path index, Path source) {
        Map<String, String> weightMap = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        readIndex(index, weightMap, metadata);
        Set<String> shardNames = new LinkedHashSet<>(weightMap.values());
        MappedFiles files = new MappedFiles();
        try {
            Path dir = index.getParent();
            Map<String, TensorInfo> tensors = new LinkedHashMap<>();
            for (String shard : shardNames.stream().sorted().toList()) {
                Path shardFile = dir.resolve(shard).normalize();
                if (!shardFile.getParent().equals(dir) || shard.contains("/") || shard.contains("\\")) {
                    throw CheckpointException.of(index, "shard name '" + shard + "' is not a file beside the index");
                }
                String problem = RegularFiles.problem(shardFile);
                if (problem != null) {
                    throw CheckpointException.of(index, "shard '" + shard + "' "
                            + (problem.equals(RegularFiles.MISSING) ? "is missing (" + shardFile + ")" : problem));
                }
                Parsed parsed = parse(shardFile, files.map(shardFile));
                for (TensorInfo t : parsed.tensors) {
                    String listed = weightMap.get(t.name());
                    if (listed == null) {
                        throw CheckpointException.of(shardFile, t.name(), "is in this shard but not in " + index);
                    }
                    if (!listed.equals(shard)) {
                        throw CheckpointException.of(shardFile, t.name(), "is in this shard, but the index places it in '"
                                + listed + "'");
                    }
                    tensors.put(t.name(), t);
                }
                metadata.putAll(parsed.metadata);
            }
            for (Map.Entry<String, String> e : weightMap.entrySet()) {
                if (!tensors.containsKey(e.getKey())) {
                    throw CheckpointException.of(dir.resolve(e.getValue()), e.getKey(),
                            "is listed in the index but missing from this shard");
                }
            }
            return new MappedTensorStore(source, tensors, metadata, files);
        } catch (RuntimeException e) {
            files.close();
            throw e;
        }
    }

    private static void readIndex(Path index, Map<String, String> weightMap, Map<String, String> metadata) {
        byte[] bytes;
        RegularFiles.require(index);
        try {
            if (Files.size(index) > MAX_INDEX_BYTES) {
                throw CheckpointException.of(index, "index is larger than " + MAX_INDEX_BYTES + " bytes");
            }
            bytes = Files.readAllBytes(index);
        } catch (IOException e) {
            throw CheckpointException.of(index, "cannot read the index: " + e, e);
        }
        JsonNode root = Json.parse(bytes, index, "the index");
        if (!root.isObject()) {
            throw CheckpointException.of(index, "the index is not a JSON object");
        }
        JsonNode wm = root.get("weight_map");
        if (wm == null || !wm.isObject()) {
            throw CheckpointException.of(index, "the index has no \"weight_map\" object");
        }
        for (Map.Entry<String, JsonNode> e : wm.properties()) {
            if (!e.getValue().isTextual() || e.getValue().asText().isEmpty()) {
                throw CheckpointException.of(index, e.getKey(), "weight_map value must be a shard file name, got "
                        + e.getValue());
            }
            weightMap.put(e.getKey(), e.getValue().asText());
        }
        if (weightMap.isEmpty()) {
            throw CheckpointException.of(index, "the index's weight_map is empty");
        }
        JsonNode md = root.get("metadata");
        if (md != null && md.isObject()) {
            for (Map.Entry<String, JsonNode> e : md.properties()) {
                metadata.put(e.getKey(), e.getValue().isTextual() ? e.getValue().asText() : e.getValue().toString());
            }
        }
    }

    /** One file's validated header. */
    private record Parsed(List<TensorInfo> tensors, Map<String, String> metadata) {
    }

    private static Parsed parse(Path file, MemorySegment seg) {
        long size = seg.byteSize();
        if (size < 8) {
            throw CheckpointException.of(file, "truncated: " + size + " bytes, a safetensors file starts with an 8-byte header length");
        }
        long n = seg.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
        if (n < 2 || n > MAX_HEADER_BYTES) {
            throw CheckpointException.of(file, "header length " + Long.toUnsignedString(n)
                    + " is out of range (2.." + MAX_HEADER_BYTES + "); not a safetensors file?");
        }
        if (8 + n > size) {
            throw CheckpointException.of(file, "truncated: the header needs " + (8 + n) + " bytes, the file has " + size);
        }
        byte[] header = seg.asSlice(8, n).toArray(ValueLayout.JAVA_BYTE);
        if (header[0] != '{') {
            throw CheckpointException.of(file, "header does not start with '{'; not a safetensors file?");
        }
        JsonNode root = Json.parse(header, file, "the header");
        if (!root.isObject()) {
            throw CheckpointException.of(file, "the header is not a JSON object");
        }
        long dataStart = 8 + n;
        long dataSize = size - dataStart;
        MemorySegment data = seg.asSlice(dataStart, dataSize);
        Map<String, String> metadata = new LinkedHashMap<>();
        List<TensorInfo> tensors = new ArrayList<>();
        List<long[]> spans = new ArrayList<>(); // [begin, end, index into tensors]
        for (Map.Entry<String, JsonNode> e : root.properties()) {
            String name = e.getKey();
            JsonNode v = e.getValue();
            if (name.equals("__metadata__")) {
                if (!v.isObject()) {
                    throw CheckpointException.of(file, "__metadata__ must be an object of strings");
                }
                for (Map.Entry<String, JsonNode> m : v.properties()) {
                    if (!m.getValue().isTextual()) {
                        throw CheckpointException.of(file, "__metadata__ value for '" + m.getKey() + "' is not a string");
                    }
                    metadata.put(m.getKey(), m.getValue().asText());
                }
                continue;
            }
            if (!v.isObject()) {
                throw CheckpointException.of(file, name, "header entry is not an object");
            }
            JsonNode dt = v.get("dtype");
            if (dt == null || !dt.isTextual()) {
                throw CheckpointException.of(file, name, "missing \"dtype\"");
            }
            DType dtype;
            try {
                dtype = DType.parseSafetensors(dt.asText());
            } catch (IllegalArgumentException ex) {
                throw CheckpointException.of(file, name, ex.getMessage());
            }
            long[] shape = longs(file, name, v.get("shape"), "shape", -1);
            long[] off = longs(file, name, v.get("data_offsets"), "data_offsets", 2);
            if (off[0] > off[1]) {
                throw CheckpointException.of(file, name, "data_offsets [" + off[0] + ", " + off[1] + "] end before they begin");
            }
            if (off[1] > dataSize) {
                throw CheckpointException.of(file, name, "data_offsets [" + off[0] + ", " + off[1]
                        + "] run past the end of the data (" + dataSize + " bytes; file truncated?)");
            }
            long count = TensorInfo.elementCount(file, name, shape);
            long need = count > Long.MAX_VALUE / dtype.byteSize() ? -1 : count * dtype.byteSize();
            if (off[1] - off[0] != need) {
                throw CheckpointException.of(file, name, dtype + " " + java.util.Arrays.toString(shape) + " needs "
                        + need + " bytes, data_offsets span " + (off[1] - off[0]));
            }
            spans.add(new long[]{off[0], off[1], tensors.size()});
            tensors.add(new TensorInfo(name, dtype, shape, file, data.asSlice(off[0], need)));
        }
        spans.sort(Comparator.<long[]>comparingLong(s -> s[0]).thenComparingLong(s -> s[1]));
        long[] prev = null;
        for (long[] s : spans) {
            if (s[0] == s[1]) {
                continue; // empty tensors take no bytes
            }
            if (prev != null && s[0] < prev[1]) {
                throw CheckpointException.of(file, tensors.get((int) s[2]).name(), "data overlaps tensor '"
                        + tensors.get((int) prev[2]).name() + "'");
            }
            prev = s;
        }
        return new Parsed(tensors, metadata);
    }

    /** An array of non-negative integers (of length {@code len} unless -1). */
    private static long[] longs(Path file, String tensor, JsonNode node, String field, int len) {
        if (node == null || !node.isArray()) {
            throw CheckpointException.of(file, tensor, "missing \"" + field + "\" array");
        }
        if (len >= 0 && node.size() != len) {
            throw CheckpointException.of(file, tensor, "\"" + field + "\" must have " + len + " entries, has " + node.size());
        }
        if (node.size() > 64) {
            throw CheckpointException.of(file, tensor, "\"" + field + "\" has " + node.size() + " entries (at most 64)");
        }
        long[] out = new long[node.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode x = node.get(i);
            if (!x.isIntegralNumber() || !x.canConvertToLong() || x.asLong() < 0) {
                throw CheckpointException.of(file, tensor, "\"" + field + "\" entry " + x + " is not a non-negative integer");
            }
            out[i] = x.asLong();
        }
        return out;
    }
}
