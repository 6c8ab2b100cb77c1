package io.soundflow.tokenizer;

import java.text.Normalizer;

/**
 * NFC as Hugging Face tokenizers computes it. Its normalization tables (the
 * {@code unicode-normalization-alignments} crate) are older than Java's: combining marks, composites
 * and composition pairs added since Unicode 10 are unknown to it, so it treats those code points as
 * plain starters that neither reorder, decompose nor compose. Java's {@link Normalizer} is run on the
 * text between such code points, which are kept as they are; the result equals the reference's.
 * {@link #UNKNOWN_TO_REFERENCE} was measured by {@code NfcProbe} (test sources) against the reference.
 */
final class ReferenceNfc {
    /** Inclusive code-point ranges the reference's normalization tables do not know. */
    private static final int[] UNKNOWN_TO_REFERENCE = {
            0x7FD, 0x7FD, 0x897, 0x89F, 0x8CA, 0x8D3, 0x9FE, 0x9FE, 0xC3C, 0xC3C,
            0xD3B, 0xD3C, 0xEBA, 0xEBA, 0x1715, 0x1715, 0x1ABF, 0x1ACE, 0x1DF6, 0x1DFA,
            0xA82C, 0xA82C, 0x105D2, 0x105D2, 0x105DA, 0x105DA, 0x10D24, 0x10D27, 0x10D69, 0x10D6D,
            0x10EAB, 0x10EAC, 0x10EFD, 0x10EFF, 0x10F46, 0x10F50, 0x10F82, 0x10F85, 0x11070, 0x11070,
            0x1133B, 0x1133B, 0x11382, 0x11382, 0x11384, 0x11384, 0x1138B, 0x1138B, 0x11390, 0x11390,
            0x113C2, 0x113C2, 0x113CE, 0x113D0, 0x1145E, 0x1145E, 0x11839, 0x1183A, 0x11935, 0x11935,
            0x1193D, 0x1193E, 0x11943, 0x11943, 0x119E0, 0x119E0, 0x11A34, 0x11A34, 0x11A47, 0x11A47,
            0x11A99, 0x11A99, 0x11D42, 0x11D42, 0x11D44, 0x11D45, 0x11D97, 0x11D97, 0x11F41, 0x11F42,
            0x1611E, 0x1611E, 0x16129, 0x16129, 0x1612F, 0x1612F, 0x16D63, 0x16D63, 0x16D67, 0x16D67,
            0x16FF0, 0x16FF1, 0x1E08F, 0x1E08F, 0x1E130, 0x1E136, 0x1E2AE, 0x1E2AE, 0x1E2EC, 0x1E2EF,
            0x1E4EC, 0x1E4EF, 0x1E5EE, 0x1E5EF
    };

    private ReferenceNfc() {
    }

    /**
     * Whether text made only of {@code c} and other such chars is certainly in NFC: c is NFC and NFD
     * on its own (no decomposition), not a combining mark (no reordering, not the second half of a
     * composition), not a conjoining Hangul jamo, and known to the reference.
     */
    static boolean isSafe(char c) {
        return c < 0x300 || SafeTable.SAFE.get(c);
    }

    /** Built on first use: one bit per BMP char. */
    private static final class SafeTable {
        static final java.util.BitSet SAFE = new java.util.BitSet(0x10000);

        static {
            for (int c = 0; c < 0x10000; c++) {
                int type = Character.getType(c);
                boolean mark = type == Character.NON_SPACING_MARK || type == Character.COMBINING_SPACING_MARK
                        || type == Character.ENCLOSING_MARK;
                boolean jamo = (c >= 0x1100 && c <= 0x11FF) || (c >= 0xA960 && c <= 0xA97F) || (c >= 0xD7B0 && c <= 0xD7FF);
                if (c < 0x300 || (!mark && !jamo && !Character.isSurrogate((char) c) && !isUnknown(c)
                        && Normalizer.isNormalized(String.valueOf((char) c), Normalizer.Form.NFD))) {
                    SAFE.set(c);
                }
            }
        }
    }

    /** Whether a code point is one the reference does not normalize. */
    static boolean isUnknown(int cp) {
        if (cp < UNKNOWN_TO_REFERENCE[0]) {
            return false;
        }
        int lo = 0;
        int hi = UNKNOWN_TO_REFERENCE.length / 2 - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (cp < UNKNOWN_TO_REFERENCE[2 * mid]) {
                hi = mid - 1;
            } else if (cp > UNKNOWN_TO_REFERENCE[2 * mid + 1]) {
                lo = mid + 1;
            } else {
                return true;
            }
        }
        return false;
    }

    /** The reference NFC of {@code s[from, to)}. */
    static String normalize(String s, int from, int to) {
        StringBuilder out = null;
        int runStart = from;
        for (int i = from; i < to; ) {
            int cp = s.codePointAt(i);
            int next = i + Character.charCount(cp);
            if (isUnknown(cp)) {
                if (out == null) {
                    out = new StringBuilder(to - from + 8);
                }
                out.append(Normalizer.normalize(s.substring(runStart, i), Normalizer.Form.NFC));
                out.appendCodePoint(cp);
                runStart = next;
            }
            i = next;
        }
        if (out == null) {
            return Normalizer.normalize(s.substring(from, to), Normalizer.Form.NFC);
        }
        return out.append(Normalizer.normalize(s.substring(runStart, to), Normalizer.Form.NFC)).toString();
    }
}
