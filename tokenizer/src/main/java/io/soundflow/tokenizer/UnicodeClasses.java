package io.soundflow.tokenizer;

/**
 * The three character classes the Qwen pre-tokenizer distinguishes, as Oniguruma (the regex engine
 * inside Hugging Face tokenizers) sees them: {@code \p{L}} (general category L*), {@code \p{N}}
 * (N*), {@code \s} (Unicode White_Space: U+0009..U+000D, U+0020, U+0085, U+00A0, U+1680,
 * U+2000..U+200A, U+2028, U+2029, U+202F, U+205F, U+3000), and everything else.
 */
final class UnicodeClasses {
    static final byte OTHER = 0;
    static final byte LETTER = 1;
    static final byte NUMBER = 2;
    static final byte SPACE = 3;

    /** [0x800] class of the first code points, the fast path for most text. */
    private static final byte[] LOW = new byte[0x800];

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
        return c < LOW.length ? LOW[c] == SPACE : isSpaceCp(c);
    }

    private static byte slow(int cp) {
        if (isSpaceCp(cp)) {
            return SPACE;
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

    private static boolean isSpaceCp(int cp) {
        return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680
                || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F
                || cp == 0x205F || cp == 0x3000;
    }
}
