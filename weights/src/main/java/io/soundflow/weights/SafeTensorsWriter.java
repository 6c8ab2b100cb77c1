package io.soundflow.weights;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a safetensors file: an 8-byte little-endian header length, a JSON header (names to dtype, shape
 * and data offsets, plus optional {@code __metadata__}) padded with spaces to a multiple of 8, then the
 * tensors' bytes in insertion order. Tensors are kept in memory until {@link #write}: meant for dumps
 * and generated test checkpoints, not for multi-gigabyte models.
 */
public final class SafeTensorsWriter {
    private record Entry(DType dtype, long[] shape, byte[] bytes) {
    }

    private final Map<String, Entry> tensors = new LinkedHashMap<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();

    /** Adds a float32 tensor. */
    public SafeTensorsWriter addF32(String name, float[] values, long... shape) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return add(name, DType.F32, shape, b.array());
    }

    /** Adds a bfloat16 tensor (values rounded to nearest even). */
    public SafeTensorsWriter addBF16(String name, float[] values, long... shape) {
        ByteBuffer b = ByteBuffer.allocate(2 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putShort(io.soundflow.kernels.WeightMatrix.floatToBf16(v));
        }
        return add(name, DType.BF16, shape, b.array());
    }

    /** Adds an int32 tensor. */
    public SafeTensorsWriter addI32(String name, int[] values, long... shape) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asIntBuffer().put(values);
        return add(name, DType.I32, shape, b.array());
    }

    /** Adds an int64 tensor. */
    public SafeTensorsWriter addI64(String name, long[] values, long... shape) {
        ByteBuffer b = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(values);
        return add(name, DType.I64, shape, b.array());
    }

    /** Adds raw little-endian bytes of {@code dtype} with {@code shape}. */
    public SafeTensorsWriter add(String name, DType dtype, long[] shape, byte[] bytes) {
        dtype.checkPayload(name, shape, bytes.length);
        if (tensors.putIfAbsent(name, new Entry(dtype, shape.clone(), bytes)) != null) {
            throw new IllegalArgumentException("tensor '" + name + "' was added twice");
        }
        return this;
    }

    /** Adds a {@code __metadata__} entry. */
    public SafeTensorsWriter metadata(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    /**
     * Writes the tensors into {@code dir} as Hugging Face shards {@code model-0000k-of-0000n.safetensors}
     * plus {@link SafeTensors#INDEX_FILE} ({@code metadata.total_size} and {@code weight_map}), as
     * {@code save_pretrained(max_shard_size=...)} does: tensors in insertion order, a new shard begins when
     * the next tensor would push the current one past {@code maxShardBytes} (a bigger tensor gets a shard
     * of its own). Metadata goes into every shard. Returns the shard files in order.
     */
    public List<Path> writeSharded(Path dir, long maxShardBytes) {
        if (maxShardBytes <= 0) {
            throw new IllegalArgumentException("max shard size must be positive, got " + maxShardBytes);
        }
        List<List<String>> shards = new ArrayList<>();
        long size = 0;
        long total = 0;
        for (var e : tensors.entrySet()) {
            long n = e.getValue().bytes().length;
            if (shards.isEmpty() || (size > 0 && size + n > maxShardBytes)) {
                shards.add(new ArrayList<>());
                size = 0;
            }
            shards.getLast().add(e.getKey());
            size += n;
            total += n;
        }
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode index = mapper.createObjectNode();
        index.putObject("metadata").put("total_size", total);
        ObjectNode map = index.putObject("weight_map");
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < shards.size(); i++) {
            String name = String.format(java.util.Locale.ROOT, "model-%05d-of-%05d.safetensors", i + 1, shards.size());
            SafeTensorsWriter shard = new SafeTensorsWriter();
            shard.metadata.putAll(metadata);
            for (String t : shards.get(i)) {
                shard.tensors.put(t, tensors.get(t));
                map.put(t, name);
            }
            Path f = dir.resolve(name);
            shard.write(f);
            files.add(f);
        }
        Path idx = dir.resolve(SafeTensors.INDEX_FILE);
        try {
            Files.writeString(idx, mapper.writerWithDefaultPrettyPrinter().writeValueAsString(index));
        } catch (IOException e) {
            throw new UncheckedIOException(idx + ": cannot write the shard index: " + e.getMessage(), e);
        }
        return files;
    }

    /** Writes the file (replacing it). */
    public void write(Path file) {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode header = mapper.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode m = header.putObject("__metadata__");
            metadata.forEach(m::put);
        }
        long off = 0;
        for (var e : tensors.entrySet()) {
            ObjectNode t = header.putObject(e.getKey());
            t.put("dtype", e.getValue().dtype().name());
            var shape = t.putArray("shape");
            for (long d : e.getValue().shape()) {
                shape.add(d);
            }
            var offsets = t.putArray("data_offsets");
            offsets.add(off);
            off += e.getValue().bytes().length;
            offsets.add(off);
        }
        byte[] json;
        try {
            json = mapper.writeValueAsString(header).getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int padded = (json.length + 7) / 8 * 8;
        byte[] head = new byte[padded];
        java.util.Arrays.fill(head, (byte) ' ');
        System.arraycopy(json, 0, head, 0, json.length);
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).array());
            out.write(head);
            for (Entry e : tensors.values()) {
                out.write(e.bytes());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot write safetensors: " + e.getMessage(), e);
        }
    }
}
