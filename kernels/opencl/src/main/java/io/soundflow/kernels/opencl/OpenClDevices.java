package io.soundflow.kernels.opencl;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * The OpenCL devices of every platform, numbered in order (platform by platform) as
 * {@code -Dsoundflow.opencl.device=N} counts them; without the property the first GPU, else device 0.
 */
final class OpenClDevices {
    static final String DEVICE_PROPERTY = "soundflow.opencl.device";

    /** One device. {@code platform} and {@code device} are the OpenCL handles. */
    record Device(int index, MemorySegment platform, MemorySegment device, String platformName, String name,
                  String version, boolean gpu, long globalMem, long maxAlloc, int maxWorkGroup, int computeUnits,
                  int clockMhz) {
        String describe() {
            return index + ": " + platformName + " / " + name + (gpu ? " (GPU)" : "");
        }
    }

    private OpenClDevices() {
    }

    /** Every device of every platform; an {@link OpenClException} saying what is missing when there is none. */
    static List<Device> list(Cl cl) {
        List<Device> out = new ArrayList<>();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment count = a.allocate(JAVA_INT);
            int rc = Cl.call(cl.getPlatformIDs, 0, MemorySegment.NULL, count);
            int np = rc == Cl.CL_SUCCESS ? count.get(JAVA_INT, 0) : 0;
            if (rc == Cl.CL_PLATFORM_NOT_FOUND_KHR || np == 0) {
                throw new OpenClException("OpenCL: the loader " + cl.library + " found no OpenCL platform (no driver is "
                        + "installed, or its .icd file is missing from /etc/OpenCL/vendors); install one (Debian: "
                        + "apt-get install pocl-opencl-icd for the CPU, or the GPU vendor's OpenCL driver), or point -D"
                        + Cl.LIBRARY_PROPERTY + "=PATH at a vendor libOpenCL.so directly");
            }
            Cl.check(rc, "clGetPlatformIDs");
            MemorySegment platforms = a.allocate(ADDRESS, np);
            Cl.check(Cl.call(cl.getPlatformIDs, np, platforms, MemorySegment.NULL), "clGetPlatformIDs");
            List<String> empty = new ArrayList<>();
            for (int p = 0; p < np; p++) {
                MemorySegment platform = platforms.getAtIndex(ADDRESS, p);
                String pname = cl.infoString(cl.getPlatformInfo, "clGetPlatformInfo", platform, Cl.CL_PLATFORM_NAME);
                rc = Cl.call(cl.getDeviceIDs, platform, Cl.CL_DEVICE_TYPE_ALL, 0, MemorySegment.NULL, count);
                int nd = rc == Cl.CL_SUCCESS ? count.get(JAVA_INT, 0) : 0;
                if (rc == Cl.CL_DEVICE_NOT_FOUND || nd == 0) {
                    empty.add(pname);
                    continue;
                }
                Cl.check(rc, "clGetDeviceIDs");
                MemorySegment devs = a.allocate(ADDRESS, nd);
                Cl.check(Cl.call(cl.getDeviceIDs, platform, Cl.CL_DEVICE_TYPE_ALL, nd, devs, MemorySegment.NULL), "clGetDeviceIDs");
                for (int d = 0; d < nd; d++) {
                    MemorySegment dev = devs.getAtIndex(ADDRESS, d);
                    out.add(new Device(out.size(), platform, dev, pname,
                            cl.infoString(cl.getDeviceInfo, "clGetDeviceInfo", dev, Cl.CL_DEVICE_NAME),
                            cl.infoString(cl.getDeviceInfo, "clGetDeviceInfo", dev, Cl.CL_DEVICE_VERSION),
                            (cl.deviceLong(dev, Cl.CL_DEVICE_TYPE) & Cl.CL_DEVICE_TYPE_GPU) != 0,
                            cl.deviceLong(dev, Cl.CL_DEVICE_GLOBAL_MEM_SIZE),
                            cl.deviceLong(dev, Cl.CL_DEVICE_MAX_MEM_ALLOC_SIZE),
                            (int) Math.min(Integer.MAX_VALUE, cl.deviceLong(dev, Cl.CL_DEVICE_MAX_WORK_GROUP_SIZE)),
                            cl.deviceInt(dev, Cl.CL_DEVICE_MAX_COMPUTE_UNITS),
                            cl.deviceInt(dev, Cl.CL_DEVICE_MAX_CLOCK_FREQUENCY)));
                }
            }
            if (out.isEmpty()) {
                throw new OpenClException("OpenCL: no device on the platform(s) " + String.join(", ", empty)
                        + "; check that the driver sees its device (clinfo lists them), or install another driver "
                        + "(pocl-opencl-icd runs OpenCL on the CPU)");
            }
        }
        return out;
    }

    /** The device {@code setting} names (null or blank: the first GPU, else device 0). */
    static Device choose(List<Device> devices, String setting) {
        if (setting == null || setting.isBlank()) {
            return devices.stream().filter(Device::gpu).findFirst().orElse(devices.getFirst());
        }
        int n;
        try {
            n = Integer.parseInt(setting.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-D" + DEVICE_PROPERTY + "=" + setting + " is not a device number; "
                    + "the devices are " + describe(devices));
        }
        if (n < 0 || n >= devices.size()) {
            throw new IllegalArgumentException("-D" + DEVICE_PROPERTY + "=" + setting + ": there is no device " + n
                    + "; the devices are " + describe(devices));
        }
        return devices.get(n);
    }

    static String describe(List<Device> devices) {
        return String.join("; ", devices.stream().map(Device::describe).toList());
    }
}
