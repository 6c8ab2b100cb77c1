package io.soundflow.tokenizer;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import it.unimi.dsi.fastutil.longs.Long2LongOpenHashMap;
import it.unimi.dsi.fastutil.objects.Object2IntOpenHashMap;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Reads the two on-disk forms of a Qwen tokenizer: Hugging Face's {@code tokenizer.json} (streamed
 * with Jackson, since its vocabulary and merges are large) and the older {@code vocab.json} +
 * {@code merges.txt} + {@code tokenizer_config.json}. Anything it cannot reproduce exactly (another
 * model type, normalizer or pre-tokenizer) is refused with an error naming the file.
 */
final class TokenizerLoader {
    /**
     * Field-name interning off: the vocabulary is one object with 150,000 distinct keys, and
     * {@code String.intern} of each costs several times the whole parse. (Canonicalization stays on:
     * without it Jackson falls back to its slower Reader-based parser.)
     */
    private static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
            .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
            .build());

    private TokenizerLoader() {
    }

    static Tokenizer load(Path path) {
        if (path == null) {
            throw new TokenizerException("no tokenizer path given");
        }
        if (Files.isDirectory(path)) {
            Path json = path.resolve("tokenizer.json");
            if (Files.isRegularFile(json)) {
                return loadTokenizerJson(json);
            }
            Path vocab = path.resolve("vocab.json");
            Path merges = path.resolve("merges.txt");
            if (Files.isRegularFile(vocab) && Files.isRegularFile(merges)) {
                return loadVocabMerges(vocab, merges, path.resolve("tokenizer_config.json"));
            }
            throw new TokenizerException(path + ": no tokenizer.json, nor vocab.json + merges.txt, in this directory");
        }
        if (!Files.exists(path)) {
            throw new TokenizerException(path + ": no such tokenizer file");
        }
        return loadTokenizerJson(path);
    }

    // ---------------------------------------------------------------- tokenizer.json

    static Tokenizer loadTokenizerJson(Path file) {
        Object2IntOpenHashMap<String> vocab = null;
        List<String[]> merges = null;
        JsonNode added = null;
        JsonNode normalizer = null;
        JsonNode preTokenizer = null;
        JsonNode decoder = null;
        String modelType = null;
        boolean ignoreMerges = false;
        boolean sawModel = false;
        try (JsonParser p = JSON.getFactory().createParser(file.toFile())) {
            expect(p, p.nextToken(), JsonToken.START_OBJECT, file, "the top level");
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken v = p.nextToken();
                switch (field) {
                    case "added_tokens" -> added = p.readValueAsTree();
                    case "normalizer" -> normalizer = p.readValueAsTree();
                    case "pre_tokenizer" -> preTokenizer = p.readValueAsTree();
                    case "decoder" -> decoder = p.readValueAsTree();
                    case "model" -> {
                        sawModel = true;
                        expect(p, v, JsonToken.START_OBJECT, file, "\"model\"");
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String mf = p.currentName();
                            JsonToken mv = p.nextToken();
                            switch (mf) {
                                case "type" -> modelType = p.getValueAsString();
                                case "vocab" -> vocab = readVocab(p, mv, file);
                                case "merges" -> merges = readMerges(p, mv, file);
                                case "ignore_merges" -> ignoreMerges = mv == JsonToken.VALUE_TRUE;
                                case "dropout" -> {
                                    if (mv != JsonToken.VALUE_NULL && p.getValueAsDouble() != 0.0) {
                                        throw unsupported(file, "BPE dropout " + p.getText());
                                    }
                                }
                                case "continuing_subword_prefix", "end_of_word_suffix" -> {
                                    if (mv != JsonToken.VALUE_NULL && !p.getText().isEmpty()) {
                                        throw unsupported(file, "BPE " + mf + " \"" + p.getText() + "\"");
                                    }
                                }
                                case "byte_fallback" -> {
                                    if (mv == JsonToken.VALUE_TRUE) {
                                        throw unsupported(file, "BPE byte_fallback");
                                    }
                                }
                                default -> p.skipChildren();
                            }
                        }
                    }
                    default -> p.skipChildren();
                }
            }
        } catch (NoSuchFileException e) {
            throw new TokenizerException(file + ": no such tokenizer file", e);
        } catch (JsonProcessingException e) {
            throw malformed(file, e);
        } catch (IOException e) {
            throw new TokenizerException(file + ": cannot read: " + e, e);
        }
        if (!sawModel) {
            throw new TokenizerException(file + ": no \"model\" section; is this a Hugging Face tokenizer.json?");
        }
        if (!"BPE".equals(modelType)) {
            throw unsupported(file, "model type " + (modelType == null ? "(none)" : "\"" + modelType + "\"")
                    + "; only byte-level \"BPE\" is supported");
        }
        if (vocab == null || merges == null) {
            throw new TokenizerException(file + ": the BPE model lacks its " + (vocab == null ? "\"vocab\"" : "\"merges\""));
        }
        checkNormalizer(normalizer, file);
        checkPreTokenizer(preTokenizer, file);
        checkDecoder(decoder, file);
        List<AddedToken> addedTokens = readAddedTokens(added, file);
        return build(vocab, merges, ignoreMerges, addedTokens, file.toString());
    }

    private static Object2IntOpenHashMap<String> readVocab(JsonParser p, JsonToken t, Path file) throws IOException {
        expect(p, t, JsonToken.START_OBJECT, file, "\"model.vocab\"");
        Object2IntOpenHashMap<String> vocab = new Object2IntOpenHashMap<>(200_000);
        vocab.defaultReturnValue(-1);
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String token = p.currentName();
            JsonToken v = p.nextToken();
            if (v != JsonToken.VALUE_NUMBER_INT || p.getText().startsWith("-")) {
                throw new TokenizerException(file + ": vocab entry \"" + token + "\" has id " + p.getText()
                        + ", not a non-negative integer (line " + p.currentLocation().getLineNr() + ")");
            }
            if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER || p.getLongValue() >= Tokenizer.MAX_TOKEN_ID) {
                throw new TokenizerException(file + ": token \"" + token + "\" has id " + p.getText()
                        + ", above the limit of " + Tokenizer.MAX_TOKEN_ID + " (line " + p.currentLocation().getLineNr() + ")");
            }
            vocab.put(token, p.getIntValue());
        }
        return vocab;
    }

    private static List<String[]> readMerges(JsonParser p, JsonToken t, Path file) throws IOException {
        expect(p, t, JsonToken.START_ARRAY, file, "\"model.merges\"");
        List<String[]> merges = new ArrayList<>(200_000);
        JsonToken e;
        while ((e = p.nextToken()) != JsonToken.END_ARRAY) {
            if (e == JsonToken.VALUE_STRING) { // older form "a b"
                merges.add(splitMerge(p.getText(), file, merges.size()));
            } else if (e == JsonToken.START_ARRAY) { // newer form ["a", "b"]
                String a = p.nextToken() == JsonToken.VALUE_STRING ? p.getText() : null;
                String b = p.nextToken() == JsonToken.VALUE_STRING ? p.getText() : null;
                if (a == null || b == null || p.nextToken() != JsonToken.END_ARRAY) {
                    throw new TokenizerException(file + ": merge #" + merges.size()
                            + " is not a pair of strings (line " + p.currentLocation().getLineNr() + ")");
                }
                merges.add(new String[] {a, b});
            } else {
                throw new TokenizerException(file + ": merge #" + merges.size() + " is " + e
                        + ", expected \"a b\" or [\"a\", \"b\"] (line " + p.currentLocation().getLineNr() + ")");
            }
        }
        return merges;
    }

    private static String[] splitMerge(String line, Path file, int index) {
        int sp = line.indexOf(' ');
        if (sp <= 0 || sp == line.length() - 1 || line.indexOf(' ', sp + 1) >= 0) {
            throw new TokenizerException(file + ": merge #" + index + " \"" + line + "\" is not two symbols separated by one space");
        }
        return new String[] {line.substring(0, sp), line.substring(sp + 1)};
    }

    private static void checkNormalizer(JsonNode n, Path file) {
        if (n == null || n.isNull() || isType(n, "NFC")) {
            return;
        }
        if (isType(n, "Sequence") && n.path("normalizers").isArray()) {
            for (JsonNode c : n.path("normalizers")) {
                if (!isType(c, "NFC")) {
                    throw unsupported(file, "normalizer " + c.path("type").asText("?") + " in the normalizer Sequence; only NFC is supported");
                }
            }
            return;
        }
        throw unsupported(file, "normalizer " + n.path("type").asText("?") + "; only NFC is supported");
    }

    private static void checkPreTokenizer(JsonNode n, Path file) {
        String expected = "Sequence [Split(Qwen pattern, Isolated), ByteLevel(add_prefix_space=false, use_regex=false)]";
        if (n == null || n.isNull()) {
            throw unsupported(file, "no pre_tokenizer; expected " + expected);
        }
        if (!isType(n, "Sequence")) {
            throw unsupported(file, "pre_tokenizer " + n.path("type").asText("?") + "; expected " + expected);
        }
        JsonNode list = n.path("pretokenizers");
        if (list.size() != 2 || !isType(list.get(0), "Split") || !isType(list.get(1), "ByteLevel")) {
            List<String> types = new ArrayList<>();
            list.forEach(c -> types.add(c.path("type").asText("?")));
            throw unsupported(file, "pre_tokenizer Sequence " + types + "; expected " + expected);
        }
        JsonNode split = list.get(0);
        String pattern = split.path("pattern").path("Regex").asText(null);
        if (!QwenPreTokenizer.PATTERN.equals(pattern)) {
            throw unsupported(file, "pre-tokenizer Split pattern " + split.path("pattern")
                    + "; only the Qwen pattern " + QwenPreTokenizer.PATTERN + " is supported");
        }
        if (!"Isolated".equals(split.path("behavior").asText()) || split.path("invert").asBoolean(false)) {
            throw unsupported(file, "pre-tokenizer Split behavior " + split.path("behavior").asText()
                    + " invert=" + split.path("invert").asBoolean(false) + "; expected Isolated, invert=false");
        }
        JsonNode bl = list.get(1);
        if (bl.path("add_prefix_space").asBoolean(false) || bl.path("use_regex").asBoolean(true)) {
            throw unsupported(file, "ByteLevel pre-tokenizer with add_prefix_space="
                    + bl.path("add_prefix_space").asBoolean(false) + ", use_regex=" + bl.path("use_regex").asBoolean(true)
                    + "; expected both false");
        }
    }

    private static void checkDecoder(JsonNode n, Path file) {
        if (n == null || n.isNull() || !isType(n, "ByteLevel")) {
            throw unsupported(file, "decoder " + (n == null || n.isNull() ? "(none)" : n.path("type").asText("?"))
                    + "; only ByteLevel is supported");
        }
    }

    private static List<AddedToken> readAddedTokens(JsonNode added, Path file) {
        List<AddedToken> out = new ArrayList<>();
        if (added == null || added.isNull()) {
            return out;
        }
        if (!added.isArray()) {
            throw new TokenizerException(file + ": \"added_tokens\" is not an array");
        }
        for (JsonNode t : added) {
            out.add(addedToken(t, t.path("id"), file));
        }
        return out;
    }

    private static AddedToken addedToken(JsonNode t, JsonNode idNode, Path file) {
        String content = t.path("content").asText(null);
        if (content != null && idNode.isIntegralNumber() && idNode.bigIntegerValue().signum() >= 0
                && (!idNode.canConvertToInt() || idNode.asInt() >= Tokenizer.MAX_TOKEN_ID)) {
            throw new TokenizerException(file + ": added token \"" + content + "\" has id " + idNode
                    + ", above the limit of " + Tokenizer.MAX_TOKEN_ID);
        }
        if (content == null || content.isEmpty() || !idNode.isIntegralNumber() || !idNode.canConvertToInt()
                || idNode.asInt() < 0) {
            throw new TokenizerException(file + ": added token " + abbreviated(t) + " lacks a content or a valid id");
        }
        for (String flag : List.of("lstrip", "rstrip", "single_word")) {
            if (t.path(flag).asBoolean(false)) {
                throw unsupported(file, "added token \"" + content + "\" with " + flag + "=true");
            }
        }
        if (t.path("normalized").asBoolean(false)) {
            throw unsupported(file, "added token \"" + content + "\" with normalized=true (only raw-text matching is supported)");
        }
        return new AddedToken(idNode.asInt(), content, t.path("special").asBoolean(false));
    }

    // ---------------------------------------------------------------- vocab.json + merges.txt

    static Tokenizer loadVocabMerges(Path vocabFile, Path mergesFile, Path configFile) {
        Object2IntOpenHashMap<String> vocab;
        try (JsonParser p = JSON.getFactory().createParser(vocabFile.toFile())) {
            vocab = readVocab(p, p.nextToken(), vocabFile);
        } catch (JsonProcessingException e) {
            throw malformed(vocabFile, e);
        } catch (IOException e) {
            throw new TokenizerException(vocabFile + ": cannot read: " + e, e);
        }
        List<String[]> merges = new ArrayList<>(200_000);
        try (BufferedReader r = Files.newBufferedReader(mergesFile, StandardCharsets.UTF_8)) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.isEmpty() || (merges.isEmpty() && line.startsWith("#version"))) {
                    continue;
                }
                merges.add(splitMerge(line, mergesFile, merges.size()));
            }
        } catch (IOException e) {
            throw new TokenizerException(mergesFile + ": cannot read: " + e, e);
        }
        List<AddedToken> added = new ArrayList<>();
        if (Files.isRegularFile(configFile)) {
            JsonNode config;
            try {
                config = JSON.readTree(configFile.toFile());
            } catch (JsonProcessingException e) {
                throw malformed(configFile, e);
            } catch (IOException e) {
                throw new TokenizerException(configFile + ": cannot read: " + e, e);
            }
            String cls = config.path("tokenizer_class").asText("");
            if (!cls.isEmpty() && !cls.startsWith("Qwen2Tokenizer")) {
                throw unsupported(configFile, "tokenizer_class \"" + cls + "\"; only Qwen2Tokenizer is supported");
            }
            JsonNode dec = config.path("added_tokens_decoder");
            for (Iterator<Map.Entry<String, JsonNode>> it = dec.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                JsonNode id;
                try {
                    id = JSON.getNodeFactory().numberNode(Integer.parseInt(e.getKey()));
                } catch (NumberFormatException ex) {
                    throw new TokenizerException(configFile + ": added_tokens_decoder key \"" + e.getKey() + "\" is not an id");
                }
                added.add(addedToken(e.getValue(), id, configFile));
            }
        }
        return build(vocab, merges, false, added, vocabFile.getParent().toString());
    }

    // ---------------------------------------------------------------- common

    private static Tokenizer build(Object2IntOpenHashMap<String> vocab, List<String[]> merges, boolean ignoreMerges,
                                   List<AddedToken> added, String source) {
        // resolving 150,000 merges to ids is three hash lookups each: done in parallel, then inserted in order
        int n = merges.size();
        long[] keys = new long[n];
        long[] values = new long[n];
        java.util.stream.IntStream.range(0, n).parallel().forEach(rank -> {
            String[] m = merges.get(rank);
            int a = vocab.getInt(m[0]);
            int b = vocab.getInt(m[1]);
            int merged = vocab.getInt(m[0] + m[1]);
            keys[rank] = BpeModel.pairKey(a, b);
            values[rank] = a < 0 || b < 0 || merged < 0 ? -1 : ((long) rank << 32) | merged;
        });
        Long2LongOpenHashMap table = new Long2LongOpenHashMap(n);
        table.defaultReturnValue(-1);
        for (int rank = 0; rank < n; rank++) {
            if (values[rank] < 0) {
                String[] m = merges.get(rank);
                String missing = !vocab.containsKey(m[0]) ? m[0] : !vocab.containsKey(m[1]) ? m[1] : m[0] + m[1];
                throw new TokenizerException(source + ": merge #" + rank + " (\"" + m[0] + "\", \"" + m[1]
                        + "\") uses \"" + missing + "\", which is not in the vocabulary");
            }
            table.put(keys[rank], values[rank]); // as Hugging Face: a repeated pair keeps its last rank
        }
        return new Tokenizer(new BpeModel(vocab, table, ignoreMerges, source), added, source);
    }

    private static boolean isType(JsonNode n, String type) {
        return n != null && type.equals(n.path("type").asText(null));
    }

    private static void expect(JsonParser p, JsonToken got, JsonToken want, Path file, String where) {
        if (got != want) {
            throw new TokenizerException(file + ": " + where + " is " + (got == null ? "missing (file ends)" : got)
                    + ", expected " + want + " (line " + p.currentLocation().getLineNr() + ")");
        }
    }

    /**
     * One line for a Jackson parse error: its own message without Jackson's internals (the redacted
     * source, the constraint's accessor name), with the line and column where Jackson knows them.
     */
    static TokenizerException malformed(Path file, JsonProcessingException e) {
        String m = e.getOriginalMessage() == null ? e.toString() : e.getOriginalMessage();
        if (e instanceof StreamConstraintsException && m.contains("nesting depth")) {
            m = "JSON nested deeper than " + JSON.getFactory().streamReadConstraints().getMaxNestingDepth() + " levels";
        } else {
            int nl = m.indexOf('\n');
            m = "malformed JSON: " + (nl < 0 ? m : m.substring(0, nl)).replaceAll(",? from `[^`]*`", "")
                    .replaceAll("\\[Source: [^]]*?; line: (\\d+), column: (\\d+)]", "line $1, column $2") // a nested location
                    .replaceAll(" ?\\[Source: [^]]*]", "");
        }
        JsonLocation at = e.getLocation();
        if (at != null && at.getLineNr() > 0) {
            m += " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
        }
        return new TokenizerException(file + ": " + m, e);
    }

    /** A JSON value as text, cut to 200 characters for a message. */
    private static String abbreviated(JsonNode n) {
        String s = n.toString();
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }

    private static TokenizerException unsupported(Path file, String what) {
        return new TokenizerException(file + ": unsupported " + what);
    }
}
