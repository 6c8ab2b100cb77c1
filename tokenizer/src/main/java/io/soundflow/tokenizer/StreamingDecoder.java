package io.soundflow.tokenizer;

import it.unimi.dsi.fastutil.ints.IntSet;

import java.nio.charset.StandardCharsets;

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
        String text = new String(pending, 0, cut, StandardCharsets.UTF_8);
        System.arraycopy(pending, cut, pending, 0, pendingLen - cut);
        pendingLen -= cut;
        return text;
    }

    /** Returns whatever is held back (an unfinished character shows as U+FFFD) and starts afresh. */
    public String flush() {
        String text = new String(pending, 0, pendingLen, StandardCharsets.UTF_8);
        pendingLen = 0;
        return text;
    }

    /** Whether bytes are held back waiting for the rest of a character. */
    public boolean hasPending() {
        return pendingLen > 0;
    }

    /**
     * The length of the longest prefix of {@code b[0, n)} after which the remaining bytes are a
     * proper prefix of some valid UTF-8 character (so they may still be completed).
     */
    static int completePrefix(byte[] b, int n) {
        for (int back = 1; back <= 3 && back <= n; back++) {
            int lead = b[n - back] & 0xFF;
            if (lead < 0x80) {
                return n; // ASCII: everything before and including it is settled
            }
            if (lead >= 0xC0) {
                int need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
                if (lead > 0xF4 || lead < 0xC2 || back >= need) {
                    return n; // invalid lead, or a complete sequence
                }
                return isValidPrefix(b, n - back, n) ? n - back : n;
            }
            // continuation byte: look further back for its lead
        }
        return n;
    }

    /** Whether {@code b[from, to)} (a lead byte and some continuations) can start a valid character. */
    private static boolean isValidPrefix(byte[] b, int from, int to) {
        int lead = b[from] & 0xFF;
        if (to - from >= 2) {
            int c1 = b[from + 1] & 0xFF;
            int lo = 0x80;
            int hi = 0xBF;
            if (lead == 0xE0) {
                lo = 0xA0;
            } else if (lead == 0xED) {
                hi = 0x9F;
            } else if (lead == 0xF0) {
                lo = 0x90;
            } else if (lead == 0xF4) {
                hi = 0x8F;
            }
            if (c1 < lo || c1 > hi) {
                return false;
            }
        }
        for (int k = from + 2; k < to; k++) {
            if ((b[k] & 0xC0) != 0x80) {
                return false;
            }
        }
        return true;
    }
}
