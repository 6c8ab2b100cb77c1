package io.soundflow.tools;

import io.soundflow.bench.forward.ForwardBench;
import io.soundflow.engine.model.LoadOptions;
import io.soundflow.kernels.WeightFormat;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code soundflow bench forward}: decode, prefill and encoder speed at the real 3B shapes with random
 * weights, per weight format, against this machine's measured roofline.
 */
@Command(name = "forward", mixinStandardHelpOptions = true,
        description = "Model speed at the Qwen2.5-Omni-3B shapes (random weights): decode tok/s, prefill, "
                + "encoder ms per 400 ms and 2 s window, as fractions of the measured roofline.")
final class BenchForwardCommand implements Callable<Integer> {
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

    @Mixin
    VerboseOption verboseOption;

    @Override
    public Integer call() {
        List<WeightFormat> fs = new ArrayList<>();
        for (String f : formats) {
            WeightFormat q = f.equalsIgnoreCase("bf16") ? WeightFormat.BF16
                    : f.equalsIgnoreCase("f32") ? WeightFormat.F32 : LoadOptions.parseQuantize(f);
            if (q == null) {
                throw new IllegalArgumentException("--formats: unknown format '" + f + "'");
            }
            fs.add(q);
        }
        if (tokens < 1 || layers < 1 || prefill < 0) {
            throw new IllegalArgumentException("--tokens and --layers must be positive, --prefill >= 0");
        }
        new ForwardBench(new ForwardBench.Settings(fs, tokens, prefill, layers, !noEncoder, repeats,
                readGBs, fmaGflops, profile), System.out).run();
        return 0;
    }
}
