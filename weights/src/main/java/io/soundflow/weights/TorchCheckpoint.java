package io.soundflow.weights;

import io.soundflow.weights.TorchUnpickler.StorageRef;
import io.soundflow.weights.TorchUnpickler.TensorRef;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a PyTorch zip state dict ({@code torch.save(module.state_dict(), f)}) without executing
 * anything: the archive's {@code <prefix>/data.pkl} goes through {@link TorchUnpickler} (a restricted
 * unpickler), and each tensor is a slice of its storage entry {@code <prefix>/data/<key>}, mapped in
 * place (entries must be STORED). Storage locations ({@code cpu}, {@code cuda:0}) are ignored; a
 * {@code byteorder} entry, when present, must say {@code little}. Tensors must be contiguous.
 */
public final class TorchCheckpoint {

    /** Largest data.pkl accepted. */
    static final long MAX_PICKLE_BYTES = 256L << 20;

    private TorchCheckpoint() {
    }

    /** Opens a {@code .pth} zip state dict. */
    public static TensorStore open(Path pth) {
        Path file = pth.toAbsolutePath().normalize();
        MappedFiles files = new MappedFiles();
        try {
            MemorySegment seg = files.map(file);
            if (seg.byteSize() >= 2 && seg.get(ValueLayout.JAVA_BYTE, 0) == (byte) 0x80) {
                throw CheckpointException.of(file, "a legacy (pre-1.6, non-zip) PyTorch file; re-save it with a "
                        + "recent torch.save (zip format)");
            }
            ZipArchive zip = new ZipArchive(file, seg);
            String prefix = findPrefix(file, zip);
            checkByteOrder(file, zip, prefix);
            ZipArchive.Entry pklEntry = zip.entries().get(prefix + "data.pkl");
            if (pklEntry.size() > MAX_PICKLE_BYTES) {
                throw CheckpointException.of(file, "data.pkl is " + pklEntry.size() + " bytes, more than "
                        + MAX_PICKLE_BYTES);
            }
            byte[] pickle = zip.data(pklEntry).toArray(ValueLayout.JAVA_BYTE);
            Object root = TorchUnpickler.load(file, pickle);
            if (!(root instanceof Map<?, ?> dict)) {
                throw CheckpointException.of(file, "data.pkl does not hold a dict (a state dict) at the top");
            }
            Map<String, TensorInfo> tensors = new LinkedHashMap<>();
            Map<String, MemorySegment> storages = new HashMap<>();
            for (Map.Entry<?, ?> e : dict.entrySet()) {
                if (!(e.getKey() instanceof String name)) {
                    throw CheckpointException.of(file, "state dict key " + e.getKey() + " is not a string");
                }
                if (!(e.getValue() instanceof TensorRef t)) {
                    throw CheckpointException.of(file, name, "value is not a tensor (a state dict holds tensors only)");
                }
                tensors.put(name, tensor(file, zip, prefix, storages, name, t));
            }
            return new MappedTensorStore(file, tensors, Map.of(), files);
        } catch (RuntimeException e) {
            files.close();
            if (e instanceof CheckpointException) {
                throw e;
            }
            throw CheckpointException.of(file, "cannot read the checkpoint: " + e, e);
        }
    }

    /** The archive's top folder: the one holding data.pkl. */
    private static String findPrefix(Path file, ZipArchive zip) {
        List<String> pkls = zip.entries().keySet().stream()
                .filter(n -> n.endsWith("/data.pkl") && n.indexOf('/') == n.length() - "/data.pkl".length())
                .toList();
        if (pkls.isEmpty()) {
            throw CheckpointException.of(file, "no <archive>/data.pkl entry; not a PyTorch zip checkpoint");
        }
        if (pkls.size() > 1) {
            throw CheckpointException.of(file, "several data.pkl entries " + pkls + "; not a single state dict");
        }
        return pkls.getFirst().substring(0, pkls.getFirst().length() - "data.pkl".length());
    }

    private static void checkByteOrder(Path file, ZipArchive zip, String prefix) {
        ZipArchive.Entry bo = zip.entries().get(prefix + "byteorder");
        if (bo == null) {
            return; // older archives: always little-endian
        }
        if (bo.size() > 16) {
            throw CheckpointException.of(file, "byteorder entry is " + bo.size() + " bytes");
        }
        String order = new String(zip.data(bo).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.US_ASCII).strip();
        if (!order.equals("little")) {
            throw CheckpointException.of(file, "byteorder is '" + order + "'; only little-endian archives are supported");
        }
    }

    private static TensorInfo tensor(Path file, ZipArchive zip, String prefix, Map<String, MemorySegment> storages,
                                     String name, TensorRef t) {
        StorageRef s = t.storage();
        if (s.key().isEmpty() || s.key().contains("/") || s.key().contains("..")) {
            throw CheckpointException.of(file, name, "bad storage key '" + s.key() + "'");
        }
        MemorySegment storage = storages.get(s.key());
        if (storage == null) {
            String entryName = prefix + "data/" + s.key();
            ZipArchive.Entry e = zip.entries().get(entryName);
            if (e == null) {
                throw CheckpointException.of(file, name, "storage entry '" + entryName + "' is missing from the archive");
            }
            storage = zip.data(e);
            storages.put(s.key(), storage);
        }
        int bs = s.dtype().byteSize();
        if (s.numel() > Long.MAX_VALUE / bs || storage.byteSize() != s.numel() * bs) {
            String bytes = s.numel() > Long.MAX_VALUE / bs ? "more than 2^63 bytes" : s.numel() * bs + " bytes";
            throw CheckpointException.of(file, name, "storage '" + s.key() + "' should hold " + s.numel() + " "
                    + s.dtype() + " values (" + bytes + "), the entry has " + storage.byteSize());
        }
        long[] size = t.size();
        long[] stride = t.stride();
        if (size.length != stride.length) {
            throw CheckpointException.of(file, name, "size " + Arrays.toString(size) + " and stride "
                    + Arrays.toString(stride) + " differ in rank");
        }
        long count = TensorInfo.elementCount(file, name, size);
        long expect = 1;
        for (int i = size.length - 1; i >= 0; i--) {
            if (size[i] != 1 && stride[i] != expect) {
                throw CheckpointException.of(file, name, "is not contiguous (size " + Arrays.toString(size)
                        + ", stride " + Arrays.toString(stride) + "); save it with .contiguous()");
            }
            expect *= size[i];
        }
        if (t.offset() < 0 || t.offset() > s.numel() || count > s.numel() - t.offset()) {
            throw CheckpointException.of(file, name, Arrays.toString(size) + " at storage offset " + t.offset()
                    + " runs past the end of storage '" + s.key() + "' (" + s.numel() + " values)");
        }
        return new TensorInfo(name, s.dtype(), size, file, storage.asSlice(t.offset() * bs, count * bs));
    }

    /** Whether {@code file} looks like a PyTorch zip checkpoint (by its name). */
    static boolean isTorchFile(Path file) {
        String n = file.getFileName().toString();
        return Files.isRegularFile(file) && (n.endsWith(".pth") || n.endsWith(".pt") || n.endsWith(".bin"));
    }
}
