package io.soundflow.weights;

import java.io.ByteArrayOutputStream;
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
 * Writes PyTorch-style zip state dicts for tests, in the two shapes seen in the wild: the older one
 * ({@code data.pkl}, {@code data/N}, {@code version}) and the newer one (plus {@code byteorder},
 * {@code .data/serialization_id}, {@code .format_version}, storages aligned to 64 bytes with an
 * extra-field pad, storage location {@code cuda:0}).
 */
final class TorchZipWriter {

    record Storage(String key, DType dtype, byte[] bytes) {
    }

    record Tensor(String name, String storageKey, long offset, long[] size, long[] stride) {
    }

    final Map<String, Storage> storages = new LinkedHashMap<>();
    final List<Tensor> tensors = new ArrayList<>();
    String prefix = "archive";
    boolean newStyle;
    String location = "cpu";
    String byteorder = "little";
    boolean asParameter;
    boolean withMetadataBuild;
    boolean compressStorages;
    byte[] rawPickle;

    TorchZipWriter storage(String key, DType dtype, byte[] bytes) {
        storages.put(key, new Storage(key, dtype, bytes));
        return this;
    }

    /** A tensor over a storage, contiguous unless {@code stride} is given. */
    TorchZipWriter tensor(String name, String storageKey, long offset, long[] size, long... stride) {
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
                    .integer(s.bytes().length / s.dtype().byteSize()).tuple().op('Q');
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

    void write(Path file) throws IOException {
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

    /** Little-endian bytes of {@code n} values of {@code dtype} filled with a deterministic pattern. */
    static byte[] pattern(DType dtype, int n, int seed) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        java.util.Random r = new java.util.Random(seed);
        for (int i = 0; i < n; i++) {
            switch (dtype) {
                case F32 -> le(b, Float.floatToRawIntBits((float) r.nextGaussian()), 4);
                case F16 -> le(b, Float.floatToFloat16((float) r.nextGaussian()), 2);
                case BF16 -> le(b, io.soundflow.kernels.WeightMatrix.floatToBf16((float) r.nextGaussian()), 2);
                case BOOL -> b.write(r.nextBoolean() ? 1 : 0);
                default -> le(b, r.nextLong(), dtype.byteSize());
            }
        }
        return b.toByteArray();
    }

    private static void le(ByteArrayOutputStream b, long v, int bytes) {
        for (int i = 0; i < bytes; i++) {
            b.write((int) (v >>> (8 * i)) & 0xFF);
        }
    }
}
