package io.soundflow.tokenizer;

import java.util.Arrays;

/**
 * A bounded cache from a pre-token's text to its BPE ids, looked up by a range of the input text
 * without allocating a key. Open addressing with linear probing; when it holds {@link #MAX_ENTRIES}
 * words it is emptied (words repeat, so it refills with the frequent ones). One per thread.
 */
final class WordCache {
    /** Like Hugging Face's BPE cache: at most 10,000 words, each shorter than 256 chars. */
    static final int MAX_ENTRIES = 10_000;
    static final int MAX_WORD_CHARS = 256;
    private static final int SLOTS = 16_384; // power of two, load factor <= 0.61

    private final String[] keys = new String[SLOTS];
    private final int[][] values = new int[SLOTS][];
    private int size;

    static int hash(String s, int start, int end) {
        int h = 0;
        for (int i = start; i < end; i++) {
            h = 31 * h + s.charAt(i);
        }
        return h ^ (h >>> 15);
    }

    /** The cached ids of {@code s[start, end)} (whose {@link #hash} is {@code h}), or null. */
    int[] get(String s, int start, int end, int h) {
        int len = end - start;
        for (int slot = h & (SLOTS - 1); ; slot = (slot + 1) & (SLOTS - 1)) {
            String k = keys[slot];
            if (k == null) {
                return null;
            }
            if (k.length() == len && s.regionMatches(start, k, 0, len)) {
                return values[slot];
            }
        }
    }

    void put(String s, int start, int end, int h, int[] ids) {
        if (end - start >= MAX_WORD_CHARS) {
            return;
        }
        if (size >= MAX_ENTRIES) {
            Arrays.fill(keys, null);
            Arrays.fill(values, null);
            size = 0;
        }
        int slot = h & (SLOTS - 1);
        while (keys[slot] != null) {
            slot = (slot + 1) & (SLOTS - 1);
        }
        keys[slot] = s.substring(start, end);
        values[slot] = ids;
        size++;
    }
}
