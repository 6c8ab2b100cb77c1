package io.soundflow.tokenizer;

import it.unimi.dsi.fastutil.ints.IntArrayList;
import it.unimi.dsi.fastutil.longs.Long2LongOpenHashMap;
import it.unimi.dsi.fastutil.objects.Object2IntOpenHashMap;

/**
 * Byte-level BPE over token ids, merging by rank exactly as Hugging Face's {@code Word::merge_all}:
 * the pair with the lowest merge rank is merged first, the leftmost one among equal ranks. Symbols
 * are a linked list over the word's bytes and the candidate merges sit in a binary heap, so a word
 * of n bytes costs O(n log n), never a quadratic rescan. Immutable and shared between threads; the
 * scratch space lives in a per-thread {@link Workspace}.
 */
final class BpeModel {
    /** vocabulary: byte-level token string to id. */
    final Object2IntOpenHashMap<String> vocab;
    /** (left id << 32 | right id) to (rank << 32 | merged id). */
    private final Long2LongOpenHashMap merges;
    /** [256] id of each single byte. */
    private final int[] byteIds = new int[256];
    /** Hugging Face's {@code ignore_merges}: a word that is itself in the vocabulary is taken whole. */
    private final boolean ignoreMerges;

    BpeModel(Object2IntOpenHashMap<String> vocab, Long2LongOpenHashMap merges, boolean ignoreMerges, String source) {
        this.vocab = vocab;
        this.merges = merges;
        this.ignoreMerges = ignoreMerges;
        for (int b = 0; b < 256; b++) {
            String s = String.valueOf(ByteLevel.charOf(b));
            if (!vocab.containsKey(s)) {
                throw new TokenizerException(source + ": the BPE vocabulary lacks the byte-level symbol '" + s
                        + "' for byte " + b + "; only byte-level BPE vocabularies are supported");
            }
            byteIds[b] = vocab.getInt(s);
        }
    }

    static long pairKey(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFFFFFFL);
    }

    /** Appends the ids of one pre-token, given as its UTF-8 bytes {@code bytes[0, n)}, to {@code out}. */
    void encodeWord(byte[] bytes, int n, Workspace ws, IntArrayList out) {
        if (n == 1) {
            out.add(byteIds[bytes[0] & 0xFF]);
            return;
        }
        if (ignoreMerges) {
            int whole = vocab.getInt(ByteLevel.encode(java.util.Arrays.copyOf(bytes, n)));
            if (whole >= 0) {
                out.add(whole);
                return;
            }
        }
        ws.ensure(n);
        int[] sym = ws.sym;
        int[] next = ws.next;
        int[] prev = ws.prev;
        for (int k = 0; k < n; k++) {
            sym[k] = byteIds[bytes[k] & 0xFF];
            next[k] = k + 1 < n ? k + 1 : -1;
            prev[k] = k - 1;
        }
        LongHeap heap = ws.heap;
        heap.clear();
        for (int k = 0; k + 1 < n; k++) {
            long m = merges.get(pairKey(sym[k], sym[k + 1]));
            if (m >= 0) {
                heap.push((m & 0xFFFFFFFF00000000L) | k);
            }
        }
        while (!heap.isEmpty()) {
            long top = heap.pop();
            int pos = (int) top;
            int rank = (int) (top >>> 32);
            if (sym[pos] < 0) {
                continue; // merged away into its left neighbour
            }
            int right = next[pos];
            if (right < 0) {
                continue;
            }
            long m = merges.get(pairKey(sym[pos], sym[right]));
            if (m < 0 || (int) (m >>> 32) != rank) {
                continue; // stale: one side changed since this entry was queued
            }
            sym[pos] = (int) m;
            sym[right] = -1;
            int after = next[right];
            next[pos] = after;
            if (after >= 0) {
                prev[after] = pos;
            }
            int before = prev[pos];
            if (before >= 0) {
                long mp = merges.get(pairKey(sym[before], sym[pos]));
                if (mp >= 0) {
                    heap.push((mp & 0xFFFFFFFF00000000L) | before);
                }
            }
            if (after >= 0) {
                long mn = merges.get(pairKey(sym[pos], sym[after]));
                if (mn >= 0) {
                    heap.push((mn & 0xFFFFFFFF00000000L) | pos);
                }
            }
        }
        for (int k = 0; k >= 0; k = next[k]) {
            out.add(sym[k]);
        }
    }

    /** Per-thread scratch arrays for {@link #encodeWord}. */
    static final class Workspace {
        int[] sym = new int[64];
        int[] next = new int[64];
        int[] prev = new int[64];
        final LongHeap heap = new LongHeap();

        void ensure(int n) {
            if (sym.length < n) {
                int c = Math.max(n, sym.length * 2);
                sym = new int[c];
                next = new int[c];
                prev = new int[c];
            }
        }
    }

    /** A min-heap of longs (rank in the high half, position in the low half). */
    static final class LongHeap {
        private long[] a = new long[64];
        private int size;

        void clear() {
            size = 0;
        }

        boolean isEmpty() {
            return size == 0;
        }

        void push(long v) {
            if (size == a.length) {
                a = java.util.Arrays.copyOf(a, size * 2);
            }
            int i = size++;
            while (i > 0) {
                int p = (i - 1) >>> 1;
                if (a[p] <= v) {
                    break;
                }
                a[i] = a[p];
                i = p;
            }
            a[i] = v;
        }

        long pop() {
            long top = a[0];
            long v = a[--size];
            int i = 0;
            int half = size >>> 1;
            while (i < half) {
                int c = 2 * i + 1;
                if (c + 1 < size && a[c + 1] < a[c]) {
                    c++;
                }
                if (v <= a[c]) {
                    break;
                }
                a[i] = a[c];
                i = c;
            }
            a[i] = v;
            return top;
        }
    }
}
