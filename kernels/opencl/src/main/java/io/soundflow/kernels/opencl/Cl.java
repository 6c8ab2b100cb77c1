package io.soundflow.kernels.opencl;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The OpenCL 1.2 entry points the backend uses, as {@code java.lang.foreign} downcalls into the system
 * OpenCL loader ({@code libOpenCL.so.1}, or {@code -Dsoundflow.opencl.library=PATH}). No JNI, nothing
 * native shipped. Every call that returns an error code goes through {@link #check}, which turns it into
 * an {@link OpenClException} naming the call and the code ({@code clBuildProgram: CL_BUILD_PROGRAM_FAILURE
 * (-11)}).
 *
 * <p>C types: {@code cl_int}, {@code cl_uint}, {@code cl_bool} are {@code int}; {@code size_t},
 * {@code cl_ulong} and the bit fields are {@code long}; every handle is an address.
 */
final class Cl {
    static final String LIBRARY_PROPERTY = "soundflow.opencl.library";
    static final String DEFAULT_LIBRARY = "libOpenCL.so.1";

    // constants from CL/cl.h
    static final int CL_SUCCESS = 0;
    static final long CL_DEVICE_TYPE_GPU = 1L << 2;
    static final long CL_DEVICE_TYPE_ALL = 0xFFFFFFFFL;
    static final int CL_PLATFORM_NAME = 0x0902;
    static final int CL_PLATFORM_VERSION = 0x0901;
    static final int CL_DEVICE_TYPE = 0x1000;
    static final int CL_DEVICE_MAX_COMPUTE_UNITS = 0x1002;
    static final int CL_DEVICE_MAX_WORK_GROUP_SIZE = 0x1004;
    static final int CL_DEVICE_MAX_CLOCK_FREQUENCY = 0x100C;
    static final int CL_DEVICE_MAX_MEM_ALLOC_SIZE = 0x1010;
    static final int CL_DEVICE_GLOBAL_MEM_SIZE = 0x101F;
    static final int CL_DEVICE_LOCAL_MEM_SIZE = 0x1023;
    static final int CL_DEVICE_NAME = 0x102B;
    static final int CL_DEVICE_VERSION = 0x102F;
    static final int CL_PROGRAM_BUILD_LOG = 0x1183;
    static final int CL_KERNEL_WORK_GROUP_SIZE = 0x11B0;
    static final long CL_MEM_READ_WRITE = 1L;
    static final long CL_MEM_READ_ONLY = 1L << 2;
    static final int CL_TRUE = 1;
    static final int CL_FALSE = 0;
    static final int CL_PLATFORM_NOT_FOUND_KHR = -1001;
    static final int CL_DEVICE_NOT_FOUND = -1;

    private static final Map<Integer, String> NAMES = Map.ofEntries(
            Map.entry(0, "CL_SUCCESS"), Map.entry(-1, "CL_DEVICE_NOT_FOUND"), Map.entry(-2, "CL_DEVICE_NOT_AVAILABLE"),
            Map.entry(-3, "CL_COMPILER_NOT_AVAILABLE"), Map.entry(-4, "CL_MEM_OBJECT_ALLOCATION_FAILURE"),
            Map.entry(-5, "CL_OUT_OF_RESOURCES"), Map.entry(-6, "CL_OUT_OF_HOST_MEMORY"),
            Map.entry(-7, "CL_PROFILING_INFO_NOT_AVAILABLE"), Map.entry(-8, "CL_MEM_COPY_OVERLAP"),
            Map.entry(-9, "CL_IMAGE_FORMAT_MISMATCH"), Map.entry(-10, "CL_IMAGE_FORMAT_NOT_SUPPORTED"),
            Map.entry(-11, "CL_BUILD_PROGRAM_FAILURE"), Map.entry(-12, "CL_MAP_FAILURE"),
            Map.entry(-13, "CL_MISALIGNED_SUB_BUFFER_OFFSET"), Map.entry(-14, "CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST"),
            Map.entry(-15, "CL_COMPILE_PROGRAM_FAILURE"), Map.entry(-16, "CL_LINKER_NOT_AVAILABLE"),
            Map.entry(-17, "CL_LINK_PROGRAM_FAILURE"), Map.entry(-18, "CL_DEVICE_PARTITION_FAILED"),
            Map.entry(-19, "CL_KERNEL_ARG_INFO_NOT_AVAILABLE"),
            Map.entry(-30, "CL_INVALID_VALUE"), Map.entry(-31, "CL_INVALID_DEVICE_TYPE"), Map.entry(-32, "CL_INVALID_PLATFORM"),
            Map.entry(-33, "CL_INVALID_DEVICE"), Map.entry(-34, "CL_INVALID_CONTEXT"), Map.entry(-35, "CL_INVALID_QUEUE_PROPERTIES"),
            Map.entry(-36, "CL_INVALID_COMMAND_QUEUE"), Map.entry(-37, "CL_INVALID_HOST_PTR"), Map.entry(-38, "CL_INVALID_MEM_OBJECT"),
            Map.entry(-39, "CL_INVALID_IMAGE_FORMAT_DESCRIPTOR"), Map.entry(-40, "CL_INVALID_IMAGE_SIZE"),
            Map.entry(-41, "CL_INVALID_SAMPLER"), Map.entry(-42, "CL_INVALID_BINARY"), Map.entry(-43, "CL_INVALID_BUILD_OPTIONS"),
            Map.entry(-44, "CL_INVALID_PROGRAM"), Map.entry(-45, "CL_INVALID_PROGRAM_EXECUTABLE"),
            Map.entry(-46, "CL_INVALID_KERNEL_NAME"), Map.entry(-47, "CL_INVALID_KERNEL_DEFINITION"),
            Map.entry(-48, "CL_INVALID_KERNEL"), Map.entry(-49, "CL_INVALID_ARG_INDEX"), Map.entry(-50, "CL_INVALID_ARG_VALUE"),
            Map.entry(-51, "CL_INVALID_ARG_SIZE"), Map.entry(-52, "CL_INVALID_KERNEL_ARGS"),
            Map.entry(-53, "CL_INVALID_WORK_DIMENSION"), Map.entry(-54, "CL_INVALID_WORK_GROUP_SIZE"),
            Map.entry(-55, "CL_INVALID_WORK_ITEM_SIZE"), Map.entry(-56, "CL_INVALID_GLOBAL_OFFSET"),
            Map.entry(-57, "CL_INVALID_EVENT_WAIT_LIST"), Map.entry(-58, "CL_INVALID_EVENT"), Map.entry(-59, "CL_INVALID_OPERATION"),
            Map.entry(-60, "CL_INVALID_GL_OBJECT"), Map.entry(-61, "CL_INVALID_BUFFER_SIZE"), Map.entry(-62, "CL_INVALID_MIP_LEVEL"),
            Map.entry(-63, "CL_INVALID_GLOBAL_WORK_SIZE"), Map.entry(-64, "CL_INVALID_PROPERTY"),
            Map.entry(-1001, "CL_PLATFORM_NOT_FOUND_KHR"));

    /** The symbolic name of an OpenCL error code. */
    static String errorName(int code) {
        return NAMES.getOrDefault(code, "unknown OpenCL error") + " (" + code + ")";
    }

    /** Whether a code means the device (or the host) ran out of memory. */
    static boolean isOutOfMemory(int code) {
        return code == -4 || code == -5 || code == -6;
    }

    /** Throws an {@link OpenClException} naming {@code call} unless {@code code} is CL_SUCCESS. */
    static void check(int code, String call) {
        if (code != CL_SUCCESS) {
            throw new OpenClException(call, code);
        }
    }

    final String library;
    final MethodHandle getPlatformIDs, getPlatformInfo, getDeviceIDs, getDeviceInfo, createContext,
            createCommandQueue, createBuffer, enqueueWriteBuffer, enqueueReadBuffer, enqueueCopyBuffer,
            enqueueFillBuffer, createProgramWithSource, buildProgram, getProgramBuildInfo, createKernel,
            setKernelArg, enqueueNDRangeKernel, getKernelWorkGroupInfo, finish, flush, releaseMemObject,
            releaseKernel, releaseProgram, releaseCommandQueue, releaseContext;

    private Cl(String library, SymbolLookup lib) {
        this.library = library;
        Linker linker = Linker.nativeLinker();
        getPlatformIDs = bind(linker, lib, "clGetPlatformIDs", JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);
        getPlatformInfo = bind(linker, lib, "clGetPlatformInfo", JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG, ADDRESS, ADDRESS);
        getDeviceIDs = bind(linker, lib, "clGetDeviceIDs", JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS);
        getDeviceInfo = bind(linker, lib, "clGetDeviceInfo", JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG, ADDRESS, ADDRESS);
        createContext = bind(linker, lib, "clCreateContext", ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS);
        createCommandQueue = bind(linker, lib, "clCreateCommandQueue", ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS);
        createBuffer = bind(linker, lib, "clCreateBuffer", ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS, ADDRESS);
        enqueueWriteBuffer = bind(linker, lib, "clEnqueueWriteBuffer", JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, JAVA_LONG,
                JAVA_LONG, ADDRESS, JAVA_INT, ADDRESS, ADDRESS);
        enqueueReadBuffer = bind(linker, lib, "clEnqueueReadBuffer", JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, JAVA_LONG,
                JAVA_LONG, ADDRESS, JAVA_INT, ADDRESS, ADDRESS);
        enqueueCopyBuffer = bind(linker, lib, "clEnqueueCopyBuffer", JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG,
                JAVA_LONG, JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS);
        enqueueFillBuffer = bind(linker, lib, "clEnqueueFillBuffer", JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG,
                JAVA_LONG, JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS);
        createProgramWithSource = bind(linker, lib, "clCreateProgramWithSource", ADDRESS, ADDRESS, JAVA_INT, ADDRESS,
                ADDRESS, ADDRESS);
        buildProgram = bind(linker, lib, "clBuildProgram", JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS);
        getProgramBuildInfo = bind(linker, lib, "clGetProgramBuildInfo", JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, JAVA_LONG,
                ADDRESS, ADDRESS);
        createKernel = bind(linker, lib, "clCreateKernel", ADDRESS, ADDRESS, ADDRESS, ADDRESS);
        setKernelArg = bind(linker, lib, "clSetKernelArg", JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG, ADDRESS);
        enqueueNDRangeKernel = bind(linker, lib, "clEnqueueNDRangeKernel", JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, ADDRESS,
                ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS);
        getKernelWorkGroupInfo = bind(linker, lib, "clGetKernelWorkGroupInfo", JAVA_INT, ADDRESS, ADDRESS, JAVA_INT,
                JAVA_LONG, ADDRESS, ADDRESS);
        finish = bind(linker, lib, "clFinish", JAVA_INT, ADDRESS);
        flush = bind(linker, lib, "clFlush", JAVA_INT, ADDRESS);
        releaseMemObject = bind(linker, lib, "clReleaseMemObject", JAVA_INT, ADDRESS);
        releaseKernel = bind(linker, lib, "clReleaseKernel", JAVA_INT, ADDRESS);
        releaseProgram = bind(linker, lib, "clReleaseProgram", JAVA_INT, ADDRESS);
        releaseCommandQueue = bind(linker, lib, "clReleaseCommandQueue", JAVA_INT, ADDRESS);
        releaseContext = bind(linker, lib, "clReleaseContext", JAVA_INT, ADDRESS);
    }

    private static volatile Cl loaded;

    /** The bindings, loaded once per JVM from {@code -Dsoundflow.opencl.library} or {@code libOpenCL.so.1}. */
    static Cl get() {
        Cl c = loaded;
        if (c == null) {
            synchronized (Cl.class) {
                c = loaded;
                if (c == null) {
                    String prop = System.getProperty(LIBRARY_PROPERTY);
                    c = load(prop == null || prop.isBlank() ? DEFAULT_LIBRARY : prop.trim(), prop != null && !prop.isBlank());
                    loaded = c;
                }
            }
        }
        return c;
    }

    /** Binds {@code library}, a name for the dynamic linker or (when {@code isPath}) a file. */
    static Cl load(String library, boolean isPath) {
        SymbolLookup lib;
        try {
            lib = isPath || library.contains("/")
                    ? SymbolLookup.libraryLookup(Path.of(library), Arena.global())
                    : SymbolLookup.libraryLookup(library, Arena.global());
        } catch (IllegalArgumentException | IllegalCallerException e) {
            throw new OpenClException("OpenCL: cannot load the OpenCL library " + library + " (" + e.getMessage()
                    + "); install the loader and a driver (Debian: apt-get install ocl-icd-libopencl1 pocl-opencl-icd "
                    + "for the CPU, or the GPU vendor's OpenCL driver), or point -D" + LIBRARY_PROPERTY
                    + "=PATH at a libOpenCL.so");
        }
        try {
            return new Cl(library, lib);
        } catch (UnsatisfiedLinkError | java.util.NoSuchElementException e) {
            throw new OpenClException("OpenCL: " + library + " lacks an OpenCL 1.2 entry point (" + e.getMessage()
                    + "); point -D" + LIBRARY_PROPERTY + "=PATH at an OpenCL 1.2 (or newer) libOpenCL.so");
        }
    }

    private static MethodHandle bind(Linker linker, SymbolLookup lib, String name, MemoryLayout ret, MemoryLayout... args) {
        MemorySegment sym = lib.find(name).orElseThrow(() -> new UnsatisfiedLinkError("symbol " + name + " not found"));
        return linker.downcallHandle(sym, FunctionDescriptor.of(ret, args));
    }

    // ---- small helpers over the handles (the caller owns the arena) ------------------------------

    /** Invokes a handle that returns a {@code cl_int}; wraps any Throwable the invocation throws. */
    static int call(MethodHandle h, Object... args) {
        try {
            return (int) h.invokeWithArguments(args);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Invokes a handle that returns a handle (an address). */
    static MemorySegment callAddress(MethodHandle h, Object... args) {
        try {
            return (MemorySegment) h.invokeWithArguments(args);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** {@code clSetKernelArg(kernel, index, size, value)}, the hot path: invoked exactly, no boxing. */
    int setArg(MemorySegment kernel, int index, long size, MemorySegment value) {
        try {
            return (int) setKernelArg.invokeExact(kernel, index, size, value);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** {@code clEnqueueNDRangeKernel} in one dimension, no events. */
    int enqueue1d(MemorySegment queue, MemorySegment kernel, MemorySegment global, MemorySegment local) {
        try {
            return (int) enqueueNDRangeKernel.invokeExact(queue, kernel, 1, MemorySegment.NULL, global, local, 0,
                    MemorySegment.NULL, MemorySegment.NULL);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** {@code clEnqueueCopyBuffer}, no events (invoked exactly: the engine copies KV rows per token). */
    int copy(MemorySegment queue, MemorySegment src, MemorySegment dst, long srcOff, long dstOff, long bytes) {
        try {
            return (int) enqueueCopyBuffer.invokeExact(queue, src, dst, srcOff, dstOff, bytes, 0, MemorySegment.NULL,
                    MemorySegment.NULL);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** {@code clEnqueueReadBuffer} ({@code read}) or {@code clEnqueueWriteBuffer}, blocking or not, no events. */
    int transfer(boolean read, boolean blocking, MemorySegment queue, MemorySegment mem, long offset, long bytes,
                 MemorySegment host) {
        int b = blocking ? CL_TRUE : CL_FALSE;
        try {
            return read
                    ? (int) enqueueReadBuffer.invokeExact(queue, mem, b, offset, bytes, host, 0, MemorySegment.NULL,
                    MemorySegment.NULL)
                    : (int) enqueueWriteBuffer.invokeExact(queue, mem, b, offset, bytes, host, 0, MemorySegment.NULL,
                    MemorySegment.NULL);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** A string info value ({@code clGetPlatformInfo}/{@code clGetDeviceInfo}). */
    String infoString(MethodHandle h, String call, MemorySegment obj, int param) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment size = a.allocate(JAVA_LONG);
            check(call(h, obj, param, 0L, MemorySegment.NULL, size), call);
            long n = size.get(JAVA_LONG, 0);
            MemorySegment buf = a.allocate(Math.max(1, n));
            check(call(h, obj, param, n, buf, MemorySegment.NULL), call);
            byte[] bytes = buf.toArray(ValueLayout.JAVA_BYTE);
            int len = 0;
            while (len < bytes.length && bytes[len] != 0) {
                len++;
            }
            return new String(bytes, 0, len, StandardCharsets.UTF_8).trim();
        }
    }

    /** A {@code cl_ulong} or {@code size_t} device info value. */
    long deviceLong(MemorySegment device, int param) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(JAVA_LONG);
            check(call(getDeviceInfo, device, param, 8L, v, MemorySegment.NULL), "clGetDeviceInfo");
            return v.get(JAVA_LONG, 0);
        }
    }

    /** A {@code cl_uint} device info value. */
    int deviceInt(MemorySegment device, int param) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(JAVA_INT);
            check(call(getDeviceInfo, device, param, 4L, v, MemorySegment.NULL), "clGetDeviceInfo");
            return v.get(JAVA_INT, 0);
        }
    }
}
