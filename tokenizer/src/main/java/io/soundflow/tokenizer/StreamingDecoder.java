package io.soundflow.tokenizer;

import it.unimi.dsi.fastutil.ints.IntSet;


/**
 * Turns generated ids into text one id at a time, for live printing. A token may end in the middle
 * of a multi-byte UTF-8 character; such a tail is held back until the character is complete, so no
 * broken character is ever printed. Bytes that can never form a character become U+FFFD at once,
 * exactly as {@link Tokenizer#decode} would show them: the pieces returned by {@link #push} and
 * {@link #flush} always join to {@code decode(ids, true)} of the printable ids. Special added tokens
 * and the caller's control ids (for Audio-Interaction 151601..151619) are never printed. One per
 * stream; not thread-safe.
 */
public final class StreamingDecoder {
    private final Tokenizer tokenizer;
    private final IntSet controlIds;
    /** Bytes of an incomplete character carried over from earlier tokens (at most 3). */
    private byte[] pending = new byte[16];
    private int pendingLen;

    StreamingDecoder(Tokenizer tokenizer, IntSet controlIds) {
        this.tokenizer = tokenizer;
        this.controlIds = controlIds;
    }

    /**
     * Takes the next id and returns the text that is now complete (often empty).
     *
     * @throws TokenizerException for an id that is no token
     */
    public String push(int id) {
        if (controlIds.contains(id) || tokenizer.isSpecial(id)) {
            return "";
        }
        byte[] b = tokenizer.bytesOf(id);
        if (pendingLen + b.length > pending.length) {
            pending = java.util.Arrays.copyOf(pending, Math.max(pendingLen + b.length, pending.length * 2));
        }
        System.arraycopy(b, 0, pending, pendingLen, b.length);
        pendingLen += b.length;
        int cut = completePrefix(pending, pendingLen);
        if (cut == 0) {
            return "";
        }
        String text = Utf8.decodeLossy(pending, 0, cut);
        System.arraycopy(pending, cut, pending, 0, pendingLen - cut);
        pendingLen -= cut;
        return text;
    }

    /** Returns whatever is held back (an unfinished character shows as U+FFFD) and starts afresh. */
    public String flush() {
        String text = Utf8.decodeLossy(pending, 0, pendingLen);
        pendingLen = 0;
        return text;
    }

    /** Whether bytes are held back waiting for the rest of a character. */
    public boolean hasPending() {
        return pendingLen > 0;
    }

    /**
     * The length of the longest prefix of {@code b[0, n)} that can be decoded now: everything except a
     * trailing valid-but-unfinished character, which may still be completed by the next token.
     */
    static int completePrefix(byte[] b, int n) {
        for (int back = 1; back <= 3 && back <= n; back++) {
            int i = n - back;
            int first = b[i] & 0xFF;
            if (first < 0x80) {
                return n;
            }
            if (first >= 0xC0) { // the last lead byte: is it an unfinished but so far valid character?
                int len = Utf8.validLength(b, i, n);
                boolean unfinished = len < 0 && -len == back && (first >= 0xC2 && first <= 0xF4);
                return unfinished ? i : n;
            }
        }
        return n;
    }
}
