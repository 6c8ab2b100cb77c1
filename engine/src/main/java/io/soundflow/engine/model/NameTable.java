package io.soundflow.engine.model;

import io.soundflow.weights.CheckpointException;
import io.soundflow.weights.TensorInfo;
import io.soundflow.weights.TensorStore;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The tensors a checkpoint layout must hold: every expected name with its shape, the optional ones, and
 * the prefixes that are skipped (decoys such as {@code thinker.visual.*}). {@link #verify} checks a store
 * against the table and fails with the full list of missing, unexpected and mis-shaped tensors.
 */
final class NameTable {
    private final Map<String, long[]> required = new LinkedHashMap<>();
    private final Map<String, long[]> optional = new LinkedHashMap<>();
    private final List<String> skippedPrefixes = new ArrayList<>();
    private final List<String> skippedNames = new ArrayList<>();

    /** A tensor that must be present with this shape. */
    NameTable require(String name, long... shape) {
        required.put(name, shape);
        return this;
    }

    /** A tensor that may be present; if present it must have this shape. */
    NameTable optional(String name, long... shape) {
        optional.put(name, shape);
        return this;
    }

    /** Tensors whose name starts with {@code prefix} are ignored. */
    NameTable skipPrefix(String prefix) {
        skippedPrefixes.add(prefix);
        return this;
    }

    /** The tensor {@code name} is ignored (stored but unused). */
    NameTable skip(String name) {
        skippedNames.add(name);
        return this;
    }

    int requiredCount() {
        return required.size();
    }

    /** The tensors a build reads: the required ones and the optional ones (an upper bound for progress). */
    int tensorCount() {
        return required.size() + optional.size();
    }

    /** Throws a {@link CheckpointException} naming every problem of {@code store} against this table. */
    void verify(TensorStore store, String what) {
        List<String> missing = new ArrayList<>();
        List<String> badShape = new ArrayList<>();
        List<String> unexpected = new ArrayList<>();
        for (var e : required.entrySet()) {
            TensorInfo t = store.tensors().get(e.getKey());
            if (t == null) {
                missing.add(e.getKey() + " " + Arrays.toString(e.getValue()));
            } else {
                checkShape(t, e.getValue(), badShape);
            }
        }
        for (var e : optional.entrySet()) {
            TensorInfo t = store.tensors().get(e.getKey());
            if (t != null) {
                checkShape(t, e.getValue(), badShape);
            }
        }
        for (String name : store.tensors().keySet()) {
            if (!required.containsKey(name) && !optional.containsKey(name) && !skipped(name)) {
                unexpected.add(name);
            }
        }
        if (missing.isEmpty() && badShape.isEmpty() && unexpected.isEmpty()) {
            return;
        }
        StringBuilder sb = new StringBuilder(store.source() + ": not a valid " + what + " checkpoint:");
        append(sb, "missing", missing);
        append(sb, "wrong shape or dtype", badShape);
        append(sb, "unexpected", unexpected);
        throw new CheckpointException(sb.toString());
    }

    private boolean skipped(String name) {
        if (skippedNames.contains(name)) {
            return true;
        }
        for (String p : skippedPrefixes) {
            if (name.startsWith(p)) {
                return true;
            }
        }
        return false;
    }

    private static void checkShape(TensorInfo t, long[] want, List<String> bad) {
        if (!Arrays.equals(t.shape(), want)) {
            bad.add(t.name() + " is " + t.shapeString() + ", expected " + Arrays.toString(want));
        } else if (!t.dtype().isFloatingPoint()) {
            bad.add(t.name() + " is " + t.dtype() + ", expected F32, F16 or BF16");
        }
    }

    private static void append(StringBuilder sb, String label, List<String> items) {
        if (items.isEmpty()) {
            return;
        }
        sb.append(' ').append(items.size()).append(' ').append(label).append(": ");
        int shown = Math.min(items.size(), 40);
        sb.append(String.join(", ", items.subList(0, shown)));
        if (shown < items.size()) {
            sb.append(", ... (").append(items.size() - shown).append(" more)");
        }
        sb.append(';');
    }
}
