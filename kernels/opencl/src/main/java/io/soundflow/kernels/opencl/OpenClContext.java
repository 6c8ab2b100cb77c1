package io.soundflow.kernels.opencl;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.ref.Cleaner;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * One device's context, in-order command queue, built program and kernels, and the memory operations
 * on its buffers. Commands are enqueued asynchronously on the one in-order queue; reads are blocking, so a
 * read sees every command enqueued before it. Kernel arguments are set and the kernel enqueued under this
 * object's lock (an OpenCL kernel object holds its arguments, so two threads must not interleave there).
 */
final class OpenClContext {
    /** The OpenCL C sources, concatenated in this order and built once at load. */
    static final String[] SOURCES = {"weights.cl", "ops.cl"};
    private static final Cleaner CLEANER = Cleaner.create();

    final Cl cl;
    final OpenClDevices.Device device;
    final MemorySegment context, queue, program;
    private final Map<String, Kernel> kernels = new HashMap<>();
    private final AtomicLong liveBytes = new AtomicLong();
    private final AtomicLong sinceGc = new AtomicLong();
    /** Bytes allocated between two requested collections: an eighth of the device memory (tests lower it). */
    volatile long gcEvery;
    // argument staging, guarded by this
    private final MemorySegment argValue, globalSize, localSize;

    /** A kernel and the largest work-group it may run with on this device. */
    record Kernel(String name, MemorySegment handle, int maxWorkGroup) {
    }

