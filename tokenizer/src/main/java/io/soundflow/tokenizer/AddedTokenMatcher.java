package io.soundflow.tokenizer;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Finds added tokens in raw text, leftmost first and longest among those starting at the same place
 * (Hugging Face's leftmost-longest Aho-Corasick split). Added tokens are few, so candidates are
 * indexed by their first char and tried longest first.
 */
final class AddedTokenMatcher {
    /** [65536] candidates by first char, longest first; null where no token starts with that char. */
    private final AddedToken[][] byFirstChar = new AddedToken[65536][];

    AddedTokenMatcher(List<AddedToken> tokens) {
        List<List<AddedToken>> lists = new ArrayList<>();
        for (int c = 0; c < 65536; c++) {
            lists.add(null);
        }
        for (AddedToken t : tokens) {
            if (t.content().isEmpty()) {
                continue;
            }
            char c = t.content().charAt(0);
            if (lists.get(c) == null) {
                lists.set(c, new ArrayList<>());
            }
            lists.get(c).add(t);
        }
        for (int c = 0; c < 65536; c++) {
            List<AddedToken> l = lists.get(c);
            if (l != null) {
                l.sort(Comparator.comparingInt((AddedToken t) -> t.content().length()).reversed());
                byFirstChar[c] = l.toArray(AddedToken[]::new);
            }
        }
    }

    /** The added token starting exactly at {@code i} (the longest one), or null. */
    AddedToken matchAt(String text, int i) {
        AddedToken[] cands = byFirstChar[text.charAt(i)];
        if (cands == null) {
            return null;
        }
        for (AddedToken t : cands) {
            if (text.startsWith(t.content(), i)) {
                return t;
            }
        }
        return null;
    }
}
