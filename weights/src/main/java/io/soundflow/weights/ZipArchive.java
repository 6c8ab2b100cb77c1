package io.soundflow.weights;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The central directory of a memory-mapped zip file (zip64 included), with the data of STORED
 * entries exposed as slices of the mapping. Only what PyTorch archives need: no compression, no
 * encryption. Every offset is checked against the file before it is used.
 */
final class ZipArchive {

    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final int EOCD = 0x06054b50;
    private static final int EOCD64 = 0x06064b50;
    private static final int EOCD64_LOCATOR = 0x07064b50;
    private static final int CENTRAL = 0x02014b50;
    private static final int LOCAL = 0x04034b50;
    private static final int MAX_ENTRIES = 1 << 20;

    /** One central-directory entry. */
    record Entry(String name, int method, int flags, long compressedSize, long size, long localHeaderOffset) {
    }

    private final Path file;
    private final MemorySegment seg;
    private final Map<String, Entry> entries;

    ZipArchive(Path file, MemorySegment seg) {
        this.file = file;
        this.seg = seg;
        this.entries = Collections.unmodifiableMap(readCentralDirectory());
    }

    /** Entries by name, in central-directory order. */
    Map<String, Entry> entries() {
        return entries;
    }

    /** The bytes of a STORED entry, in place. */
    MemorySegment data(Entry e) {
        if (e.method() != 0) {
            throw CheckpointException.of(file, "zip entry '" + e.name() + "' is compressed (method " + e.method()
                    + "); PyTorch archives store tensors uncompressed and only those can be mapped");
        }
        if ((e.flags() & 1) != 0) {
            throw CheckpointException.of(file, "zip entry '" + e.name() + "' is encrypted");
        }
        if (e.compressedSize() != e.size()) {
            throw CheckpointException.of(file, "zip entry '" + e.name() + "' is stored but its sizes differ ("
                    + e.compressedSize() + " vs " + e.size() + ")");
        }
        long h = e.localHeaderOffset();
        need(h, 30, "local header of '" + e.name() + "'");
        if (seg.get(U32, h) != LOCAL) {
            throw CheckpointException.of(file, "zip entry '" + e.name() + "': no local header at offset " + h);
        }
        int nameLen = u16(h + 26);
        int extraLen = u16(h + 28);
        need(h + 30, nameLen, "local name of '" + e.name() + "'");
        String localName = string(h + 30, nameLen);
        if (!localName.equals(e.name())) {
            throw CheckpointException.of(file, "zip entry '" + e.name() + "': local header names '" + localName + "'");
        }
        long start = h + 30 + nameLen + extraLen;
        need(start, e.size(), "data of '" + e.name() + "'");
        return seg.asSlice(start, e.size());
    }

    private Map<String, Entry> readCentralDirectory() {
        long size = seg.byteSize();
        if (size < 22) {
            throw CheckpointException.of(file, "not a zip archive (" + size + " bytes, too short)");
        }
        long eocd = -1;
        for (long p = size - 22; p >= Math.max(0, size - 22 - 65535); p--) {
            if (seg.get(U32, p) == EOCD) {
                eocd = p;
                break;
            }
        }
        if (eocd < 0) {
            throw CheckpointException.of(file, "not a zip archive (no end-of-central-directory record; truncated?)");
        }
        long count = u16(eocd + 10);
        long cdSize = u32(eocd + 12);
        long cdOffset = u32(eocd + 16);
        if (count == 0xFFFF || cdSize == 0xFFFFFFFFL || cdOffset == 0xFFFFFFFFL) {
            long loc = eocd - 20;
            if (loc < 0 || seg.get(U32, loc) != EOCD64_LOCATOR) {
                throw CheckpointException.of(file, "zip64 archive without a zip64 locator");
            }
            long e64 = seg.get(U64, loc + 8);
            need(e64, 56, "zip64 end record");
            if (seg.get(U32, e64) != EOCD64) {
                throw CheckpointException.of(file, "zip64 end record not found at offset " + e64);
            }
            count = seg.get(U64, e64 + 32);
            cdSize = seg.get(U64, e64 + 40);
            cdOffset = seg.get(U64, e64 + 48);
        }
        if (count < 0 || count > MAX_ENTRIES) {
            throw CheckpointException.of(file, "zip archive claims " + count + " entries");
        }
        need(cdOffset, cdSize, "central directory");
        Map<String, Entry> out = new LinkedHashMap<>();
        long p = cdOffset;
        long end = cdOffset + cdSize;
        for (long i = 0; i < count; i++) {
            if (p + 46 > end || seg.get(U32, p) != CENTRAL) {
                throw CheckpointException.of(file, "zip central directory is corrupt at entry " + i);
            }
            int flags = u16(p + 8);
            int method = u16(p + 10);
            long comp = u32(p + 20);
            long usize = u32(p + 24);
            int nameLen = u16(p + 28);
            int extraLen = u16(p + 30);
            int commentLen = u16(p + 32);
            long local = u32(p + 42);
            if (p + 46 + nameLen + extraLen + commentLen > end) {
                throw CheckpointException.of(file, "zip central directory is corrupt at entry " + i);
            }
            String name = string(p + 46, nameLen);
            // zip64 extra field: the 0xFFFFFFFF fields follow in order
            long x = p + 46 + nameLen;
            long xEnd = x + extraLen;
            while (x + 4 <= xEnd) {
                int id = u16(x);
                int len = u16(x + 2);
                if (x + 4 + len > xEnd) {
                    break;
                }
                if (id == 1) {
                    long q = x + 4;
                    if (usize == 0xFFFFFFFFL && q + 8 <= x + 4 + len) {
                        usize = seg.get(U64, q);
                        q += 8;
                    }
                    if (comp == 0xFFFFFFFFL && q + 8 <= x + 4 + len) {
                        comp = seg.get(U64, q);
                        q += 8;
                    }
                    if (local == 0xFFFFFFFFL && q + 8 <= x + 4 + len) {
                        local = seg.get(U64, q);
                    }
                }
                x += 4 + len;
            }
            if (usize < 0 || comp < 0 || local < 0) {
                throw CheckpointException.of(file, "zip entry '" + name + "' has a size or offset out of range");
            }
            if (out.put(name, new Entry(name, method, flags, comp, usize, local)) != null) {
                throw CheckpointException.of(file, "zip entry '" + name + "' appears twice");
            }
            p += 46 + nameLen + extraLen + commentLen;
        }
        return out;
    }

    private void need(long offset, long length, String what) {
        if (offset < 0 || length < 0 || offset > seg.byteSize() - length) {
            throw CheckpointException.of(file, "zip " + what + " lies outside the file (offset " + offset
                    + ", length " + length + ", file " + seg.byteSize() + " bytes; truncated?)");
        }
    }

    private int u16(long p) {
        need(p, 2, "field");
        return seg.get(U16, p) & 0xFFFF;
    }

    private long u32(long p) {
        need(p, 4, "field");
        return seg.get(U32, p) & 0xFFFFFFFFL;
    }

    private String string(long p, int len) {
        need(p, len, "name");
        return new String(seg.asSlice(p, len).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
    }
}
