package io.soundflow.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;

import java.nio.file.Path;
import java.text.Normalizer;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeSet;

/**
 * A developer tool (not a test): finds the code points whose NFC behaviour differs between Java's
 * Normalizer and the older normalization tables inside Hugging Face tokenizers, by encoding probe
 * strings with both: every character with a canonical decomposition (alone and decomposed, which
 * tests composition) and every character with a non-zero combining class (next to marks of class 1
 * and 240, which tests reordering). Prints the code points to treat as unknown to normalization;
 * its output is the table in {@link ReferenceNfc}. Run with the test classpath and a tokenizer.json.
 */
public final class NfcProbe {
    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        HuggingFaceTokenizer hf = HuggingFaceTokenizer.newInstance(file, Map.of());
        Tokenizer ours = Tokenizer.load(file);
        TreeSet<Integer> unknown = new TreeSet<>();
        int probes = 0;
        for (int cp = 0xA0; cp <= 0x10FFFF; cp++) {
            if (cp >= 0xD800 && cp <= 0xDFFF) {
                continue;
            }
            String c = Character.toString(cp);
            String nfd = Normalizer.normalize(c, Normalizer.Form.NFD);
            if (!nfd.equals(c)) {
                probes += 2;
                if (differs(hf, ours, c)) {
                    unknown.add(cp); // HF does not decompose it: newer than its tables
                    System.err.printf("decomposition differs: U+%X%n", cp);
                } else if (differs(hf, ours, nfd)) {
                    // HF does not compose it back: blame its newer component, the starter unless that is
                    // an old Latin/common letter (then the mark)
                    int first = nfd.codePointAt(0);
                    unknown.add(first >= 0x370 ? first : nfd.codePointBefore(nfd.length()));
                    System.err.printf("composition differs: U+%X = %s%n", cp, nfd.codePoints()
                            .mapToObj(x -> String.format("U+%X", x)).toList());
                }
            }
            boolean reordersAfterLow = !Normalizer.normalize(c + "\u0334", Normalizer.Form.NFD).equals(nfd + "\u0334");
            boolean reordersBeforeHigh = !Normalizer.normalize("\u0345" + c, Normalizer.Form.NFD).equals("\u0345" + nfd);
            if (nfd.equals(c) && (reordersAfterLow || reordersBeforeHigh)) {
                probes += 2;
                if (differs(hf, ours, c + "\u0334") || differs(hf, ours, "\u0345" + c)) {
                    unknown.add(cp);
                    System.err.printf("reordering differs: U+%X%n", cp);
                }
            }
        }
        System.err.println(probes + " probes, " + unknown.size() + " code points differ");
        int start = -1;
        int prev = -2;
        for (int cp : unknown) {
            if (cp != prev + 1) {
                if (start >= 0) {
                    System.out.printf("0x%X, 0x%X,%n", start, prev);
                }
                start = cp;
            }
            prev = cp;
        }
        if (start >= 0) {
            System.out.printf("0x%X, 0x%X,%n", start, prev);
        }
    }

    private static boolean differs(HuggingFaceTokenizer hf, Tokenizer ours, String s) {
        long[] theirs = hf.encode(s).getIds();
        int[] mine = ours.encode(s);
        return !Arrays.equals(Arrays.stream(theirs).mapToInt(Math::toIntExact).toArray(), mine);
    }
}
