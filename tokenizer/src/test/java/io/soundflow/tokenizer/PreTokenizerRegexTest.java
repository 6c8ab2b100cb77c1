package io.soundflow.tokenizer;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The hand-written scanner against an independent implementation: java.util.regex running the same
 * pattern with Unicode character classes. They agree except where the Java and the reference Unicode
 * versions differ (letters added after Unicode 14), which the random strings here leave out.
 */
class PreTokenizerRegexTest {
    private static final Pattern REGEX = Pattern.compile(QwenPreTokenizer.PATTERN, Pattern.UNICODE_CHARACTER_CLASS);

    static List<String> scanner(String s) {
        List<String> out = new ArrayList<>();
        QwenPreTokenizer.split(s, 0, s.length(), (t, a, b) -> out.add(t.substring(a, b)));
        return out;
    }

    static List<String> regex(String s) {
        List<String> out = new ArrayList<>();
        Matcher m = REGEX.matcher(s);
        while (m.find()) {
            out.add(m.group());
        }
        return out;
    }

    @Test
    void tricksOfThePattern() {
        // \s+(?!\S) leaves the last space of a run to lead the next word
        assertThat(scanner("a   b")).containsExactly("a", "  ", " b");
        assertThat(scanner("x \t y")).containsExactly("x", " \t", " y");
        assertThat(scanner("end   ")).containsExactly("end", "   ");
        // \s*[\r\n]+ ends at the last newline of a white-space run
        assertThat(scanner("a \n\n  b")).containsExactly("a", " \n\n", " ", " b");
        assertThat(scanner("a\r\n\tb")).containsExactly("a", "\r\n", "\tb");
        // contractions, case-insensitive, and digits one by one
        assertThat(scanner("IT'S we'Re 'll")).containsExactly("IT", "'S", " we", "'Re", " '", "ll");
        assertThat(scanner("'\u017fA")).as("long s folds to s").containsExactly("'\u017f", "A");
        assertThat(scanner("x2024")).containsExactly("x", "2", "0", "2", "4");
        // punctuation takes one leading space and trailing newlines
        assertThat(scanner("a ...\n\nb")).containsExactly("a", " ...\n\n", "b");
        // U+3000 and NBSP are white space and may lead a word; ZWSP is not
        assertThat(scanner("a\u3000b\u00a0c\u200bd")).containsExactly("a", "\u3000b", "\u00a0c", "\u200bd");
    }

    @Property(tries = 3_000)
    void scannerAgreesWithJavaRegex(@ForAll("texts") String s) {
        String t = s.codePoints().filter(cp -> UnicodeClasses.of(cp) == classOfJava(cp)).collect(StringBuilder::new,
                StringBuilder::appendCodePoint, StringBuilder::append).toString();
        assertThat(scanner(t)).as(DifferentialCorpusTest.escape(t)).isEqualTo(regex(t));
    }

    @net.jqwik.api.Provide
    net.jqwik.api.Arbitrary<String> texts() {
        return RandomUnicodeDifferentialTest.texts();
    }

    private static byte classOfJava(int cp) {
        String c = Character.toString(cp);
        if (c.matches("(?U)\\s")) {
            return UnicodeClasses.SPACE;
        }
        if (c.matches("(?U)\\p{L}")) {
            return UnicodeClasses.LETTER;
        }
        return c.matches("(?U)\\p{N}") ? UnicodeClasses.NUMBER : UnicodeClasses.OTHER;
    }
}
