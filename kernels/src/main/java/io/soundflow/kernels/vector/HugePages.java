package io.soundflow.kernels.vector;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Off-heap memory for the backend's own weight copies ({@link Packed}): anonymous {@code mmap}, 2 MiB aligned and
 * advised {@code MADV_HUGEPAGE} through {@code java.lang.foreign} (Linux kernels that give transparent huge pages
 * only on request read such memory with fewer TLB misses), unmapped when the last reference to the segment goes.
 * Used only when this module has native access ({@code --enable-native-access}, as the launcher runs it) and
 * {@code -Dsoundflow.hugePages} is not {@code false}; otherwise, and if any call fails, plain
 * {@link Arena#ofAuto()} memory.
 */
public final class HugePages {
    private HugePages() {
    }

    public static final String PROPERTY = "soundflow.hugePages";
    private static final long HUGE = 2L << 20;
    private static final int MADV_HUGEPAGE = 14;
    private static final Native NATIVE = Native.find();

    /** {@code bytes} of zeroed memory, 64-byte aligned at least, freed with its last reference. */
    static MemorySegment allocate(long bytes) {
        MemorySegment s = enabled() ? NATIVE.map(bytes) : null;
        return s != null ? s : Arena.ofAuto().allocate(bytes, 64);
    }

    /**
     * {@code bytes} of anonymous memory, 2 MiB aligned and advised for huge pages whatever {@link #PROPERTY} says
     * (the bandwidth probe compares it with other memory), or null without native access or when mmap fails.
     */
    public static MemorySegment mapAdvised(long bytes) {
        return NATIVE == null ? null : NATIVE.map(bytes);
    }

    /** Whether {@link #allocate} asks for huge pages in this JVM. */
    static boolean enabled() {
        return NATIVE != null && !"false".equals(System.getProperty(PROPERTY));
    }

    private record Native(MethodHandle mmap, MethodHandle madvise, MethodHandle munmap) {
        static Native find() {
            try {
                if (!HugePages.class.getModule().isNativeAccessEnabled() || !System.getProperty("os.name", "").equals("Linux")) {
                    return null;
                }
                Linker l = Linker.nativeLinker();
                var libc = l.defaultLookup();
                return new Native(
                        l.downcallHandle(libc.find("mmap").orElseThrow(), FunctionDescriptor.of(ValueLayout.ADDRESS,
                                ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                                ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG)),
                        l.downcallHandle(libc.find("madvise").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_INT,
                                ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT)),
                        l.downcallHandle(libc.find("munmap").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_INT,
                                ValueLayout.ADDRESS, ValueLayout.JAVA_LONG)));
            } catch (Throwable t) { // no native access, no libc symbols: plain memory
                return null;
            }
        }

        MemorySegment map(long bytes) {
            try {
                long len = bytes + HUGE; // room to align the start to 2 MiB
                int protReadWrite = 3, mapPrivateAnonymous = 0x22;
                MemorySegment p = (MemorySegment) mmap.invokeExact(MemorySegment.NULL, len, protReadWrite,
                        mapPrivateAnonymous, -1, 0L);
                if (p.address() == -1L) {
                    return null;
                }
                long aligned = (p.address() + HUGE - 1) & -HUGE;
                MemorySegment seg = MemorySegment.ofAddress(aligned).reinterpret(bytes);
                int ignored = (int) madvise.invokeExact(seg, bytes, MADV_HUGEPAGE); // advice only: plain pages when refused
                long base = p.address();
                MethodHandle unmap = munmap;
                return seg.reinterpret(bytes, Arena.ofAuto(), s -> {
                    try {
                        int rc = (int) unmap.invokeExact(MemorySegment.ofAddress(base), len);
                    } catch (Throwable t) {
                        throw new IllegalStateException("munmap failed", t);
                    }
                });
            } catch (Throwable t) {
                return null;
            }
        }
    }
}
