package io.soundflow.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * A developer tool (not a test): asks Hugging Face tokenizers how its regex engine classifies every
 * code point ({@code \p{L}}, {@code \p{N}} or neither), by the pre-tokenizer's word boundaries, and
 * prints the ranges where that differs (code points that NFC removes never reach the pre-tokenizer
 * and are left out) from {@link UnicodeClasses} (Java's newer Unicode tables).
 * Its output is {@link UnicodeClasses}'s override table. Run with the test classpath:
 * {@code java -cp ... io.soundflow.tokenizer.UnicodeClassProbe path/to/tokenizer.json}.
 */
public final class UnicodeClassProbe {
    /** A letter that composes with nothing, so the probe strings stay as they are under NFC. */
    private static final String BASE = "\u4E2D";

    public static void main(String[] args) throws Exception {
        HuggingFaceTokenizer hf = HuggingFaceTokenizer.newInstance(Path.of(args[0]), Map.of());
        int runStart = -1;
        int runCls = -1;
        int count = 0;
        for (int cp = 0x80; cp <= 0x10FFFF + 1; cp++) {
            int cls = -1;
            if (cp <= 0x10FFFF && (cp < 0xD800 || cp > 0xDFFF)) {
                int ours = UnicodeClasses.of(cp);
                String c = Character.toString(cp);
                boolean survivesNfc = java.text.Normalizer.isNormalized(BASE + c + c, java.text.Normalizer.Form.NFC);
                if (ours != UnicodeClasses.SPACE && survivesNfc) {
                    int theirs = hfClass(hf, cp);
                    if (theirs != ours) {
                        cls = theirs;
                    }
                }
            }
            if (cls != runCls || (runStart >= 0 && cls >= 0 && cp != runStart + count)) {
                if (runCls >= 0) {
                    System.out.printf("0x%X, 0x%X, %d,%n", runStart, runStart + count - 1, runCls);
                }
                runStart = cp;
                runCls = cls;
                count = 0;
            }
            count++;
        }
    }

    private static int hfClass(HuggingFaceTokenizer hf, int cp) {
        String c = Character.toString(cp);
        if (words(hf, BASE + c) == 1) {
            return UnicodeClasses.LETTER;
        }
        return words(hf, c + c) == 2 ? UnicodeClasses.NUMBER : UnicodeClasses.OTHER;
    }

    private static long words(HuggingFaceTokenizer hf, String s) {
        return Arrays.stream(hf.encode(s).getWordIds()).distinct().count();
    }
}
