package io.soundflow.tokenizer;

import it.unimi.dsi.fastutil.ints.IntArrayList;
import it.unimi.dsi.fastutil.ints.IntSet;
import it.unimi.dsi.fastutil.ints.IntSets;
import it.unimi.dsi.fastutil.objects.Object2IntOpenHashMap;

import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;

/**
 * The Qwen byte-level BPE tokenizer (Qwen2, Qwen2.5, Qwen2.5-Omni, Qwen3), giving the same ids as
 * Hugging Face tokenizers for every input: added tokens are split out of the raw text first, each
 * remaining segment is NFC-normalized (with the reference's Unicode tables, see {@link ReferenceNfc}),
 * split by the Qwen pre-tokenizer, mapped to bytes and merged by BPE rank. Immutable and thread-safe; each thread keeps its own word cache.
 */
public final class Tokenizer {
    /**
     * Ids must lie below 2^24: the id-indexed tables are dense, so one huge id in a hostile file
     * would otherwise cost gigabytes (the largest real vocabularies hold about 260,000 tokens).
     */
    public static final int MAX_TOKEN_ID = 1 << 24;

    private final BpeModel bpe;
    private final List<AddedToken> addedTokens;
    private final AddedTokenMatcher matcher;
    private final Object2IntOpenHashMap<String> addedByContent = new Object2IntOpenHashMap<>();
    /** [vocabSize] the bytes each id decodes to; null for ids that are no token. */
    private final byte[][] tokenBytes;
    /** [vocabSize] whether an id is a special added token. */
    private final boolean[] special;
    private final String source;
    private final ThreadLocal<EncodeState> state = ThreadLocal.withInitial(EncodeState::new);

    Tokenizer(BpeModel bpe, List<AddedToken> addedTokens, String source) {
        this.bpe = bpe;
        this.addedTokens = List.copyOf(addedTokens);
        this.matcher = new AddedTokenMatcher(addedTokens);
        this.source = source;
        addedByContent.defaultReturnValue(-1);
        int size = 0;
        for (var e : bpe.vocab.object2IntEntrySet()) {
            size = Math.max(size, checkedId(e.getKey(), e.getIntValue(), source) + 1);
        }
        for (AddedToken t : addedTokens) {
            size = Math.max(size, checkedId(t.content(), t.id(), source) + 1);
            addedByContent.put(t.content(), t.id());
        }
        String[] tokens = new String[size]; // [vocabSize] the token string of each id
        special = new boolean[size];
        for (var e : bpe.vocab.object2IntEntrySet()) {
            place(tokens, e.getKey(), e.getIntValue(), source);
        }
        for (AddedToken t : addedTokens) {
            place(tokens, t.content(), t.id(), source);
            special[t.id()] = t.special();
        }
        byte[][] bytes = new byte[size][];
        java.util.stream.IntStream.range(0, size).parallel().forEach(id -> {
            if (tokens[id] != null) {
                bytes[id] = ByteLevel.decodeToken(tokens[id]);
            }
        });
        tokenBytes = bytes;
    }

    /** {@code id}, once it is known to lie in {@code [0, MAX_TOKEN_ID)}: the id-indexed tables are dense. */
    private static int checkedId(String token, int id, String source) {
        if (id < 0 || id >= MAX_TOKEN_ID) {
            throw new TokenizerException(source + ": token \"" + token + "\" has id " + id
                    + (id < 0 ? ", not a non-negative integer" : ", above the limit of " + MAX_TOKEN_ID));
        }
        return id;
    }

    /**
     * Records {@code token} as the string of {@code id}. The same token listed twice (in the vocabulary
     * and as an added token) is fine; two different tokens sharing an id are refused.
     */
    private static void place(String[] tokens, String token, int id, String source) {
        String other = tokens[id];
        if (other != null && !other.equals(token)) {
            throw new TokenizerException(source + ": tokens \"" + other + "\" and \"" + token + "\" both have id " + id);
        }
        tokens[id] = token;
    }

