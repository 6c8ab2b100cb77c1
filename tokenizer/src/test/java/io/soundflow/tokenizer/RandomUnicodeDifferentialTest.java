package io.soundflow.tokenizer;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

import java.text.Normalizer;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * 10,000 random Unicode strings per fixture and run: every id equal to Hugging Face's, and
 * decode(encode(s)) == NFC(s) (Java's NFC wherever the string has no code point newer than the
 * reference's normalization tables). The strings mix ASCII, white space of every kind, digits of many
 * scripts, Latin with combining marks (NFC-changing input), CJK, kana, Hangul syllables and jamo,
 * other scripts, emoji with ZWJ / skin tones / flags, special tokens and their fragments,
 * contractions, private-use, unassigned and arbitrary code points (surrogate pairs included).
 */
class RandomUnicodeDifferentialTest {

    @Property(tries = 10_000)
    void omniIdsEqualHuggingFaces(@ForAll("texts") String s) {
        check(HfOracle.of(HfOracle.OMNI), s);
    }

    @Property(tries = 10_000)
    void qwen3IdsEqualHuggingFaces(@ForAll("texts") String s) {
        check(HfOracle.of(HfOracle.QWEN3), s);
    }

    /** Random id sequences decode as Hugging Face decodes them, byte-level U+FFFD handling included. */
    @Property(tries = 2_000)
    void randomIdsDecodeAsHuggingFace(@ForAll("idLists") List<Integer> idList) {
        HfOracle o = HfOracle.of(HfOracle.OMNI);
        int[] ids = idList.stream().mapToInt(Integer::intValue).toArray();
        assertThat(o.ours.decode(ids, false)).isEqualTo(o.hfDecode(ids, false));
        assertThat(o.ours.decode(ids, true)).isEqualTo(o.hfDecode(ids, true));
    }

    private static void check(HfOracle o, String s) {
        DifferentialCorpusTest.assertSameIds(o, s);
        if (!DifferentialCorpusTest.containsAddedToken(o.ours, s)) {
            String decoded = o.ours.decode(o.ours.encode(s), false);
            // NFC as the reference computes it (older Unicode tables); the ids above already matched HF
            assertThat(decoded).as("decode(encode(s)) == NFC(s) for %s", DifferentialCorpusTest.escape(s))
                    .isEqualTo(ReferenceNfc.normalize(s, 0, s.length()));
            if (s.codePoints().noneMatch(ReferenceNfc::isUnknown)) {
                assertThat(decoded).isEqualTo(Normalizer.normalize(s, Normalizer.Form.NFC));
            }
        }
    }

    @Provide
    Arbitrary<List<Integer>> idLists() {
        Arbitrary<Integer> anyId = Arbitraries.integers().between(0, 151_664);
        Arbitrary<Integer> byteId = Arbitraries.integers().between(0, 255).map(b -> 
                HfOracle.of(HfOracle.OMNI).ours.tokenId(String.valueOf(ByteLevel.charOf(b))).orElseThrow());
        return Arbitraries.frequencyOf(Tuple.of(1, anyId), Tuple.of(2, byteId)).list().ofMaxSize(12);
    }

    @Provide
    static Arbitrary<String> texts() {
        return pieces().list().ofMaxSize(10).map(l -> String.join("", l));
    }

    static Arbitrary<String> pieces() {
        return Arbitraries.frequencyOf(
                Tuple.of(14, Arbitraries.strings().withCharRange(' ', '~').ofMinLength(1).ofMaxLength(12)),
                Tuple.of(6, Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(10).map(w -> " " + w)),
                Tuple.of(8, Arbitraries.strings().withChars(" \t\r\n\u000b\u000c\u0085\u00a0\u1680\u2003\u2028\u2029\u202f\u3000\u200b\ufeff\u001c")
                        .ofMinLength(1).ofMaxLength(6)),
                Tuple.of(6, codePoints(List.of(range('0', '9'), range(0x660, 0x669), range(0x966, 0x96F), range(0xFF10, 0xFF19),
                        range(0x2150, 0x218B), range(0x2460, 0x249B), range(0x1D7CE, 0x1D7FF)), 10)),
                Tuple.of(8, codePoints(List.of(range('a', 'z'), range(0xC0, 0x24F), range(0x300, 0x36F), range(0x1E00, 0x1EFF)), 10)),
                Tuple.of(8, codePoints(List.of(range(0x3040, 0x30FF), range(0x4E00, 0x9FFF), range(0xAC00, 0xD7A3),
                        range(0x1100, 0x11FF), range(0x3000, 0x303F), range(0xFF00, 0xFFEF), range(0x20000, 0x2A6DF)), 8)),
                Tuple.of(6, codePoints(List.of(range(0x370, 0x3FF), range(0x400, 0x52F), range(0x590, 0x6FF), range(0x900, 0xDFF),
                        range(0xE00, 0xEFF), range(0x10A0, 0x10FF), range(0x1780, 0x17FF), range(0x2000, 0x2BFF)), 8)),
                Tuple.of(6, emoji()),
                Tuple.of(6, codePoints(List.of(range(0, 0x10FFFF)), 6)),
                Tuple.of(3, codePoints(List.of(range(0xE000, 0xF8FF), range(0xF0000, 0x10FFFF), range(0x378, 0x379),
                        range(0x2FFFE, 0x2FFFF), range(0xE0000, 0xE01EF), range(0xFDD0, 0xFDEF)), 4)),
                Tuple.of(2, codePoints(List.of(range(0x10000, 0x1FFFF), range(0x16A40, 0x16FFF), range(0x1E000, 0x1EFFF),
                        range(0x11000, 0x11FFF), range(0x30000, 0x323AF)), 6)),
                Tuple.of(5, Arbitraries.of("<|im_start|>", "<|im_end|>", "<|endoftext|>", "<|AUDIO|>", "<|audio_bos|>",
                        "<tool_call>", "</think>", "<think>", "<|im_sta", "<|im_end", "im_start|>", "<|", "|>", "<", ">",
                        "'s", "'S", "'ll", "'LL", "'Re", "'ve", "'d", "'m", "'t", "'", "'\u017f", "\u017f", "\u212a")),
                Tuple.of(2, Arbitraries.strings().withChars("\r\n \t").ofMinLength(1).ofMaxLength(20)),
                Tuple.of(1, Arbitraries.strings().withCharRange('0', '9').ofMinLength(10).ofMaxLength(60))
        );
    }

    private static int[] range(int from, int to) {
        return new int[] {from, to};
    }

    /** Strings of 1..maxLen code points drawn uniformly from the ranges (surrogates left out). */
    private static Arbitrary<String> codePoints(List<int[]> ranges, int maxLen) {
        Arbitrary<Integer> cp = Arbitraries.of(ranges).flatMap(r -> Arbitraries.integers().between(r[0], r[1]))
                .filter(c -> c < 0xD800 || c > 0xDFFF);
        return cp.list().ofMinSize(1).ofMaxSize(maxLen).map(RandomUnicodeDifferentialTest::ofCodePoints);
    }

    private static Arbitrary<String> emoji() {
        Arbitrary<Integer> base = Arbitraries.of(0x1F600, 0x1F44D, 0x2764, 0x1F468, 0x1F469, 0x1F467, 0x1F466, 0x1F3F3,
                0x1F308, 0x1F4BB, 0x1F9D1, 0x1F91D, 0x270A, 0x0023, 0x0031, 0x00A9, 0x1FAE0, 0x1FABF, 0x1F1FA, 0x1F1F3);
        Arbitrary<Integer> joiner = Arbitraries.of(0x200D, 0xFE0F, 0x20E3, 0x1F3FB, 0x1F3FD, 0x1F3FF, 0x1F1EF, 0x1F1F5, 0xE0067);
        return Combinators.combine(base, joiner, base, joiner.list().ofMaxSize(3))
                .as((a, j, b, js) -> {
                    StringBuilder sb = new StringBuilder().appendCodePoint(a).appendCodePoint(j).appendCodePoint(b);
                    js.forEach(sb::appendCodePoint);
                    return sb.toString();
                });
    }

    private static String ofCodePoints(List<Integer> cps) {
        StringBuilder sb = new StringBuilder();
        cps.forEach(sb::appendCodePoint);
        return sb.toString();
    }

    @SuppressWarnings("unused")
    private static String show(int[] ids) {
        return Arrays.toString(ids);
    }
}
