package io.soundflow.kernels.opencl;

import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

import java.io.PrintWriter;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectPackage;

/**
 * Runs every test of this package (the conformance suite, buffers, failure modes, device ceilings) without Maven (bench/gpu-kit.sh, on a
 * machine with a GPU; {@code -Dsoundflow.opencl.device=N} picks the device). Exit code 0 when every test
 * passed and none was skipped.
 */
public final class ConformanceMain {
    private ConformanceMain() {
    }

    public static void main(String[] args) {
        String why = OpenClProvider.unavailableReason();
        if (why != null) {
            System.err.println("conformance: " + why);
            System.exit(2);
        }
        System.out.println("conformance on " + OpenClTestBackend.get().name());
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(selectPackage(ConformanceMain.class.getPackageName()))
                .build();
        Launcher launcher = LauncherFactory.create();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        launcher.execute(request, listener);
        TestExecutionSummary s = listener.getSummary();
        PrintWriter out = new PrintWriter(System.out, true);
        s.printTo(out);
        s.printFailuresTo(out, 20);
        boolean ok = s.getTotalFailureCount() == 0 && s.getTestsSkippedCount() == 0 && s.getTestsAbortedCount() == 0
                && s.getTestsSucceededCount() > 0;
        System.out.println(ok ? "conformance: PASS" : "conformance: FAIL");
        System.exit(ok ? 0 : 1);
    }
}
