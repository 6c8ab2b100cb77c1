package io.soundflow.kernels.opencl;

import io.soundflow.kernels.Kernels;
import io.soundflow.kernels.KernelsConformance;
import io.soundflow.kernels.WeightFormat;
import io.soundflow.kernels.TestData;
import io.soundflow.kernels.WeightMatrix;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AddLifecycleHook;

import java.lang.foreign.Arena;
import java.util.Random;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The conformance suite ({@link KernelsConformance}: every op, every weight format, random odd shapes,
 * views, a write-past-end canary) on the opencl backend against {@code scalar}: on PoCL in CI, on a GPU
 * wherever one is present ({@code -Dsoundflow.opencl.device=N} picks it).
 *
 * <p>Tolerance: relative error at most {@value KernelsConformance#TOL} for every format, as for the vector
 * backend: the weights dequantize to the same values bit for bit (embed checks it), and only the
 * summation order (a tree over a work-group) and OpenCL's exp, erf, sin, cos (a few ulp, within the
 * OpenCL C full-profile bounds) differ from the reference.
 */
@AddLifecycleHook(OpenClTestBackend.Hook.class)
class OpenClMatchesScalarTest extends KernelsConformance {

    @Override
    protected List<Kernels> backends() {
        return List.of(OpenClTestBackend.get());
    }

    @Override
    protected double tolerance(WeightFormat f) {
        return TOL;
    }

    /** Work-groups that take several rows each, with a remainder (the device's default takes one on small shapes). */
    @Property(tries = 25)
    void matmulWithSeveralRowsPerGroup(@ForAll WeightFormat f, @ForAll @IntRange(min = 1, max = 7) int groups,
                                       @ForAll @IntRange(min = 1, max = 11) int n, @ForAll long seed) {
        OpenClKernels k = OpenClTestBackend.get();
        Random rnd = new Random(seed);
        int rows = 1 + rnd.nextInt(60), cols = cols(f, 1 + rnd.nextInt(200));
        int before = k.matmulGroups;
        k.matmulGroups = groups;
        try (Arena arena = Arena.ofShared()) {
            WeightMatrix w = TestData.weights(rnd, f, rows, cols, arena);
            float[] x = TestData.uniform(rnd, n * cols), bias = TestData.uniform(rnd, rows);
            assertThat(TestData.relErr(run(k, w, x, n, bias), run(SCALAR, w, x, n, bias)))
                    .as("%s [%d, %d] n=%d in %d groups", f, rows, cols, n, groups).isLessThanOrEqualTo(TOL);
        } finally {
            k.matmulGroups = before;
        }
    }
}
