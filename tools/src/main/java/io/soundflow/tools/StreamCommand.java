package io.soundflow.tools;

import io.soundflow.engine.KvDtype;
import io.soundflow.engine.model.LoadOptions;
import io.soundflow.engine.model.SamplingSettings;
import io.soundflow.engine.stream.ContextPolicy;
import io.soundflow.engine.stream.DrainLayout;
import io.soundflow.engine.stream.FrontEndMode;
import io.soundflow.engine.stream.SessionOptions;
import io.soundflow.engine.stream.StreamingEngine;
import io.soundflow.kernels.Backends;
import io.soundflow.tools.stream.StreamRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code soundflow stream}: the perceive-decide-respond loop over a WAV file or the microphone, with a
 * live timeline (or JSON events), a closing summary of the metrics and, optionally, the golden trace.
 */
@Command(name = "stream", mixinStandardHelpOptions = true,
        description = "Stream audio through an Audio-Interaction model: a decision every 400 ms chunk, responses as they are generated.")
final class StreamCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Audio-Interaction checkpoint folder.")
    Path model;

    static final class Input {
        @Option(names = "--wav", paramLabel = "FILE", description = "Audio file (WAV, any rate; resampled to 16 kHz mono).")
        Path wav;
        @Option(names = "--mic", description = "Capture the default input device (Ctrl-C to stop).")
        boolean mic;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Input input;

    @Option(names = "--realtime", description = "Feed the file at real time (as a live source would), dropping what the engine "
            + "cannot take. Default: lockstep, as fast as the decoder goes, at most one chunk queued.")
    boolean realtime;

    @Option(names = "--mode", paramLabel = "ref-exact|windowed|chunk-local", defaultValue = "windowed",
            description = "Mel front end (default ${DEFAULT-VALUE}; ref-exact = one mel over the whole file, as released, files only).")
    String mode;

    @Option(names = "--layout", paramLabel = "teacher-forced|one-by-one|early-exit",
            description = "How several queued chunks are decoded (default teacher-forced; one-by-one with --mode ref-exact, "
                    + "whose chunks all arrive at the end of input).")
    String layout;

    @Option(names = "--json", description = "One JSON event per line (schema in the README).")
    boolean json;

    @Option(names = "--trace", paramLabel = "OUT.json", description = "Write the golden-format trace (decisions, chunks, fed_tokens, prefix_ids).")
    Path trace;

    @Option(names = "--exact-positions", description = "Exact RoPE positions (default: rounded through float16, as released).")
    boolean exactPositions;

    @Option(names = "--lenient", description = "Treat an unexpected token while listening as <silent> (counted) instead of failing.")
    boolean lenient;

    @Option(names = "--max-positions", paramLabel = "N", defaultValue = "0",
            description = "KV capacity (default: the model's block size). The cache grows to it as the context grows.")
    int maxPositions;

    @Option(names = "--kv-dtype", paramLabel = "f32|f16", defaultValue = "f32",
            description = "KV cache storage: f32 (default) or f16 (half the memory; the logits move by about 1e-4).")
    String kvDtype;

    @Option(names = "--context", paramLabel = "reset|window", defaultValue = "reset",
            description = "At KV capacity: reset (keep the prefix) or window (prefix + recent blocks). Default ${DEFAULT-VALUE}.")
    String context;

    @Option(names = "--window-blocks", paramLabel = "N", defaultValue = "60", description = "Chunks kept by --context window.")
    int windowBlocks;

    @Option(names = "--max-reply", paramLabel = "N", defaultValue = "512", description = "Most tokens in one reply (0 = no cap).")
    int maxReply;

    @Option(names = "--temperature", defaultValue = "0", description = "0 = greedy over the whole vocabulary (default, as released).")
    float temperature;

    @Option(names = "--top-k", defaultValue = "0", description = "With --temperature: keep the k most likely tokens.")
    int topK;

    @Option(names = "--seed", defaultValue = "1337", description = "Sampling seed.")
    long seed;

    @Option(names = "--quantize", paramLabel = "q8_0|q4_0", description = "Convert the weight matrices at load.")
    String quantize;

    @Option(names = "--seconds", defaultValue = "0", description = "With --mic: stop after this many seconds (0 = until Ctrl-C).")
    double seconds;

    @Mixin
    VerboseOption verboseOption;

    @Spec
    CommandSpec spec;

    private java.io.PrintWriter out() {
        return spec.commandLine().getOut();
    }

    @Override
    public Integer call() throws Exception {
        SessionOptions o = options();
        float[] samples = input.wav != null ? CliAudio.read16k(input.wav) : null;
        if (input.mic && o.mode() == FrontEndMode.REF_EXACT) {
            throw new IllegalArgumentException("--mode ref-exact needs the whole input; use windowed or chunk-local with --mic");
        }
        if (!Files.isDirectory(model)) {
            throw new IllegalArgumentException(model + ": no such model folder");
        }
        try (StreamingEngine engine = StreamingEngine.load(model, new LoadOptions(Backends.get(), LoadOptions.parseQuantize(quantize)))) {
            StreamRunner r = new StreamRunner(engine, o, json, trace, out());
            if (!json && samples != null) { // (with --mic the runner prints the device once it is open)
                out().printf("soundflow stream: %s (%.1f s) | model %s | mode %s | layout %s%n", input.wav,
                        samples.length / 16000.0, model.getFileName(), o.mode().cliName(), o.layout().cliName());
            }
            if (samples != null) {
                r.runFile(samples, realtime);
            } else {
                r.runMic(seconds);
            }
        }
        return 0;
    }

    SessionOptions options() {
        SamplingSettings sampling = temperature > 0 ? new SamplingSettings(temperature, topK, 1f, 1f, seed) : SamplingSettings.GREEDY;
        FrontEndMode m = FrontEndMode.parse(mode);
        DrainLayout l = layout != null ? DrainLayout.parse(layout)
                : m == FrontEndMode.REF_EXACT ? DrainLayout.ONE_BY_ONE : DrainLayout.TEACHER_FORCED;
        return SessionOptions.defaults().withMode(m).withLayout(l)
                .withExactPositions(exactPositions).withLenient(lenient)
                .withContext(ContextPolicy.parse(context), maxPositions, windowBlocks)
                .withMaxReplyTokens(maxReply).withSampling(sampling).withKvDtype(KvDtype.parse(kvDtype));
    }
}
