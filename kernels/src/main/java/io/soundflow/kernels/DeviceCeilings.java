package io.soundflow.kernels;

/**
 * Implemented by a backend that runs on a device of its own (a GPU): it measures that device's ceilings,
 * so a benchmark's roofline compares the backend with its own hardware instead of the host CPU's.
 */
public interface DeviceCeilings {

    /** Device memory read bandwidth in GB/s, reading a buffer of about {@code bytes}; best of {@code rounds}. */
    double readGBs(long bytes, int rounds);

    /** float32 FMA rate of the device in GFLOP/s (2 flops per FMA); best of {@code rounds}. */
    double fmaGflops(int rounds);
}
