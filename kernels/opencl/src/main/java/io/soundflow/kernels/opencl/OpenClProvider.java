package io.soundflow.kernels.opencl;

import io.soundflow.kernels.Kernels;
import io.soundflow.kernels.KernelsProvider;

import java.lang.System.Logger.Level;
import java.util.List;

/**
 * The {@code opencl} backend's provider ({@code -Dsoundflow.kernels=opencl}): loads the OpenCL library,
 * picks the device ({@code -Dsoundflow.opencl.device=N}, default the first GPU, else device 0), builds the
 * kernels and logs one line naming the platform and the device. Every failure is an exception with one
 * line saying what is missing and how to fix it.
 */
public final class OpenClProvider implements KernelsProvider {
    private static final System.Logger LOG = System.getLogger("soundflow.kernels");

    @Override
    public String name() {
        return "opencl";
    }

    @Override
    public int order() {
        return 20;
    }

    @Override
    public Kernels create(Environment env) {
        return open(System.getProperty(OpenClDevices.DEVICE_PROPERTY));
    }

    /** A backend on the device {@code deviceSetting} names (null: the default device). */
    public static OpenClKernels open(String deviceSetting) {
        Cl cl = Cl.get();
        List<OpenClDevices.Device> devices = OpenClDevices.list(cl);
        OpenClDevices.Device d = OpenClDevices.choose(devices, deviceSetting);
        OpenClKernels k = new OpenClKernels(new OpenClContext(cl, d));
        LOG.log(Level.INFO, "SoundFlow kernels: opencl on platform \"" + d.platformName() + "\", device " + d.index()
                + " \"" + d.name() + "\" (" + d.version() + ", " + d.computeUnits() + " compute units, "
                + OpenClContext.mib(d.globalMem()) + " MiB; " + devices.size() + " device(s): "
                + OpenClDevices.describe(devices) + ")");
        return k;
    }

    /** Why OpenCL cannot run here, or null when it can (a platform with a device is present). */
    public static String unavailableReason() {
        try {
            OpenClDevices.list(Cl.get());
            return null;
        } catch (RuntimeException e) {
            return e.getMessage();
        }
    }
}
