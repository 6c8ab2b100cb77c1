package io.soundflow.kernels.vector;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static org.assertj.core.api.Assertions.assertThat;

/** The packed copies' memory: zeroed, writable, 2 MiB aligned when mapped; tests run with native access. */
class HugePagesTest {
    @Test
    void mapsZeroedAlignedMemoryWhenNativeAccessIsOn() {
        assertThat(HugePages.enabled()).as("the build runs tests with --enable-native-access on Linux").isEqualTo(
                System.getProperty("os.name").equals("Linux"));
        for (int round = 0; round < 20; round++) { // mapped and (once unreachable) unmapped again and again
            long bytes = (3L << 20) + 4096 * round + 12;
            MemorySegment s = HugePages.allocate(bytes);
            assertThat(s.byteSize()).isEqualTo(bytes);
            if (HugePages.enabled()) {
                assertThat(s.address() % (2L << 20)).isZero();
            }
            for (long at = 0; at < bytes; at += 4093) {
                assertThat(s.get(ValueLayout.JAVA_BYTE, at)).isZero();
                s.set(ValueLayout.JAVA_BYTE, at, (byte) 7);
            }
            assertThat(s.get(ValueLayout.JAVA_BYTE, bytes - 1)).isZero();
        }
        System.gc();
    }
}
