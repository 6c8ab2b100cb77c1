package io.soundflow.weights;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes a PyTorch zip state dict as {@code torch.save(model.state_dict(), f)} does: {@code data.pkl}
 * (pickle protocol 2: an {@code OrderedDict} of {@code torch._utils._rebuild_tensor_v2} calls whose
 * storages are persistent ids {@code ('storage', torch.XStorage, key, location, numel)}), the storages as
 * STORED entries {@code data/<key>}, and {@code version}. Two shapes seen in the wild: the older one (the
 * default) and the newer one ({@link #newStyle}: plus {@code byteorder}, {@code .format_version},
 * {@code .storage_alignment}, {@code .data/serialization_id}, storages aligned to 64 bytes with an
 * extra-field pad). Entries carry a fixed time stamp, so equal inputs give byte-identical files. Tensors
 * are kept in memory until {@link #write}: meant for small checkpoints (demo models, tests).
 *
 * <p>The package-private knobs (parameters, metadata build, compressed storages, raw pickle) exist for
 * the reader's tests.
 */
public final class TorchCheckpointWriter {
    /** 1980-01-01 00:00 local time: the zip format's earliest date, for reproducible files. */
    private static final long FIXED_TIME = java.time.LocalDateTime.of(1980, 1, 1, 0, 0)
            .atZone(java.time.ZoneId.systemDefault()).toInstant().toEpochMilli();

    record Storage(String key, DType dtype, byte[] bytes) {
    }

    record Tensor(String name, String storageKey, long offset, long[] size, long[] stride) {
    }

    final Map<String, Storage> storages = new LinkedHashMap<>();
    final List<Tensor> tensors = new ArrayList<>();
    String prefix = "archive";
    /** Writes the newer layout (byteorder, format version, 64-byte aligned storages). */
    public boolean newStyle;
    String location = "cpu";
    String byteorder = "little";
    boolean asParameter;
    boolean withMetadataBuild;
    boolean compressStorages;
    byte[] rawPickle;
    /** When set, the numel every storage reference declares (tests of forged sizes); else the real one. */
    Long forgedNumel;

    /** Adds a contiguous tensor with its own storage (keys 0, 1, 2, ... in insertion order). */
    public TorchCheckpointWriter add(String name, DType dtype, long[] shape, byte[] bytes) {
        dtype.checkPayload(name, shape, bytes.length);
        for (Tensor t : tensors) {
            if (t.name().equals(name)) {
                throw new IllegalArgumentException("tensor '" + name + "' was added twice");
            }
        }
        String key = Integer.toString(storages.size());
        return storage(key, dtype, bytes).tensor(name, key, 0, shape.clone());
    }

    /** Adds a float32 tensor. */
    public TorchCheckpointWriter addF32(String name, float[] values, long... shape) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4 * values.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return add(name, DType.F32, shape, b.array());
    }

    /** Adds a bfloat16 tensor (values rounded to nearest even). */
    public TorchCheckpointWriter addBF16(String name, float[] values, long... shape) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(2 * values.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putShort(io.soundflow.kernels.WeightMatrix.floatToBf16(v));
        }
        return add(name, DType.BF16, shape, b.array());
    }

    /** Adds a storage of little-endian {@code dtype} values under {@code key} (its entry {@code data/<key>}). */
    public TorchCheckpointWriter storage(String key, DType dtype, byte[] bytes) {
        storages.put(key, new Storage(key, dtype, bytes));
        return this;
    }

    /** A tensor over a storage, contiguous unless {@code stride} is given. */
    public TorchCheckpointWriter tensor(String name, String storageKey, long offset, long[] size, long... stride) {
        tensors.add(new Tensor(name, storageKey, offset, size, stride.length == 0 ? contiguous(size) : stride));
        return this;
    }

    static long[] contiguous(long[] size) {
        long[] s = new long[size.length];
        long e = 1;
        for (int i = size.length - 1; i >= 0; i--) {
            s[i] = e;
            e *= size[i];
        }
        return s;
    }

    static String storageType(DType d) {
        return switch (d) {
            case F32 -> "FloatStorage";
            case F16 -> "HalfStorage";
            case BF16 -> "BFloat16Storage";
            case I64 -> "LongStorage";
            case I32 -> "IntStorage";
            case I16 -> "ShortStorage";
            case I8 -> "CharStorage";
            case U8 -> "ByteStorage";
            case BOOL -> "BoolStorage";
        };
    }

    /** The pickle torch.save writes for this state dict (memo use mirrors torch's). */
    byte[] pickle() {
        PickleWriter p = new PickleWriter().proto();
        p.global("collections", "OrderedDict").put(0).emptyTuple().reduce().put(1).mark();
        int memo = 2;
        for (Tensor t : tensors) {
            Storage s = storages.get(t.storageKey());
            p.str(t.name());
            if (asParameter) {
                p.global("torch._utils", "_rebuild_parameter");
            }
            p.global("torch._utils", "_rebuild_tensor_v2").longPut(memo++).mark();
            p.mark().str("storage").global("torch", storageType(s.dtype())).str(s.key()).str(location)
                    .integer(forgedNumel != null ? forgedNumel : s.bytes().length / s.dtype().byteSize()).tuple().op('Q');
            p.integer(t.offset()).mark();
            for (long d : t.size()) {
                p.integer(d);
            }
            p.tuple().mark();
            for (long d : t.stride()) {
                p.integer(d);
            }
            p.tuple().op(0x89).get(0).emptyTuple().reduce().tuple().reduce();
            if (asParameter) {
                // _rebuild_parameter(tensor, requires_grad, backward_hooks)
                p.op(0x89).get(0).emptyTuple().reduce().op(0x87).reduce();
            }
        }
        p.op('u');
        if (withMetadataBuild) {
            // state = {'_metadata': OrderedDict({'': {'version': 1}})}
            p.op('}').str("_metadata").get(0).emptyTuple().reduce().str("").op('}').str("version").integer(1)
                    .op('s').op('s').op('s').op('b');
        }
        return p.stop().bytes();
    }

    /** Writes the archive (replacing {@code file}); the top folder inside is {@code archive/}. */
    public void write(Path file) throws IOException {
        byte[] pkl = rawPickle != null ? rawPickle : pickle();
        try (CountingOut counter = new CountingOut(Files.newOutputStream(file));
             ZipOutputStream zip = new ZipOutputStream(counter)) {
            zip.setLevel(0);
            put(zip, counter, prefix + "/data.pkl", pkl, false);
            if (newStyle) {
                put(zip, counter, prefix + "/.format_version", "1".getBytes(StandardCharsets.US_ASCII), false);
                put(zip, counter, prefix + "/.storage_alignment", "64".getBytes(StandardCharsets.US_ASCII), false);
                put(zip, counter, prefix + "/byteorder", byteorder.getBytes(StandardCharsets.US_ASCII), false);
            }
            for (Storage s : storages.values()) {
                put(zip, counter, prefix + "/data/" + s.key(), s.bytes(), compressStorages);
            }
            put(zip, counter, prefix + "/version", "3\n".getBytes(StandardCharsets.US_ASCII), false);
            if (newStyle) {
                put(zip, counter, prefix + "/.data/serialization_id",
                        "1234567890123456789012345678901234567890".getBytes(StandardCharsets.US_ASCII), false);
            }
        }
    }

    private void put(ZipOutputStream zip, CountingOut counter, String name, byte[] data, boolean deflate)
            throws IOException {
        ZipEntry e = new ZipEntry(name);
        e.setTime(FIXED_TIME);
        if (deflate) {
            e.setMethod(ZipEntry.DEFLATED);
        } else {
            e.setMethod(ZipEntry.STORED);
            e.setSize(data.length);
            e.setCompressedSize(data.length);
            CRC32 crc = new CRC32();
            crc.update(data);
            e.setCrc(crc.getValue());
            if (newStyle && name.contains("/data/")) {
                // PyTorch pads the local header's extra field so the data starts on a 64-byte boundary
                zip.flush();
                long headerStart = counter.count;
                int nameLen = name.getBytes(StandardCharsets.UTF_8).length;
                long dataStart = headerStart + 30 + nameLen + 4;
                int pad = (int) ((64 - dataStart % 64) % 64);
                byte[] extra = new byte[4 + pad];
                extra[0] = 'F';
                extra[1] = 'B';
                extra[2] = (byte) pad;
                extra[3] = (byte) (pad >>> 8);
                e.setExtra(extra);
            }
        }
        zip.putNextEntry(e);
        zip.write(data);
        zip.closeEntry();
    }

    /** Counts the bytes written (to compute data alignment). */
    private static final class CountingOut extends OutputStream {
        private final OutputStream out;
        long count;

        CountingOut(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }
}
