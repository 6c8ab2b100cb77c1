package io.soundflow.tokenizer;

/**
 * The Qwen pre-tokenizer: splits normalized text into pieces exactly as Hugging Face's
 * {@code Split} with the Qwen2 pattern (behaviour {@code Isolated}) does,
 * <pre>
 * (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
 * </pre>
 * written as a hand-made scanner rather than a regex: at each position the alternatives are tried in
 * order with the regex engine's backtracking worked out by hand (see each branch). The character
 * classes follow Oniguruma's Unicode semantics: {@code \p{L}} and {@code \p{N}} are the general
 * categories L* and N* as known to the reference (see {@link UnicodeClasses}), {@code \s} is the
 * Unicode White_Space set.
 */
final class QwenPreTokenizer {

    /** The Split regex of every Qwen2 / Qwen2.5 / Qwen3 tokenizer.json, as it appears in the file. */
    static final String PATTERN = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}"
            + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    private QwenPreTokenizer() {
    }

    /** Receives the pieces of a split, in order. */
    interface PieceSink {
        void piece(String text, int start, int end);
    }

    /** Splits {@code text[from, to)} into pieces that cover it completely and in order. */
    static void split(String text, int from, int to, PieceSink sink) {
        int i = from;
        while (i < to) {
            int end = matchAt(text, i, to);
            sink.piece(text, i, end);
            i = end;
        }
    }

    /** The end of the match starting at {@code i} (always > i: some alternative always matches). */
    static int matchAt(String s, int i, int to) {
        int cp = s.codePointAt(i);
        int i1 = i + Character.charCount(cp);
        int cls = UnicodeClasses.of(cp);

        // 1. (?i:'s|'t|'re|'ve|'m|'ll|'d)
        if (cp == '\'' && i1 < to) {
            int c1 = lower(s.charAt(i1));
            if (c1 == 's' || c1 == 't' || c1 == 'm' || c1 == 'd') {
                return i1 + 1;
            }
            if (i1 + 1 < to) {
                int c2 = lower(s.charAt(i1 + 1));
                if ((c1 == 'r' && c2 == 'e') || (c1 == 'v' && c2 == 'e') || (c1 == 'l' && c2 == 'l')) {
                    return i1 + 2;
                }
            }
        }
        // 2. [^\r\n\p{L}\p{N}]?\p{L}+ : a letter run, optionally led by one non-letter, non-digit, non-CR/LF
        if (cls == UnicodeClasses.LETTER) {
            return letterRun(s, i1, to);
        }
        if (cls != UnicodeClasses.NUMBER && cp != '\r' && cp != '\n' && i1 < to
                && UnicodeClasses.of(s.codePointAt(i1)) == UnicodeClasses.LETTER) {
            return letterRun(s, i1, to);
        }
        // 3. \p{N} : one number character
        if (cls == UnicodeClasses.NUMBER) {
            return i1;
        }
        // 4. ' ?[^\s\p{L}\p{N}]+[\r\n]*' : optional space, a run of "other" characters, trailing CR/LF
        int otherStart = -1;
        if (cls == UnicodeClasses.OTHER) {
            otherStart = i;
        } else if (cp == ' ' && i1 < to && UnicodeClasses.of(s.codePointAt(i1)) == UnicodeClasses.OTHER) {
            otherStart = i1;
        }
        if (otherStart >= 0) {
            int j = otherStart;
            while (j < to) {
                int c = s.codePointAt(j);
                if (UnicodeClasses.of(c) != UnicodeClasses.OTHER) {
                    break;
                }
                j += Character.charCount(c);
            }
            while (j < to && (s.charAt(j) == '\r' || s.charAt(j) == '\n')) {
                j++;
            }
            return j;
        }
        // Here cp is white space (every white-space code point is one char). j = end of the run.
        int j = i1;
        int lastNewline = (cp == '\r' || cp == '\n') ? i : -1;
        while (j < to) {
            char c = s.charAt(j);
            if (!UnicodeClasses.isSpace(c)) {
                break;
            }
            if (c == '\r' || c == '\n') {
                lastNewline = j;
            }
            j++;
        }
        // 5. \s*[\r\n]+ : \s* backtracks to the last CR/LF of the run, [\r\n]+ takes it
        if (lastNewline >= 0) {
            return lastNewline + 1;
        }
        // 6. \s+(?!\S) : the whole run at the end of input, else the run less its last character
        if (j == to) {
            return j;
        }
        if (j - 1 > i) {
            return j - 1;
        }
        // 7. \s+ : the single white-space character before a non-space
        return j;
    }

    private static int letterRun(String s, int j, int to) {
        while (j < to) {
            int c = s.codePointAt(j);
            if (UnicodeClasses.of(c) != UnicodeClasses.LETTER) {
                break;
            }
            j += Character.charCount(c);
        }
        return j;
    }

    /**
     * Unicode simple case folding restricted to what the contraction letters need: ASCII upper case,
     * and U+017F LATIN SMALL LETTER LONG S, which folds to 's' (the reference matches "'ſ" too).
     */
    private static int lower(char c) {
        if (c >= 'A' && c <= 'Z') {
            return c + 32;
        }
        return c == '\u017f' ? 's' : c;
    }
}
