package io.soundflow.tools;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.soundflow.bench.forward.ForwardBench;
import io.soundflow.engine.model.LoadOptions;
import io.soundflow.kernels.WeightFormat;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code soundflow bench forward}: decode, prefill and encoder speed at the real 3B shapes with random
 * weights, per weight format, against this machine's measured roofline.
 */
@Command(name = "forward", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "Model speed at the Qwen2.5-Omni-3B shapes (random weights): decode tok/s, prefill, "
                + "encoder ms per 400 ms and 2 s window, as fractions of the measured roofline.")
final class BenchForwardCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--formats", defaultValue = "bf16,q8_0", split = ",",
            description = "Weight formats (bf16, f32, q8_0, q4_0; default ${DEFAULT-VALUE}).")
    List<String> formats;

    @Option(names = "--tokens", defaultValue = "4", description = "Decode tokens timed (default ${DEFAULT-VALUE}).")
    int tokens;

    @Option(names = "--prefill", defaultValue = "13",
            description = "Prefill block length in tokens, 0 to skip (default ${DEFAULT-VALUE}: one listening block).")
    int prefill;

    @Option(names = "--layers", defaultValue = "36", description = "Decoder layers (default ${DEFAULT-VALUE}, the 3B).")
    int layers;

    @Option(names = "--no-encoder", description = "Skip the audio tower.")
    boolean noEncoder;

    @Option(names = "--repeats", defaultValue = "2", description = "Timed repeats (best kept) for prefill and encoder.")
    int repeats;

    @Option(names = "--read-gbs", defaultValue = "0",
            description = "Use this read bandwidth (GB/s) for the roofline instead of the measured one (a shared host).")
    double readGBs;

    @Option(names = "--fma-gflops", defaultValue = "0",
            description = "Use this FMA peak (GFLOP/s) for the roofline instead of the measured one.")
    double fmaGflops;

    @Option(names = "--profile", description = "Also print the time spent in each kernel operation.")
    boolean profile;

    @Option(names = "--json", description = "One JSON object per measured row on stdout (format, what, ms, rate, unit, "
            + "roofline_fraction, read_gbs, fma_gflops, threads, vector_bits); the progress text goes to stderr.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Mixin
    VerboseOption verboseOption;

    @Mixin
    KernelsOption kernelsOption;

    @Override
    public Integer call() throws JsonProcessingException {
        List<WeightFormat> fs = new ArrayList<>();
        for (String f : formats) {
            WeightFormat q = LoadOptions.parseFormat(f);
            if (q == null) {
                throw new IllegalArgumentException("--formats: unknown format '" + f + "'");
            }
            fs.add(q);
        }
        if (tokens < 1 || layers < 1 || prefill < 0) {
            throw new IllegalArgumentException("--tokens and --layers must be positive, --prefill >= 0");
        }
        ForwardBench.Result r = new ForwardBench(new ForwardBench.Settings(fs, tokens, prefill, layers, !noEncoder, repeats,
                readGBs, fmaGflops, profile), json ? System.err : System.out).run();
        if (json) {
            PrintWriter out = spec.commandLine().getOut();
            for (ForwardBench.Row row : r.rows()) {
                out.println(JSON.writeValueAsString(row.toJson(r.ceilings())));
            }
            out.flush();
        }
        return 0;
    }
}
