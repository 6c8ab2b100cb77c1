package io.soundflow.tokenizer;

/**
 * The three character classes the Qwen pre-tokenizer distinguishes, as Oniguruma (the regex engine
 * inside Hugging Face tokenizers) sees them: {@code \p{L}} (general category L*), {@code \p{N}}
 * (N*), {@code \s} (Unicode White_Space: U+0009..U+000D, U+0020, U+0085, U+00A0, U+1680,
 * U+2000..U+200A, U+2028, U+2029, U+202F, U+205F, U+3000), and everything else.
 *
 * <p>Java 25 knows Unicode 16, but the Oniguruma inside Hugging Face tokenizers knows Unicode 14: the
 * letters and numbers added since (Kawi, Nag Mundari, CJK extensions H and I, Todhri, ...) are "other"
 * to it. {@link #NEWER_THAN_REFERENCE} lists them, as measured by {@code UnicodeClassProbe} (test
 * sources) against the reference, so that our pieces stay identical to its pieces.
 */
final class UnicodeClasses {
    static final byte OTHER = 0;
    static final byte LETTER = 1;
    static final byte NUMBER = 2;
    static final byte SPACE = 3;

    /**
     * Inclusive code-point ranges that Java classifies as letters or numbers but the reference regex
     * engine (Unicode 14) treats as "other" (unassigned there).
     */
    private static final int[] NEWER_THAN_REFERENCE = {
            0x1C89, 0x1C8A, 0xA7CB, 0xA7CD, 0xA7DA, 0xA7DC, 0x105C0, 0x105F3,
            0x10D40, 0x10D65, 0x10D6F, 0x10D85, 0x10EC2, 0x10EC4, 0x1123F, 0x11240,
            0x11380, 0x11389, 0x1138B, 0x1138B, 0x1138E, 0x1138E, 0x11390, 0x113B5,
            0x113B7, 0x113B7, 0x113D1, 0x113D1, 0x113D3, 0x113D3, 0x116D0, 0x116E3,
            0x11BC0, 0x11BE0, 0x11BF0, 0x11BF9, 0x11F02, 0x11F02, 0x11F04, 0x11F10,
            0x11F12, 0x11F33, 0x11F50, 0x11F59, 0x1342F, 0x1342F, 0x13441, 0x13446,
            0x13460, 0x143FA, 0x16100, 0x1611D, 0x16130, 0x16139, 0x16D40, 0x16D66,
            0x16D68, 0x16D6C, 0x16D70, 0x16D79, 0x18CFF, 0x18CFF, 0x1B132, 0x1B132,
            0x1B155, 0x1B155, 0x1CCF0, 0x1CCF9, 0x1D2C0, 0x1D2D3, 0x1DF25, 0x1DF2A,
            0x1E030, 0x1E06D, 0x1E4D0, 0x1E4EB, 0x1E4F0, 0x1E4F9, 0x1E5D0, 0x1E5ED,
            0x1E5F0, 0x1E5FA, 0x2B739, 0x2B739, 0x2EBF0, 0x2EE5D, 0x31350, 0x323AF
    };

    /** [0x10000] class of every BMP code point, the fast path. */
    private static final byte[] LOW = new byte[0x10000];

    static {
        for (int cp = 0; cp < LOW.length; cp++) {
            LOW[cp] = slow(cp);
        }
    }

    private UnicodeClasses() {
    }

    /** The class of a code point. */
    static byte of(int cp) {
        return cp < LOW.length ? LOW[cp] : slow(cp);
    }

    /** Whether a char is white space (all white-space code points are in the BMP). */
    static boolean isSpace(char c) {
        return LOW[c] == SPACE;
    }

    private static byte slow(int cp) {
        if (isSpaceCp(cp)) {
            return SPACE;
        }
        if (isNewerThanReference(cp)) {
            return OTHER;
        }
        int type = Character.getType(cp);
        switch (type) {
            case Character.UPPERCASE_LETTER, Character.LOWERCASE_LETTER, Character.TITLECASE_LETTER,
                 Character.MODIFIER_LETTER, Character.OTHER_LETTER -> {
                return LETTER;
            }
            case Character.DECIMAL_DIGIT_NUMBER, Character.LETTER_NUMBER, Character.OTHER_NUMBER -> {
                return NUMBER;
            }
            default -> {
                return OTHER;
            }
        }
    }

    private static boolean isNewerThanReference(int cp) {
        int lo = 0;
        int hi = NEWER_THAN_REFERENCE.length / 2 - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (cp < NEWER_THAN_REFERENCE[2 * mid]) {
                hi = mid - 1;
            } else if (cp > NEWER_THAN_REFERENCE[2 * mid + 1]) {
                lo = mid + 1;
            } else {
                return true;
            }
        }
        return false;
    }

    private static boolean isSpaceCp(int cp) {
        return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680
                || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F
                || cp == 0x205F || cp == 0x3000;
    }
}
