package io.soundflow.kernels.opencl;

import net.jqwik.api.lifecycle.LifecycleContext;
import net.jqwik.api.lifecycle.SkipExecutionHook;
import org.opentest4j.TestAbortedException;

/**
 * The one opencl backend the tests of this JVM share (building the kernels takes seconds on PoCL). Without
 * an OpenCL platform the tests skip with the reason, unless {@code CI=true}: then they fail with it.
 */
public final class OpenClTestBackend {
    private static OpenClKernels shared;
    private static String reason;

    private OpenClTestBackend() {
    }

    static boolean ci() {
        return "true".equals(System.getenv("CI"));
    }

    /** Why OpenCL cannot run here (null: it can). */
    public static synchronized String unavailable() {
        if (shared == null && reason == null) {
            reason = OpenClProvider.unavailableReason();
        }
        return shared != null ? null : reason;
    }

    /** The shared backend; skips (aborts) the test, or fails it under CI=true, when OpenCL is missing. */
    public static synchronized OpenClKernels get() {
        String why = unavailable();
        if (why != null) {
            if (ci()) {
                throw new AssertionError("CI=true but OpenCL is not available: " + why);
            }
            throw new TestAbortedException("no OpenCL platform here (" + why + ")");
        }
        if (shared == null) {
            shared = OpenClProvider.open(System.getProperty(OpenClDevices.DEVICE_PROPERTY));
        }
        return shared;
    }

    /** A jqwik hook that skips a container when OpenCL is missing (never under CI=true). */
    public static final class Hook implements SkipExecutionHook {
        @Override
        public SkipResult shouldBeSkipped(LifecycleContext context) {
            String why = unavailable();
            return why != null && !ci() ? SkipResult.skip("no OpenCL platform here (" + why + ")") : SkipResult.doNotSkip();
        }
    }
}