    OpenClContext(Cl cl, OpenClDevices.Device device) {
        this.cl = cl;
        this.device = device;
        this.gcEvery = device.globalMem() / 8;
        Arena global = Arena.global();
        argValue = global.allocate(16, 8);
        globalSize = global.allocate(JAVA_LONG);
        localSize = global.allocate(JAVA_LONG);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment err = a.allocate(JAVA_INT);
            MemorySegment devs = a.allocate(ADDRESS);
            devs.set(ADDRESS, 0, device.device());
            context = Cl.callAddress(cl.createContext, MemorySegment.NULL, 1, devs, MemorySegment.NULL, MemorySegment.NULL, err);
            Cl.check(err.get(JAVA_INT, 0), "clCreateContext");
            queue = Cl.callAddress(cl.createCommandQueue, context, device.device(), 0L, err);
            Cl.check(err.get(JAVA_INT, 0), "clCreateCommandQueue");
        }
        program = build(source(), "");
        for (String name : KERNEL_NAMES) {
            kernels.put(name, createKernel(name));
        }
    }

    /** Every kernel the backend calls (each must exist in the sources). */
    static final String[] KERNEL_NAMES = {
            "matmul_F32", "matmul_F16", "matmul_BF16", "matmul_Q8_0", "matmul_Q4_0",
            "embed_F32", "embed_F16", "embed_BF16", "embed_Q8_0", "embed_Q4_0",
            "conv1d3_F32", "conv1d3_F16", "conv1d3_BF16", "conv1d3_Q8_0", "conv1d3_Q4_0",
            "add", "silu_mul", "gelu", "avg_pool2", "rms_norm", "layer_norm", "softmax", "rope", "argmax",
            "attention_causal_f32", "attention_causal_f16", "attention_windowed", "half_check", "half_store",
            "probe_read", "probe_read_slices", "probe_fma"};

    /** The concatenated kernel sources from the resources. */
    static String source() {
        StringBuilder sb = new StringBuilder();
        for (String s : SOURCES) {
            try (InputStream in = OpenClContext.class.getResourceAsStream(s)) {
                if (in == null) {
                    throw new IllegalStateException("OpenCL kernel source " + s + " is missing from the jar");
                }
                sb.append(new String(in.readAllBytes(), StandardCharsets.UTF_8)).append('\n');
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return sb.toString();
    }

    /** Builds a program for this device; a failure carries the compiler's build log. */
    MemorySegment build(String src, String options) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment err = a.allocate(JAVA_INT);
            MemorySegment text = a.allocateFrom(src);
            MemorySegment strings = a.allocate(ADDRESS);
            strings.set(ADDRESS, 0, text);
            MemorySegment lengths = a.allocate(JAVA_LONG);
            lengths.set(JAVA_LONG, 0, text.byteSize() - 1);
            MemorySegment prog = Cl.callAddress(cl.createProgramWithSource, context, 1, strings, lengths, err);
            Cl.check(err.get(JAVA_INT, 0), "clCreateProgramWithSource");
            MemorySegment devs = a.allocate(ADDRESS);
            devs.set(ADDRESS, 0, device.device());
            int rc = Cl.call(cl.buildProgram, prog, 1, devs, a.allocateFrom(options), MemorySegment.NULL, MemorySegment.NULL);
            if (rc != Cl.CL_SUCCESS) {
                String log = buildLog(prog);
                Cl.call(cl.releaseProgram, prog);
                throw new OpenClException("clBuildProgram: " + Cl.errorName(rc) + ": the SoundFlow OpenCL kernels did not "
                        + "build for " + device.name() + " (" + device.version() + "); build log: "
                        + (log.isBlank() ? "(empty)" : log.strip().replace('\n', ' ')));
            }
            return prog;
        }
    }

    private String buildLog(MemorySegment prog) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment size = a.allocate(JAVA_LONG);
            if (Cl.call(cl.getProgramBuildInfo, prog, device.device(), Cl.CL_PROGRAM_BUILD_LOG, 0L, MemorySegment.NULL, size) != 0) {
                return "";
            }
            long n = size.get(JAVA_LONG, 0);
            MemorySegment buf = a.allocate(Math.max(1, n));
            if (Cl.call(cl.getProgramBuildInfo, prog, device.device(), Cl.CL_PROGRAM_BUILD_LOG, n, buf, MemorySegment.NULL) != 0) {
                return "";
            }
            return buf.getString(0);
        }
    }

    private Kernel createKernel(String name) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment err = a.allocate(JAVA_INT);
            MemorySegment k = Cl.callAddress(cl.createKernel, program, a.allocateFrom(name), err);
            Cl.check(err.get(JAVA_INT, 0), "clCreateKernel(" + name + ")");
            MemorySegment wg = a.allocate(JAVA_LONG);
            Cl.check(Cl.call(cl.getKernelWorkGroupInfo, k, device.device(), Cl.CL_KERNEL_WORK_GROUP_SIZE, 8L, wg,
                    MemorySegment.NULL), "clGetKernelWorkGroupInfo(" + name + ")");
            return new Kernel(name, k, (int) Math.min(Integer.MAX_VALUE, wg.get(JAVA_LONG, 0)));
        }
    }

    Kernel kernel(String name) {
        Kernel k = kernels.get(name);
        if (k == null) {
            throw new IllegalStateException("no OpenCL kernel " + name);
        }
        return k;
    }

    /** The work-group size for a kernel: the largest power of two up to {@code want} it may run with. */
    int localSize(Kernel k, int want) {
        int cap = Math.min(want, Math.min(k.maxWorkGroup(), device.maxWorkGroup()));
        return Integer.highestOneBit(Math.max(1, cap));
    }

    // ---- memory -----------------------------------------------------------------------------------

    /** A root device buffer; released (by a cleaner) once unreachable. */
    static final class Mem {
        final MemorySegment handle;
        final long bytes;

        Mem(MemorySegment handle, long bytes) {
            this.handle = handle;
            this.bytes = bytes;
        }
    }

    /** A zero-filled device buffer of {@code bytes} (at least 4); {@code what} names it in errors. */
    Mem alloc(long bytes, String what) {
        long size = Math.max(4, (bytes + 3) & ~3L);
        if (size > device.maxAlloc()) {
            throw new OpenClException("OpenCL device " + device.name() + ": " + what + " needs one buffer of "
                    + mib(size) + " MiB, more than the device's largest allocation of " + mib(device.maxAlloc())
                    + " MiB (global memory " + mib(device.globalMem()) + " MiB); use a smaller model, --quantize q8_0 "
                    + "or q4_0, or another device (-D" + OpenClDevices.DEVICE_PROPERTY + "=N)");
        }
        // device memory is not the Java heap, so the GC does not see it filling up with unreachable buffers:
        // after every eighth of the device's memory allocated, ask for a collection (the cleaner frees them)
        if (sinceGc.addAndGet(size) > gcEvery) {
            sinceGc.set(0);
            System.gc();
        }
        MemorySegment h = tryCreate(size);
        if (h == null) {
            releaseUnreachable();
            h = tryCreate(size);
        }
        if (h == null) {
            throw new OpenClException("OpenCL device " + device.name() + " is out of memory: " + what + " needs "
                    + mib(size) + " MiB, " + mib(liveBytes.get()) + " MiB are in use of " + mib(device.globalMem())
                    + " MiB; use a smaller model, --quantize q8_0 or q4_0, --kv-dtype f16, fewer --max-positions, "
                    + "or another device (-D" + OpenClDevices.DEVICE_PROPERTY + "=N)");
        }
        Mem m = new Mem(h, size);
        liveBytes.addAndGet(size);
        long addr = h.address();
        Cl c = cl;
        AtomicLong live = liveBytes;
        CLEANER.register(m, () -> {
            Cl.call(c.releaseMemObject, MemorySegment.ofAddress(addr));
            live.addAndGet(-size);
        });
        fill(m, 0, size, 0);
        return m;
    }

    /** Runs the GC so that the cleaner releases the device buffers no longer reachable, and waits a little for it. */
    private static void releaseUnreachable() {
        System.gc();
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private MemorySegment tryCreate(long size) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment err = a.allocate(JAVA_INT);
            MemorySegment h = Cl.callAddress(cl.createBuffer, context, Cl.CL_MEM_READ_WRITE, size, MemorySegment.NULL, err);
            int rc = err.get(JAVA_INT, 0);
            if (Cl.isOutOfMemory(rc)) {
                return null;
            }
            Cl.check(rc, "clCreateBuffer(" + size + " bytes)");
            return h;
        }
    }

    /** Bytes of device buffers not yet released. */
    long liveBytes() {
        return liveBytes.get();
    }

    static long mib(long bytes) {
        return (bytes + (1 << 20) - 1) >> 20;
    }

    /** Fills {@code bytes} from {@code offset} with a repeated 4-byte pattern (an int's bits). */
    synchronized void fill(Mem m, long offset, long bytes, int pattern) {
        if (bytes == 0) {
            return;
        }
        argValue.set(JAVA_INT, 0, pattern);
        Cl.check(Cl.call(cl.enqueueFillBuffer, queue, m.handle, argValue, 4L, offset, bytes, 0, MemorySegment.NULL,
                MemorySegment.NULL), "clEnqueueFillBuffer");
    }

    /** Copies host memory (a native segment) into a device buffer; blocking, so the source may be reused. */
    void write(Mem m, long offset, MemorySegment src) {
        if (src.byteSize() == 0) {
            return;
        }
        long mark = mark();
        Cl.check(cl.transfer(false, true, queue, m.handle, offset, src.byteSize(), src), "clEnqueueWriteBuffer");
        completed(mark);
    }

    /** Reads a device buffer into host memory; blocking: every command enqueued before it is complete. */
    void read(Mem m, long offset, MemorySegment dst) {
        if (dst.byteSize() == 0) {
            return;
        }
        long mark = mark();
        Cl.check(cl.transfer(true, true, queue, m.handle, offset, dst.byteSize(), dst), "clEnqueueReadBuffer");
        completed(mark);
    }

    void write(Mem m, long offset, float[] src, int srcOff, int n) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(JAVA_FLOAT, n);
            MemorySegment.copy(src, srcOff, s, JAVA_FLOAT, 0, n);
            write(m, offset, s);
        }
    }

    void write(Mem m, long offset, int[] src) {
        try (Arena a = Arena.ofConfined()) {
            write(m, offset, a.allocateFrom(JAVA_INT, src));
        }
    }

    void read(Mem m, long offset, float[] dst, int dstOff, int n) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment d = a.allocate(JAVA_FLOAT, n);
            read(m, offset, d);
            MemorySegment.copy(d, JAVA_FLOAT, 0, dst, dstOff, n);
        }
    }

    int readInt(Mem m, long offset) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment d = a.allocate(JAVA_INT);
            read(m, offset, d);
            return d.get(JAVA_INT, 0);
        }
    }

    /** Device-to-device copy; overlapping ranges of one buffer go through a temporary buffer. */
    void copy(Mem src, long srcOff, Mem dst, long dstOff, long bytes) {
        if (bytes == 0) {
            return;
        }
        if (src == dst && srcOff < dstOff + bytes && dstOff < srcOff + bytes) {
            Mem tmp = alloc(bytes, "a copy between overlapping ranges");
            copy(src, srcOff, tmp, 0, bytes);
            copy(tmp, 0, dst, dstOff, bytes);
            return;
        }
        Cl.check(cl.copy(queue, src.handle, dst.handle, srcOff, dstOff, bytes), "clEnqueueCopyBuffer");
    }

    /** Waits for every enqueued command. */
    void finish() {
        long mark = mark();
        Cl.check(Cl.call(cl.finish, queue), "clFinish");
        completed(mark);
    }

    // ---- non-blocking uploads of small host arrays (ids, positions, window lengths) -----------------

    /** The host copy of a non-blocking write, kept reachable until a later blocking command has completed. */
    private record Staged(long seq, MemorySegment host) {
    }

    private final ArrayDeque<Staged> staged = new ArrayDeque<>(); // guarded by this
    private long stagedSeq; // guarded by this

    /**
     * Enqueues a copy of {@code src[srcOff, srcOff + n)} into {@code m} at {@code offset} without waiting
     * for it (the host does not stall the queue per call). The caller holds this object's lock.
     */
    void writeLater(Mem m, long offset, float[] src, int srcOff, int n) {
        MemorySegment s = Arena.ofAuto().allocate(JAVA_FLOAT, Math.max(1, n));
        MemorySegment.copy(src, srcOff, s, JAVA_FLOAT, 0, n);
        stage(m, offset, s.asSlice(0, 4L * n));
    }

    /** {@link #writeLater(Mem, long, float[], int, int)} for ints. */
    void writeLater(Mem m, long offset, int[] src) {
        stage(m, offset, Arena.ofAuto().allocateFrom(JAVA_INT, src));
    }

    private void stage(Mem m, long offset, MemorySegment host) {
        assert Thread.holdsLock(this);
        if (host.byteSize() == 0) {
            return;
        }
        if (staged.size() >= 1024) { // nothing has waited for the queue in a long while: do it once
            Cl.check(Cl.call(cl.finish, queue), "clFinish");
            staged.clear();
        }
        Cl.check(cl.transfer(false, false, queue, m.handle, offset, host.byteSize(), host), "clEnqueueWriteBuffer");
        staged.add(new Staged(++stagedSeq, host));
    }

    /** The staged writes enqueued so far; a blocking command enqueued after this call follows all of them. */
    private synchronized long mark() {
        return stagedSeq;
    }

    /** A blocking command enqueued after {@code mark} has completed, so have the staged writes up to it. */
    private synchronized void completed(long mark) {
        while (!staged.isEmpty() && staged.peekFirst().seq() <= mark) {
            staged.removeFirst();
        }
    }

    // ---- kernel launches --------------------------------------------------------------------------

    /** Starts setting the arguments of {@code k}; the caller holds this object's lock until {@link Launch#run}. */
    Launch launch(Kernel k) {
        assert Thread.holdsLock(this);
        return new Launch(k);
    }

    /** The arguments of one kernel launch, in order. */
    final class Launch {
        private final Kernel k;
        private int index;

        Launch(Kernel k) {
            this.k = k;
        }

        private Launch set(long size, MemorySegment value) {
            Cl.check(cl.setArg(k.handle(), index, size, value), "clSetKernelArg(" + k.name() + ", " + index + ")");
            index++;
            return this;
        }

        Launch mem(Mem m) {
            argValue.set(ADDRESS, 0, m.handle);
            return set(ADDRESS.byteSize(), argValue);
        }

        Launch i(int v) {
            argValue.set(JAVA_INT, 0, v);
            return set(4, argValue);
        }

        Launch l(long v) {
            argValue.set(JAVA_LONG, 0, v);
            return set(8, argValue);
        }

        Launch f(float v) {
            argValue.set(ValueLayout.JAVA_FLOAT, 0, v);
            return set(4, argValue);
        }

        /** A {@code local} array of {@code bytes}. */
        Launch local(long bytes) {
            return set(bytes, MemorySegment.NULL);
        }

        /** Enqueues {@code groups} work-groups of {@code local} work-items. */
        void run(long groups, int local) {
            if (groups == 0) {
                return;
            }
            globalSize.set(JAVA_LONG, 0, groups * local);
            localSize.set(JAVA_LONG, 0, local);
            Cl.check(cl.enqueue1d(queue, k.handle(), globalSize, localSize), "clEnqueueNDRangeKernel(" + k.name() + ")");
        }
    }
}