    /**
     * Fails naming the token when an id is {@code limit} or more: a model checks at load that every id
     * of its tokenizer has a row in its embedding.
     *
     * @param limit the model's vocabulary size
     * @param model the model (its config file) whose vocabulary {@code limit} is, for the message
     * @throws TokenizerException naming this tokenizer's file, the token, its id and {@code model}
     */
    public void requireIdsBelow(int limit, String model) {
        if (vocabSize() <= limit) {
            return;
        }
        int id = vocabSize() - 1;
        String token = null;
        for (AddedToken t : addedTokens) {
            if (t.id() == id) {
                token = t.content();
            }
        }
        if (token == null) {
            for (var e : bpe.vocab.object2IntEntrySet()) {
                if (e.getIntValue() == id) {
                    token = e.getKey();
                }
            }
        }
        throw new TokenizerException(source + ": token \"" + token + "\" has id " + id + ", but " + model
                + " has a vocabulary of " + limit + " (tokenizer and model do not match)");
    }

    /**
     * Loads a tokenizer from a {@code tokenizer.json}, or from a directory holding either a
     * {@code tokenizer.json} or the older {@code vocab.json} + {@code merges.txt} (+
     * {@code tokenizer_config.json} for the added tokens).
     *
     * @throws TokenizerException naming the file when it is missing, malformed or unsupported
     */
    public static Tokenizer load(Path tokenizerJsonOrDir) {
        return TokenizerLoader.load(tokenizerJsonOrDir);
    }

    /**
     * The ids of {@code text}, as Hugging Face's {@code encode(text).ids} (Qwen adds no BOS/EOS). A lone
     * surrogate (possible in a Java string, never in valid Unicode text) is encoded as U+FFFD.
     */
    public int[] encode(String text) {
        EncodeState st = state.get();
        IntArrayList out = new IntArrayList(text.length() / 3 + 4);
        int segStart = 0;
        int n = text.length();
        for (int i = 0; i < n; ) {
            AddedToken t = matcher.matchAt(text, i);
            if (t == null) {
                i++;
                continue;
            }
            encodeSegment(text, segStart, i, st, out);
            out.add(t.id());
            i += t.content().length();
            segStart = i;
        }
        encodeSegment(text, segStart, n, st, out);
        return out.toIntArray();
    }

    /** Encodes text that holds no added token: NFC, pre-tokenizer, BPE per piece. */
    private void encodeSegment(String text, int from, int to, EncodeState st, IntArrayList out) {
        if (from >= to) {
            return;
        }
        String s = text;
        if (!surelyNfc(text, from, to)) {
            s = ReferenceNfc.normalize(text, from, to);
            from = 0;
            to = s.length();
        }
        for (int i = from; i < to; ) {
            int end = QwenPreTokenizer.matchAt(s, i, to);
            encodePiece(s, i, end, st, out);
            i = end;
        }
    }

