/**
 * The OpenCL backend: OpenCL C kernels called through {@code java.lang.foreign} downcalls into the system's
 * OpenCL loader. It exports nothing: it is found as a {@link io.soundflow.kernels.KernelsProvider} service.
 */
module io.soundflow.kernels.opencl {
    requires io.soundflow.kernels;

    provides io.soundflow.kernels.KernelsProvider with io.soundflow.kernels.opencl.OpenClProvider;
}
