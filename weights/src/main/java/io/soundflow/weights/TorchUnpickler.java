package io.soundflow.weights;

import java.math.BigInteger;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A restricted unpickler for what {@code torch.save(state_dict)} writes (pickle protocol 2, plus the
 * few protocol 4 framing opcodes). It builds plain data (strings, numbers, tuples, lists, dicts) and
 * three kinds of references; it calls nothing and imports nothing. Only these globals are accepted:
 * {@code collections.OrderedDict}, {@code torch._utils._rebuild_tensor_v2},
 * {@code torch._utils._rebuild_parameter} and the {@code torch.*Storage} types; any other global,
 * and any opcode outside the supported set, is refused with an error naming the file.
 */
final class TorchUnpickler {

    /** A storage reference from a persistent id: ('storage', type, key, location, numel). */
    record StorageRef(DType dtype, String key, String location, long numel) {
    }

    /** A tensor from {@code _rebuild_tensor_v2(storage, offset, size, stride, ...)}. */
    record TensorRef(StorageRef storage, long offset, long[] size, long[] stride) {
    }

    /** An accepted global. */
    record Global(String module, String name) {
        @Override
        public String toString() {
            return module + "." + name;
        }
    }

    /** Python tuple. */
    record Tuple(List<Object> items) {
    }

    /** Python None. */
    enum None { NONE }

    private static final Object MARK = new Object();
    private static final Map<String, DType> STORAGES = Map.of(
            "FloatStorage", DType.F32, "HalfStorage", DType.F16, "BFloat16Storage", DType.BF16,
            "LongStorage", DType.I64, "IntStorage", DType.I32, "ShortStorage", DType.I16,
            "CharStorage", DType.I8, "ByteStorage", DType.U8, "BoolStorage", DType.BOOL);
    private static final Set<String> TORCH_UTILS = Set.of("_rebuild_tensor_v2", "_rebuild_parameter");
    private static final int MAX_DEPTH = 100_000;

    private final Path file;
    private final byte[] in;
    private int pos;
    private final ArrayList<Object> stack = new ArrayList<>();
    private final ArrayList<Integer> marks = new ArrayList<>();
    private final Map<Long, Object> memo = new HashMap<>();

    private TorchUnpickler(Path file, byte[] in) {
        this.file = file;
        this.in = in;
    }

    /** Unpickles {@code pickle} (the archive's data.pkl); errors name {@code file}. */
    static Object load(Path file, byte[] pickle) {
        return new TorchUnpickler(file, pickle).run();
    }

    private Object run() {
        while (true) {
            if (pos >= in.length) {
                throw fail("data.pkl ends without a STOP opcode (truncated?)");
            }
            int at = pos;
            int op = in[pos++] & 0xFF;
            switch (op) {
                case 0x80 -> { // PROTO
                    int v = u8();
                    if (v < 2 || v > 5) {
                        throw fail("unsupported pickle protocol " + v);
                    }
                }
                case 0x95 -> skip(8); // FRAME (length only; we read the whole buffer)
                case '.' -> { // STOP
                    if (stack.size() != 1 || !marks.isEmpty()) {
                        throw fail("pickle stops with " + stack.size() + " values on the stack");
                    }
                    return stack.getFirst();
                }
                case '(' -> {
                    marks.add(stack.size());
                    push(MARK);
                }
                case '}' -> push(new LinkedHashMap<Object, Object>());
                case ']' -> push(new ArrayList<>());
                case ')' -> push(new Tuple(List.of()));
                case 't' -> push(new Tuple(popMark()));
                case 0x85 -> push(tupleOf(1));
                case 0x86 -> push(tupleOf(2));
                case 0x87 -> push(tupleOf(3));
                case 'N' -> push(None.NONE);
                case 0x88 -> push(Boolean.TRUE);
                case 0x89 -> push(Boolean.FALSE);
                case 'K' -> push((long) u8());
                case 'M' -> push((long) (u8() | (u8() << 8)));
                case 'J' -> push((long) i32());
                case 0x8a -> push(long1(u8()));
                case 'G' -> {
                    need(8);
                    long bits = 0;
                    for (int i = 0; i < 8; i++) {
                        bits = (bits << 8) | (in[pos++] & 0xFF);
                    }
                    push(Double.longBitsToDouble(bits));
                }
                case 'X' -> push(utf8(len32()));
                case 0x8c -> push(utf8(u8())); // SHORT_BINUNICODE
                case 'q' -> memo.put((long) u8(), peek());
                case 'r' -> memo.put((long) i32() & 0xFFFFFFFFL, peek());
                case 0x94 -> memo.put((long) memo.size(), peek()); // MEMOIZE
                case 'h' -> push(memoGet(u8()));
                case 'j' -> push(memoGet(i32() & 0xFFFFFFFFL));
                case 'c' -> push(global(line(), line()));
                case 0x93 -> { // STACK_GLOBAL
                    Object name = pop();
                    Object module = pop();
                    if (!(module instanceof String m) || !(name instanceof String n)) {
                        throw fail("STACK_GLOBAL needs two strings");
                    }
                    push(global(m, n));
                }
                case 'Q' -> push(persistentLoad(pop()));
                case 'R' -> {
                    Object args = pop();
                    Object callable = pop();
                    push(reduce(callable, args));
                }
                case 's' -> {
                    Object v = pop();
                    Object k = pop();
                    dictOf(peek()).put(key(k), v);
                }
                case 'u' -> {
                    List<Object> kv = popMark();
                    if (kv.size() % 2 != 0) {
                        throw fail("SETITEMS with an odd number of values");
                    }
                    Map<Object, Object> d = dictOf(peek());
                    for (int i = 0; i < kv.size(); i += 2) {
                        d.put(key(kv.get(i)), kv.get(i + 1));
                    }
                }
                case 'a' -> {
                    Object v = pop();
                    listOf(peek()).add(v);
                }
                case 'e' -> {
                    List<Object> vs = popMark();
                    listOf(peek()).addAll(vs);
                }
                case 'b' -> { // BUILD: only an OrderedDict's attribute state (e.g. _metadata), which is dropped
                    Object state = pop();
                    Object target = peek();
                    if (!(target instanceof Map) || !(state instanceof Map || state == None.NONE
                            || state instanceof Tuple)) {
                        throw fail("BUILD is only accepted for a dict's state, got " + describe(target));
                    }
                }
                case '0' -> pop(); // POP
                default -> throw fail(String.format("unsupported pickle opcode 0x%02x ('%s') at offset %d",
                        op, op >= 32 && op < 127 ? String.valueOf((char) op) : "?", at));
            }
        }
    }

