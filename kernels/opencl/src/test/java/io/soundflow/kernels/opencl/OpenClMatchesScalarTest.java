package io.soundflow.kernels.opencl;

import io.soundflow.kernels.Kernels;
import io.soundflow.kernels.KernelsConformance;
import io.soundflow.kernels.WeightFormat;
import net.jqwik.api.lifecycle.AddLifecycleHook;

import java.util.List;

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
}
