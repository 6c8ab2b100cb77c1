package io.soundflow.tools;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.soundflow.bench.stream.StreamBench;
import io.soundflow.engine.model.LoadOptions;
import io.soundflow.engine.stream.StreamingEngine;
import io.soundflow.kernels.WeightFormat;
import io.soundflow.tools.demo.Demo;
import io.soundflow.tools.demo.DemoAssets;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code soundflow bench stream}: the streaming runtime on a tiny model end to end (at real time) and on
 * random weights at the 3B shapes component by component, beside the paper's 392 ms FCL and the
 * machine's compute roofline for a chunk.
 */
@Command(name = "stream", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "Streaming speed: encoder ms/chunk, decision latency, FCL, real-time factor (tiny model end to end; 3B shapes with random weights).")
final class BenchStreamCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--tiny", paramLabel = "DIR",
            description = "Tiny Audio-Interaction checkpoint (default: ../shared/golden/ai-tiny/model when present, else the demo model).")
    Path tiny;

    @Option(names = "--wav", paramLabel = "FILE", description = "Clip for the tiny model (default: its clip-8s.wav, or the demo clip).")
    Path wav;

    @Option(names = "--seconds", defaultValue = "16", description = "Seconds of audio streamed through the tiny model (default ${DEFAULT-VALUE}).")
    double seconds;

    @Option(names = "--no-3b", description = "Skip the 3B-shape part.")
    boolean no3b;

    @Option(names = "--format", defaultValue = "bf16", description = "3B weight format: bf16, q8_0 or q4_0 (default ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--layers", defaultValue = "36", description = "3B decoder layers (default ${DEFAULT-VALUE}).")
    int layers;

    @Option(names = "--reply-tokens", defaultValue = "16", description = "Reply length behind the FCL backlog (default ${DEFAULT-VALUE}).")
    int replyTokens;

    @Option(names = "--fma-gflops", defaultValue = "0", description = "Use this FMA peak for the roofline instead of measuring it.")
    double fmaGflops;

    @Option(names = "--json", description = "One JSON summary per model part on stdout (model, rtf, encoder_ms_per_chunk, "
            + "listen_ms, decode_ms, fcl_ms, first_decision_ms or first_chunk_cold_ms, fma_gflops; schema in the README); "
            + "the progress text goes to stderr.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Mixin
    VerboseOption verboseOption;

    @Mixin
    KernelsOption kernelsOption;

    @Override
    public Integer call() throws Exception {
        WeightFormat f = LoadOptions.parseFormat(format);
        if (f == null) {
            throw new IllegalArgumentException("--format: unknown format '" + format + "'");
        }
        StreamBench bench = new StreamBench(new StreamBench.Settings(seconds, !no3b, f, layers, replyTokens, fmaGflops),
                json ? System.err : System.out);
        StreamBench.Result result;
        Path golden = tiny != null ? tiny : Path.of(System.getProperty("soundflow.shared", "../shared"), "golden/ai-tiny/model");
        if (Files.isDirectory(golden)) {
            Path clip = wav != null ? wav : golden.resolveSibling("clip-8s.wav");
            try (StreamingEngine e = StreamingEngine.load(golden, LoadOptions.defaults())) {
                result = bench.run(e, "ai-tiny", CliAudio.read16k(clip));
            }
        } else {
            Demo demo = Demo.load(DemoAssets.defaultDir());
            try (StreamingEngine e = demo.engine()) {
                result = bench.run(e, "demo (tiny)", wav != null ? CliAudio.read16k(wav) : demo.clip());
            }
        }
        if (json) {
            PrintWriter out = spec.commandLine().getOut();
            for (var summary : result.summaries()) {
                out.println(JSON.writeValueAsString(summary));
            }
            out.flush();
        }
        return 0;
    }
}
