package io.soundflow.kernels.vector;

import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jdk.incubator.vector.FloatVector;

/**
 * One compiled copy of each kernel family per vector width.
 *
 * <p>The JIT turns Vector API calls into machine vectors only when the species is a constant, i.e. read
 * from a {@code static final} field. To run 128-, 256- and 512-bit kernels in one JVM (tests) without
 * writing the code three times, each family class is a template: {@link #instance} defines a hidden
 * copy of its class file per width, passing the width as class data, which the copy's static
 * initialiser reads through {@link #bitsOf} into its {@code static final} species.
 * Templates must not reference nested classes or switch over enums (those compile to helper classes
 * that would bind to the template rather than the copy).
 */
final class Widths {
    private static final Map<String, Object> CACHE = new ConcurrentHashMap<>();

    private Widths() {
    }

    /** The preferred (widest efficient) float vector width of this CPU, in bits. */
    static int preferredBits() {
        return FloatVector.SPECIES_PREFERRED.vectorBitSize();
    }

    /** Checks a requested width. */
    static int checkBits(int bits, String source) {
        if (bits != 128 && bits != 256 && bits != 512) {
            throw new IllegalArgumentException(source + ": vector width " + bits + " bits (choose 128, 256 or 512)");
        }
        return bits;
    }

    /** The width a template copy was made for: its class data, or the preferred width for the template itself. */
    static int bitsOf(MethodHandles.Lookup lookup) {
        try {
            Integer bits = MethodHandles.classData(lookup, "_", Integer.class);
            return bits != null ? bits : preferredBits();
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The shared instance of {@code template} compiled for {@code bits}, as its family interface. */
    static <T> T instance(Class<T> family, Class<? extends T> template, int bits) {
        Object o = CACHE.computeIfAbsent(template.getName() + "@" + bits, k -> define(template, bits));
        return family.cast(o);
    }

    private static Object define(Class<?> template, int bits) {
        String file = template.getSimpleName() + ".class";
        try (InputStream in = template.getResourceAsStream(file)) {
            if (in == null) {
                throw new IllegalStateException("class file " + file + " not found next to " + template.getName());
            }
            byte[] bytes = in.readAllBytes();
            MethodHandles.Lookup copy = MethodHandles.lookup().defineHiddenClassWithClassData(bytes, bits, true);
            return copy.findConstructor(copy.lookupClass(), MethodType.methodType(void.class)).invoke();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file + ": " + e, e);
        } catch (Throwable e) {
            throw new IllegalStateException("cannot make the " + bits + "-bit copy of " + template.getName() + ": " + e, e);
        }
    }
}