    private Object global(String module, String name) {
        if (module.equals("collections") && name.equals("OrderedDict")
                || module.equals("torch._utils") && TORCH_UTILS.contains(name)
                || module.equals("torch") && STORAGES.containsKey(name)) {
            return new Global(module, name);
        }
        if (module.equals("torch") && name.endsWith("Storage")) {
            throw fail("storage type torch." + name + " is not supported (supported: "
                    + String.join(", ", STORAGES.keySet().stream().sorted().toList()) + ")");
        }
        throw fail("refusing global '" + module + "." + name + "': a state dict only needs OrderedDict, "
                + "torch._utils._rebuild_tensor_v2 and the torch storage types (nothing is executed)");
    }

    private StorageRef persistentLoad(Object pid) {
        if (pid instanceof Tuple(List<Object> t) && t.size() == 5 && "storage".equals(t.get(0))
                && t.get(1) instanceof Global g && STORAGES.containsKey(g.name()) && g.module().equals("torch")
                && t.get(2) instanceof String key && t.get(3) instanceof String location
                && t.get(4) instanceof Long numel && numel >= 0) {
            return new StorageRef(STORAGES.get(g.name()), key, location, numel);
        }
        throw fail("unsupported persistent id " + describe(pid)
                + " (expected ('storage', torch.<Type>Storage, key, location, numel))");
    }

    private Object reduce(Object callable, Object args) {
        if (!(callable instanceof Global g)) {
            throw fail("REDUCE on " + describe(callable) + ", not an accepted global");
        }
        if (!(args instanceof Tuple(List<Object> a))) {
            throw fail("REDUCE of " + g + " without an argument tuple");
        }
        switch (g.name()) {
            case "OrderedDict" -> {
                if (!a.isEmpty()) {
                    throw fail("OrderedDict called with arguments");
                }
                return new LinkedHashMap<Object, Object>();
            }
            case "_rebuild_tensor_v2" -> {
                // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
                if (a.size() < 4 || a.size() > 7 || !(a.get(0) instanceof StorageRef s)
                        || !(a.get(1) instanceof Long offset)) {
                    throw fail("_rebuild_tensor_v2 called with unexpected arguments " + describe(args));
                }
                return new TensorRef(s, offset, longs(a.get(2), "size"), longs(a.get(3), "stride"));
            }
            case "_rebuild_parameter" -> {
                if (a.isEmpty() || !(a.get(0) instanceof TensorRef t)) {
                    throw fail("_rebuild_parameter called with unexpected arguments " + describe(args));
                }
                return t;
            }
            default -> throw fail("refusing to call " + g);
        }
    }

    private long[] longs(Object o, String what) {
        if (!(o instanceof Tuple(List<Object> items)) || items.size() > 64) {
            throw fail("tensor " + what + " is not a tuple of integers: " + describe(o));
        }
        long[] out = new long[items.size()];
        for (int i = 0; i < out.length; i++) {
            if (!(items.get(i) instanceof Long v) || v < 0) {
                throw fail("tensor " + what + " has a bad entry " + describe(items.get(i)));
            }
            out[i] = v;
        }
        return out;
    }

