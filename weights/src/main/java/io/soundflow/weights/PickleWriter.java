package io.soundflow.weights;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Assembles pickle opcodes by hand, protocol 2 as {@code torch.save} writes them. A thin opcode emitter:
 * the caller is responsible for a well-formed program ({@link TorchCheckpointWriter} builds state dicts
 * with it; tests build malformed ones on purpose).
 */
public final class PickleWriter {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    /** One raw opcode or byte. */
    public PickleWriter op(int opcode) {
        out.write(opcode);
        return this;
    }

    public PickleWriter proto() {
        return op(0x80).op(2);
    }

    public PickleWriter global(String module, String name) {
        op('c');
        out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
        return this;
    }

    public PickleWriter str(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        op('X');
        le32(b.length);
        out.writeBytes(b);
        return this;
    }

    /** The shortest integer opcode for {@code v}, as pickle does. */
    public PickleWriter integer(long v) {
        if (v >= 0 && v < 256) {
            return op('K').op((int) v);
        }
        if (v >= 0 && v < 65536) {
            return op('M').op((int) (v & 0xFF)).op((int) (v >>> 8));
        }
        if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
            op('J');
            return le32((int) v);
        }
        op(0x8a).op(8);
        for (int i = 0; i < 8; i++) {
            op((int) ((v >>> (8 * i)) & 0xFF));
        }
        return this;
    }

    public PickleWriter mark() {
        return op('(');
    }

    public PickleWriter tuple() {
        return op('t');
    }

    public PickleWriter emptyTuple() {
        return op(')');
    }

    public PickleWriter reduce() {
        return op('R');
    }

    public PickleWriter put(int i) {
        return op('q').op(i);
    }

    public PickleWriter get(int i) {
        return op('h').op(i);
    }

    public PickleWriter longPut(int i) {
        op('r');
        return le32(i);
    }

    public PickleWriter longGet(int i) {
        op('j');
        return le32(i);
    }

    public PickleWriter stop() {
        return op('.');
    }

    public PickleWriter le32(int v) {
        for (int i = 0; i < 4; i++) {
            out.write((v >>> (8 * i)) & 0xFF);
        }
        return this;
    }

    /** The opcodes written so far. */
    public byte[] bytes() {
        return out.toByteArray();
    }
}