    /** Whether the text is certainly NFC already (the common case), so normalizing can be skipped. */
    private static boolean surelyNfc(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c >= 0x300 && !ReferenceNfc.isSafe(c)) {
                return false;
            }
        }
        return true;
    }

    private void encodePiece(String s, int start, int end, EncodeState st, IntArrayList out) {
        int h = WordCache.hash(s, start, end);
        int[] cached = st.cache.get(s, start, end, h);
        if (cached != null) {
            out.addElements(out.size(), cached);
            return;
        }
        int n = st.utf8(s, start, end);
        int mark = out.size();
        bpe.encodeWord(st.bytes, n, st.workspace, out);
        st.cache.put(s, start, end, h, java.util.Arrays.copyOfRange(out.elements(), mark, out.size()));
    }

    /**
     * The text of {@code ids}: the bytes of each token joined and read as UTF-8 (invalid sequences
     * become U+FFFD), as Hugging Face's ByteLevel decoder.
     *
     * @param skipSpecial leave out special added tokens ({@code <|im_start|>} ...)
     * @throws TokenizerException for an id that is no token
     */
    public String decode(int[] ids, boolean skipSpecial) {
        int n = 0;
        for (int id : ids) {
            if (!(skipSpecial && isSpecial(id))) {
                n += bytesOf(id).length;
            }
        }
        byte[] buf = new byte[n];
        n = 0;
        for (int id : ids) {
            if (!(skipSpecial && isSpecial(id))) {
                byte[] b = tokenBytes[id];
                System.arraycopy(b, 0, buf, n, b.length);
                n += b.length;
            }
        }
        return Utf8.decodeLossy(buf, 0, n);
    }

    /** The bytes one id decodes to. */
    byte[] bytesOf(int id) {
        if (id < 0 || id >= tokenBytes.length || tokenBytes[id] == null) {
            throw new TokenizerException("token id " + id + " is not in the vocabulary of " + source
                    + " (valid ids are 0.." + (tokenBytes.length - 1) + ")");
        }
        return tokenBytes[id];
    }

    /** Whether {@code id} is a special added token (skipped by {@code decode(ids, true)}). */
    public boolean isSpecial(int id) {
        return id >= 0 && id < special.length && special[id];
    }

    /** One more than the largest id (vocabulary plus added tokens): 151,665 for Qwen2.5-Omni. */
    public int vocabSize() {
        return tokenBytes.length;
    }

    /**
     * The id of a token given by its content: an added token ({@code "<|im_start|>"}) or a vocabulary
     * entry in its byte-level spelling ({@code "Ġthe"}).
     */
    public OptionalInt tokenId(String token) {
        int id = addedByContent.getInt(token);
        if (id < 0) {
            id = bpe.vocab.getInt(token);
        }
        return id < 0 ? OptionalInt.empty() : OptionalInt.of(id);
    }

    /** Like {@link #tokenId} but fails with a clear message when the token is unknown. */
    public int requireTokenId(String token) {
        return tokenId(token).orElseThrow(() -> new TokenizerException(
                "token '" + token + "' is not in the vocabulary of " + source));
    }

    /** The added tokens, in file order. */
    public List<AddedToken> addedTokens() {
        return addedTokens;
    }

    /** Where this tokenizer was loaded from. */
    public String source() {
        return source;
    }

    /**
     * A detokenizer for one stream of generated ids that returns text only once it forms complete
     * characters; special added tokens and the given control ids are never printed.
     */
    public StreamingDecoder newStreamingDecoder(IntSet controlIds) {
        return new StreamingDecoder(this, controlIds == null ? IntSets.EMPTY_SET : controlIds);
    }

    /** Per-thread scratch: the word cache, the UTF-8 buffer and the BPE workspace. */
    private static final class EncodeState {
        final WordCache cache = new WordCache();
        final BpeModel.Workspace workspace = new BpeModel.Workspace();
        byte[] bytes = new byte[256];

        /** Writes the UTF-8 bytes of {@code s[start, end)} to {@link #bytes} (lone surrogates as U+FFFD). */
        int utf8(String s, int start, int end) {
            int need = (end - start) * 3;
            if (bytes.length < need) {
                bytes = new byte[Math.max(need, bytes.length * 2)];
            }
            byte[] b = bytes;
            int n = 0;
            for (int i = start; i < end; i++) {
                char c = s.charAt(i);
                if (c < 0x80) {
                    b[n++] = (byte) c;
                } else if (c < 0x800) {
                    b[n++] = (byte) (0xC0 | (c >> 6));
                    b[n++] = (byte) (0x80 | (c & 0x3F));
                } else if (Character.isHighSurrogate(c) && i + 1 < end && Character.isLowSurrogate(s.charAt(i + 1))) {
                    int cp = Character.toCodePoint(c, s.charAt(++i));
                    b[n++] = (byte) (0xF0 | (cp >> 18));
                    b[n++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                    b[n++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                    b[n++] = (byte) (0x80 | (cp & 0x3F));
                } else {
                    if (Character.isSurrogate(c)) {
                        c = '\uFFFD';
                    }
                    b[n++] = (byte) (0xE0 | (c >> 12));
                    b[n++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                    b[n++] = (byte) (0x80 | (c & 0x3F));
                }
            }
            return n;
        }
    }
}