    private Object key(Object k) {
        if (k instanceof String || k instanceof Long || k instanceof Boolean) {
            return k;
        }
        throw fail("dict key " + describe(k) + " is not a string or an integer");
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> dictOf(Object o) {
        if (o instanceof Map<?, ?> m) {
            return (Map<Object, Object>) m;
        }
        throw fail("SETITEM(S) on " + describe(o) + ", not a dict");
    }

    @SuppressWarnings("unchecked")
    private List<Object> listOf(Object o) {
        if (o instanceof ArrayList<?> l) {
            return (List<Object>) l;
        }
        throw fail("APPEND(S) on " + describe(o) + ", not a list");
    }

    private Tuple tupleOf(int n) {
        if (stack.size() - lastMark() < n) {
            throw fail("stack underflow building a tuple");
        }
        Object[] items = new Object[n];
        for (int i = n - 1; i >= 0; i--) {
            items[i] = pop();
        }
        return new Tuple(List.of(items));
    }

    private List<Object> popMark() {
        if (marks.isEmpty()) {
            throw fail("no MARK on the stack");
        }
        int m = marks.removeLast();
        List<Object> items = new ArrayList<>(stack.subList(m + 1, stack.size()));
        stack.subList(m, stack.size()).clear();
        return items;
    }

    private int lastMark() {
        return marks.isEmpty() ? 0 : marks.getLast() + 1;
    }

    private void push(Object o) {
        if (stack.size() >= MAX_DEPTH) {
            throw fail("pickle stack grows beyond " + MAX_DEPTH + " values");
        }
        stack.add(o);
    }

    private Object pop() {
        if (stack.size() <= lastMark()) {
            throw fail("pickle stack underflow at offset " + (pos - 1));
        }
        return stack.removeLast();
    }

    private Object peek() {
        if (stack.size() <= lastMark()) {
            throw fail("pickle stack underflow at offset " + (pos - 1));
        }
        return stack.getLast();
    }

    private Object memoGet(long i) {
        Object o = memo.get(i);
        if (o == null) {
            throw fail("memo entry " + i + " was never stored");
        }
        return o;
    }

    private Long long1(int n) {
        need(n);
        if (n == 0) {
            pos += 0;
            return 0L;
        }
        byte[] be = new byte[n];
        for (int i = 0; i < n; i++) {
            be[n - 1 - i] = in[pos + i];
        }
        pos += n;
        BigInteger v = new BigInteger(be);
        if (v.bitLength() > 63) {
            throw fail("integer " + v + " does not fit 64 bits");
        }
        return v.longValue();
    }

    private int u8() {
        need(1);
        return in[pos++] & 0xFF;
    }

    private int i32() {
        need(4);
        int v = (in[pos] & 0xFF) | (in[pos + 1] & 0xFF) << 8 | (in[pos + 2] & 0xFF) << 16 | (in[pos + 3] & 0xFF) << 24;
        pos += 4;
        return v;
    }

    private int len32() {
        int n = i32();
        if (n < 0) {
            throw fail("negative string length");
        }
        return n;
    }

    private void skip(int n) {
        need(n);
        pos += n;
    }

    private void need(int n) {
        if (n > in.length - pos) {
            throw fail("data.pkl is truncated (needs " + n + " more bytes at offset " + pos + ")");
        }
    }

    private String utf8(int n) {
        need(n);
        try {
            String s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(in, pos, n)).toString();
            pos += n;
            return s;
        } catch (CharacterCodingException e) {
            throw fail("string at offset " + pos + " is not valid UTF-8");
        }
    }

    private String line() {
        int start = pos;
        while (pos < in.length && in[pos] != '\n') {
            if (pos - start > 256) {
                throw fail("GLOBAL name too long at offset " + start);
            }
            pos++;
        }
        if (pos >= in.length) {
            throw fail("data.pkl is truncated inside a GLOBAL");
        }
        String s = new String(in, start, pos - start, StandardCharsets.US_ASCII);
        pos++;
        return s;
    }

    private static String describe(Object o) {
        return switch (o) {
            case null -> "null";
            case String s -> "'" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "'";
            case Map<?, ?> m -> "a dict";
            case ArrayList<?> l -> "a list";
            case Tuple t -> "a tuple of " + t.items().size();
            case StorageRef s -> "a storage";
            case TensorRef t -> "a tensor";
            default -> o == MARK ? "a MARK" : o.toString();
        };
    }

    private CheckpointException fail(String problem) {
        return CheckpointException.of(file, "data.pkl: " + problem);
    }
}
