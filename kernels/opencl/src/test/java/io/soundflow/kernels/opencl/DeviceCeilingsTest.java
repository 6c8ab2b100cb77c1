package io.soundflow.kernels.opencl;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The device probes measure something plausible: positive and below absurd bounds (1 PB/s, 10 PFLOP/s). */
class DeviceCeilingsTest {

    @Test
    void theProbesGivePlausibleCeilings() {
        OpenClKernels k = OpenClTestBackend.get();
        double gbs = k.readGBs(64L << 20, 2);
        double gflops = k.fmaGflops(2);
        System.out.printf("device %s: read %.1f GB/s, FMA %.1f GFLOP/s%n", k.deviceName(), gbs, gflops);
        assertThat(gbs).isBetween(0.01, 1e6);
        assertThat(gflops).isBetween(0.01, 1e7);
    }
}
