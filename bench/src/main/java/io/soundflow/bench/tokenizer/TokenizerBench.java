package io.soundflow.bench.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.soundflow.tokenizer.Tokenizer;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Encode throughput of our tokenizer beside Hugging Face tokenizers (Rust, through DJL's JNI binding,
 * which also copies tokens, offsets and masks back per call) on the same documents, one thread each.
 * One operation encodes every document of the corpus once; the {@code utf8Bytes} counter is the
 * throughput in UTF-8 bytes per second (divide by 1e6 for MB/s). Both tokenizers keep a word cache, so
 * this is the steady state of a long-running process.
 * <p>Corpora: {@code mixed} = the differential-test corpus (78 documents: many scripts, code, emoji,
 * white space, special tokens); {@code english} = the research notes in ../shared/research split into
 * paragraphs (technical English with tables and code). Run from the repository root:
 * <pre>java -jar bench/target/soundflow-benchmarks.jar TokenizerBench</pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(java.util.concurrent.TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@Threads(1)
@State(Scope.Benchmark)
public class TokenizerBench {

    @Param({"mixed", "english"})
    public String corpus;

    /** The tokenizer.json both read; relative to the working directory (the repository root). */
    @Param({"../shared/fixtures/tokenizers/qwen2.5-omni-tokenizer.json"})
    public String tokenizer;

    private List<String> docs;
    private long corpusBytes;
    private Tokenizer ours;
    private HuggingFaceTokenizer hf;

    /** Per-thread counters reported by JMH as rates. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Bytes {
        public long utf8Bytes;

        @Setup(Level.Iteration)
        public void reset() {
            utf8Bytes = 0;
        }
    }

    @Setup
    public void setup() throws IOException {
        docs = switch (corpus) {
            case "mixed" -> mixed(Path.of("tokenizer/src/test/resources/io/soundflow/tokenizer/corpus.jsonl"));
            case "english" -> english(Path.of(tokenizer).toAbsolutePath().getParent().getParent().getParent().resolve("research"));
            default -> throw new IllegalArgumentException("unknown corpus " + corpus + " (mixed, english)");
        };
        corpusBytes = docs.stream().mapToLong(d -> d.getBytes(StandardCharsets.UTF_8).length).sum();
        ours = Tokenizer.load(Path.of(tokenizer));
        hf = HuggingFaceTokenizer.newInstance(Path.of(tokenizer), Map.of("truncation", "false", "padding", "false"));
        for (String d : docs) { // the two must agree, or the comparison means nothing
            long[] theirs = hf.encode(d).getIds();
            int[] mine = ours.encode(d);
            if (theirs.length != mine.length) {
                throw new IllegalStateException("tokenizers disagree on a document of corpus " + corpus);
            }
        }
        System.err.printf("corpus %s: %d documents, %d UTF-8 bytes%n", corpus, docs.size(), corpusBytes);
    }

    @TearDown
    public void tearDown() {
        hf.close();
    }

    @Benchmark
    public void soundflow(Bytes counter, Blackhole bh) {
        for (String d : docs) {
            bh.consume(ours.encode(d));
        }
        counter.utf8Bytes += corpusBytes;
    }

    @Benchmark
    public void huggingFace(Bytes counter, Blackhole bh) {
        for (String d : docs) {
            bh.consume(hf.encode(d).getIds());
        }
        counter.utf8Bytes += corpusBytes;
    }

    private static List<String> mixed(Path jsonl) throws IOException {
        if (!Files.isRegularFile(jsonl)) {
            throw new IOException(jsonl.toAbsolutePath() + " not found: run the benchmark from the repository root");
        }
        ObjectMapper json = new ObjectMapper();
        List<String> docs = new ArrayList<>();
        for (String line : Files.readAllLines(jsonl, StandardCharsets.UTF_8)) {
            docs.add(json.readValue(line, String.class));
        }
        return docs;
    }

    private static List<String> english(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException(dir + " not found: the english corpus is shared/research beside the repository");
        }
        List<String> docs = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.filter(f -> f.toString().endsWith(".md")).sorted().toList()) {
                for (String para : Files.readString(p).split("\n\n")) {
                    if (!para.isBlank()) {
                        docs.add(para + "\n\n");
                    }
                }
            }
        }
        return docs;
    }
}
