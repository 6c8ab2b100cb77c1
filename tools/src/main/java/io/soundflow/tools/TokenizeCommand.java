package io.soundflow.tools;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.soundflow.tokenizer.Tokenizer;
import io.soundflow.tokenizer.TokenizerException;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code soundflow tokenize}: the Qwen tokenizer on the command line. {@code --jsonl IN} reads one JSON
 * string per line and prints one JSON array of ids per line, in order; {@code --text S} encodes one
 * string; {@code --decode "1,2,3"} prints the text of the ids.
 */
@Command(name = "tokenize", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "Encode text to Qwen token ids (identical to Hugging Face tokenizers), or decode ids to text.")
final class TokenizeCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--tokenizer", required = true, paramLabel = "FILE",
            description = "A tokenizer.json, or a folder holding one (or vocab.json + merges.txt).")
    Path tokenizer;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Input input;

    static final class Input {
        @Option(names = "--jsonl", paramLabel = "IN",
                description = "A file of one JSON string per line ('-' for stdin); prints one JSON array of ids per line.")
        Path jsonl;

        @Option(names = "--text", paramLabel = "S", description = "Encode this string; prints one JSON array of ids.")
        String text;

        @Option(names = "--decode", paramLabel = "IDS", description = "Decode comma-separated ids (\"1,2,3\") and print the text.")
        String decode;
    }

    @Option(names = "--skip-special", description = "With --decode: leave out special tokens such as <|im_end|>.")
    boolean skipSpecial;

    @Mixin
    VerboseOption verboseOption;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        Tokenizer tok = Tokenizer.load(tokenizer);
        PrintWriter out = spec.commandLine().getOut();
        if (input.text != null) {
            out.println(idsJson(tok.encode(input.text)));
        } else if (input.decode != null) {
            out.println(tok.decode(parseIds(input.decode), skipSpecial));
        } else {
            encodeJsonl(tok, out);
        }
        out.flush();
        return 0;
    }

    private void encodeJsonl(Tokenizer tok, PrintWriter out) throws IOException {
        boolean stdin = input.jsonl.toString().equals("-");
        String name = stdin ? "stdin" : input.jsonl.toString();
        try (BufferedReader r = stdin
                ? new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))
                : Files.newBufferedReader(input.jsonl, StandardCharsets.UTF_8)) {
            int lineNo = 0;
            for (String line; (line = r.readLine()) != null; ) {
                lineNo++;
                out.println(idsJson(tok.encode(parseLine(line, name, lineNo))));
            }
        } catch (NoSuchFileException e) {
            throw new TokenizerException(name + ": no such file");
        } catch (java.nio.charset.MalformedInputException e) {
            throw new TokenizerException(name + ": not valid UTF-8");
        }
    }

    private static String parseLine(String line, String name, int lineNo) {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new TokenizerException(name + " line " + lineNo + ": malformed JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isTextual()) {
            throw new TokenizerException(name + " line " + lineNo + ": expected one JSON string, found "
                    + (node == null || node.isMissingNode() ? "an empty line" : node.getNodeType().toString().toLowerCase()));
        }
        return node.textValue();
    }

    static int[] parseIds(String s) {
        String t = s.strip();
        if (t.startsWith("[") && t.endsWith("]")) {
            t = t.substring(1, t.length() - 1).strip();
        }
        if (t.isEmpty()) {
            return new int[0];
        }
        String[] parts = t.split("\\s*,\\s*|\\s+");
        int[] ids = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                ids[i] = Integer.parseInt(parts[i]);
            } catch (NumberFormatException e) {
                throw new TokenizerException("--decode: \"" + parts[i] + "\" is not a token id (expected ids like \"1,2,3\")");
            }
        }
        return ids;
    }

    static String idsJson(int[] ids) {
        StringBuilder sb = new StringBuilder(ids.length * 7 + 2).append('[');
        for (int i = 0; i < ids.length; i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(ids[i]);
        }
        return sb.append(']').toString();
    }
}
