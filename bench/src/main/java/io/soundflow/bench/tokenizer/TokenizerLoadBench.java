package io.soundflow.bench.tokenizer;

import io.soundflow.tokenizer.Tokenizer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Time to load a tokenizer.json: {@code cold} is the first load in a fresh JVM (what a command-line
 * run pays; one shot per fork), {@code warm} the steady state. Run from the repository root:
 * <pre>java -jar bench/target/soundflow-benchmarks.jar TokenizerLoadBench</pre>
 */
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
public class TokenizerLoadBench {

    @Param({"../shared/fixtures/tokenizers/qwen2.5-omni-tokenizer.json", "../shared/fixtures/tokenizers/qwen3-tokenizer.json"})
    public String tokenizer;

    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @Warmup(iterations = 0)
    @Measurement(iterations = 1)
    @Fork(value = 5, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
    public Tokenizer cold() {
        return Tokenizer.load(Path.of(tokenizer));
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @Warmup(iterations = 3, time = 2)
    @Measurement(iterations = 5, time = 2)
    @Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
    public Tokenizer warm() {
        return Tokenizer.load(Path.of(tokenizer));
    }
}
