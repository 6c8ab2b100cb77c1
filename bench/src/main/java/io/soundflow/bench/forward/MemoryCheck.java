package io.soundflow.bench.forward;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The memory this machine can still give (Linux {@code MemAvailable}), for the benches that allocate gigabytes. */
final class MemoryCheck {
    private MemoryCheck() {
    }

    /** Overrides the measured figure (bytes), so that the refusal can be tested on a machine that has room. */
    static final String PROPERTY = "soundflow.availableMemory";

    /** Bytes available now, or -1 where the system does not say (not Linux). */
    static long availableBytes() {
        String forced = System.getProperty(PROPERTY);
        if (forced != null) {
            return Long.parseLong(forced.trim());
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemAvailable:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
