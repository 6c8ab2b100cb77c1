package io.soundflow.kernels.opencl;

/** Prints why OpenCL cannot run in this process ("available" when it can); run by OpenClFailureModesTest. */
public final class PrintOpenClReason {
    private PrintOpenClReason() {
    }

    public static void main(String[] args) {
        String why = OpenClProvider.unavailableReason();
        System.out.println(why == null ? "available" : why);
    }
}
