package io.soundflow.tokenizer;

import it.unimi.dsi.fastutil.ints.IntSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The streaming detokenizer: its pieces join to {@code decode(ids, true)} of the printable ids, no piece
 * holds half a character, and control ids and special tokens never show.
 */
class StreamingDecoderTest {
    private static Tokenizer tok() {
        return TestTokenizers.omni();
    }

    @Test
    void multiByteCharactersAppearOnlyWhenComplete() {
        Tokenizer t = tok();
        // "你好😀" byte by byte: each byte is its own byte-level token
        byte[] bytes = "你好😀".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        StreamingDecoder d = t.newStreamingDecoder(IntSet.of());
        List<String> out = new ArrayList<>();
        for (byte b : bytes) {
            out.add(d.push(t.tokenId(String.valueOf(ByteLevel.charOf(b & 0xFF))).orElseThrow()));
        }
        assertThat(out).containsExactly("", "", "你", "", "", "好", "", "", "", "😀");
        assertThat(d.flush()).isEmpty();
        assertThat(d.hasPending()).isFalse();
    }

    @Test
    void controlIdsAndSpecialTokensAreNeverPrinted() {
        Tokenizer t = tok();
        StreamingDecoder d = t.newStreamingDecoder(AudioInteractionPrompt.controlIds());
        StringBuilder sb = new StringBuilder();
        int[] reply = t.encode("Sure, it is 3 o'clock.");
        List<Integer> ids = new ArrayList<>(List.of(AudioInteractionPrompt.TEXT_BEGIN, AudioInteractionPrompt.NORMAL));
        for (int id : reply) {
            ids.add(id);
        }
        ids.add(AudioInteractionPrompt.TEXT_END);
        ids.add(AudioInteractionPrompt.KEEP_SILENCE);
        for (int id : ids) {
            sb.append(d.push(id));
        }
        sb.append(d.flush());
        assertThat(sb.toString()).isEqualTo("Sure, it is 3 o'clock.");
        // the control ids are ordinary BPE tokens with text of their own, which decode() would print
        assertThat(t.decode(new int[] {AudioInteractionPrompt.NORMAL}, true)).isNotEmpty();
    }

    @Test
    void anUnfinishedCharacterIsFlushedAsReplacement() {
        Tokenizer t = tok();
        StreamingDecoder d = t.newStreamingDecoder(IntSet.of());
        int e4 = t.tokenId(String.valueOf(ByteLevel.charOf(0xE4))).orElseThrow();
        assertThat(d.push(e4)).isEmpty();
        assertThat(d.flush()).isEqualTo("\uFFFD");
        assertThat(d.push(t.encode("ok")[0])).isEqualTo("ok");
    }

    /** Random ids (byte tokens, CJK and emoji fragments, whole words, specials, control ids). */
    @Property(tries = 2_000)
    void piecesJoinToTheDecodedTextAndNeverSplitACharacter(@ForAll("ids") List<Integer> ids) {
        Tokenizer t = tok();
        IntSet control = AudioInteractionPrompt.controlIds();
        StreamingDecoder d = t.newStreamingDecoder(control);
        StringBuilder joined = new StringBuilder();
        for (int id : ids) {
            String piece = d.push(id);
            assertThat(piece.isEmpty() || !Character.isHighSurrogate(piece.charAt(piece.length() - 1))).isTrue();
            joined.append(piece);
        }
        joined.append(d.flush());
        int[] printable = ids.stream().mapToInt(Integer::intValue).filter(id -> !control.contains(id)).toArray();
        assertThat(joined.toString()).isEqualTo(t.decode(printable, true));
    }

    /** Pushed one token at a time, a real text comes out whole, each piece being complete characters. */
    @Property(tries = 500)
    void encodedTextStreamsBackUnchanged(@ForAll("texts") String s) {
        Tokenizer t = tok();
        StreamingDecoder d = t.newStreamingDecoder(IntSet.of());
        StringBuilder joined = new StringBuilder();
        for (int id : t.encode(s)) {
            String piece = d.push(id);
            assertThat(piece).doesNotContain("\uFFFD");
            joined.append(piece);
        }
        assertThat(d.flush()).isEmpty();
        assertThat(joined.toString()).isEqualTo(t.decode(t.encode(s), true));
    }

    @Provide
    Arbitrary<String> texts() {
        return RandomUnicodeDifferentialTest.texts().filter(s -> !s.contains("\uFFFD"));
    }

    @Provide
    Arbitrary<List<Integer>> ids() {
        Tokenizer t = tok();
        Arbitrary<Integer> byteToken = Arbitraries.integers().between(0, 255)
                .map(b -> t.tokenId(String.valueOf(ByteLevel.charOf(b))).orElseThrow());
        Arbitrary<Integer> fromText = Arbitraries.of("你好世界", "😀👍🏽", "héllo", " the", "Ωμέγα", "𝟙", "\n")
                .flatMap(w -> Arbitraries.of(box(t.encode(w))));
        Arbitrary<Integer> any = Arbitraries.integers().between(0, t.vocabSize() - 1);
        Arbitrary<Integer> control = Arbitraries.integers().between(151_601, 151_619);
        Arbitrary<Integer> special = Arbitraries.integers().between(151_643, 151_664);
        return Arbitraries.frequencyOf(Tuple.of(5, byteToken), Tuple.of(4, fromText), Tuple.of(2, any),
                Tuple.of(1, control), Tuple.of(1, special)).list().ofMaxSize(16);
    }

    private static List<Integer> box(int[] ids) {
        List<Integer> l = new ArrayList<>();
        for (int id : ids) {
            l.add(id);
        }
        return l;
    }
}
