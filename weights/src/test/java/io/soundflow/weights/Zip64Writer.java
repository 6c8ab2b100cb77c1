package io.soundflow.weights;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * Writes a STORED zip in zip64 form (every size and offset in zip64 extra fields, a zip64 end record
 * and locator), as writers do for archives over 4 GB, so the zip64 path is tested on small files.
 */
final class Zip64Writer {
    private Zip64Writer() {
    }

    static void write(Path file, Map<String, byte[]> entries) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<long[]> offsets = new ArrayList<>();
        List<String> names = new ArrayList<>(entries.keySet());
        for (String name : names) {
            byte[] data = entries.get(name);
            byte[] n = name.getBytes(StandardCharsets.UTF_8);
            offsets.add(new long[]{out.size(), crc(data)});
            le(out, 0x04034b50, 4);
            le(out, 45, 2);
            le(out, 0, 2);
            le(out, 0, 2); // stored
            le(out, 0, 4); // time, date
            le(out, crc(data), 4);
            le(out, 0xFFFFFFFFL, 4);
            le(out, 0xFFFFFFFFL, 4);
            le(out, n.length, 2);
            le(out, 20, 2);
            out.writeBytes(n);
            le(out, 1, 2);
            le(out, 16, 2);
            le(out, data.length, 8);
            le(out, data.length, 8);
            out.writeBytes(data);
        }
        long cdStart = out.size();
        for (int i = 0; i < names.size(); i++) {
            byte[] data = entries.get(names.get(i));
            byte[] n = names.get(i).getBytes(StandardCharsets.UTF_8);
            le(out, 0x02014b50, 4);
            le(out, 45, 2);
            le(out, 45, 2);
            le(out, 0, 2);
            le(out, 0, 2);
            le(out, 0, 4);
            le(out, offsets.get(i)[1], 4);
            le(out, 0xFFFFFFFFL, 4);
            le(out, 0xFFFFFFFFL, 4);
            le(out, n.length, 2);
            le(out, 28, 2);
            le(out, 0, 2); // comment
            le(out, 0, 2); // disk
            le(out, 0, 2); // internal attributes
            le(out, 0, 4); // external attributes
            le(out, 0xFFFFFFFFL, 4);
            out.writeBytes(n);
            le(out, 1, 2);
            le(out, 24, 2);
            le(out, data.length, 8);
            le(out, data.length, 8);
            le(out, offsets.get(i)[0], 8);
        }
        long cdSize = out.size() - cdStart;
        long eocd64 = out.size();
        le(out, 0x06064b50, 4);
        le(out, 44, 8);
        le(out, 45, 2);
        le(out, 45, 2);
        le(out, 0, 4);
        le(out, 0, 4);
        le(out, names.size(), 8);
        le(out, names.size(), 8);
        le(out, cdSize, 8);
        le(out, cdStart, 8);
        le(out, 0x07064b50, 4);
        le(out, 0, 4);
        le(out, eocd64, 8);
        le(out, 1, 4);
        le(out, 0x06054b50, 4);
        le(out, 0, 2);
        le(out, 0, 2);
        le(out, 0xFFFF, 2);
        le(out, 0xFFFF, 2);
        le(out, 0xFFFFFFFFL, 4);
        le(out, 0xFFFFFFFFL, 4);
        le(out, 0, 2);
        Files.write(file, out.toByteArray());
    }

    private static long crc(byte[] b) {
        CRC32 c = new CRC32();
        c.update(b);
        return c.getValue();
    }

    private static void le(ByteArrayOutputStream out, long v, int bytes) {
        for (int i = 0; i < bytes; i++) {
            out.write((int) (v >>> (8 * i)) & 0xFF);
        }
    }
}
