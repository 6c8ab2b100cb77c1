package io.soundflow.kernels.opencl;

/**
 * An OpenCL failure, in one line that names the call (or what is missing) and, where there is one, the
 * error code. Device memory exhaustion says so and how to need less.
 */
public final class OpenClException extends IllegalStateException {
    private final int code;

    /** A failed call: "clCreateBuffer: CL_MEM_OBJECT_ALLOCATION_FAILURE (-4)". */
    OpenClException(String call, int code) {
        super(call + ": " + Cl.errorName(code) + (Cl.isOutOfMemory(code)
                ? ": the OpenCL device is out of memory (use a smaller model, --quantize q8_0 or q4_0, --kv-dtype f16, "
                + "fewer --max-positions, or another device with -Dsoundflow.opencl.device=N)" : ""));
        this.code = code;
    }

    /** A failure that is not one call's error code (no library, no platform, a build log). */
    OpenClException(String message) {
        super(message);
        this.code = 0;
    }

    /** The OpenCL error code, or 0 when the failure is not one. */
    public int code() {
        return code;
    }
}
