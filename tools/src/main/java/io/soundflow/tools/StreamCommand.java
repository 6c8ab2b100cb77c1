package io.soundflow.tools;

import io.soundflow.engine.KvDtype;
import io.soundflow.engine.audio.WavStream;
import io.soundflow.engine.model.LoadOptions;
import io.soundflow.engine.model.SamplingSettings;
import io.soundflow.engine.stream.ContextPolicy;
import io.soundflow.engine.stream.DrainLayout;
import io.soundflow.engine.stream.FrontEndMode;
import io.soundflow.engine.stream.SessionOptions;
import io.soundflow.engine.stream.StreamingEngine;
import io.soundflow.kernels.Backends;
import io.soundflow.tools.audio.MicCapture;
import io.soundflow.tools.stream.StreamRunner;
import io.soundflow.tools.stream.TraceOutput;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
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
@Command(name = "stream", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "Stream audio through an Audio-Interaction model: a decision every 400 ms chunk, responses as they are generated.")
final class StreamCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Audio-Interaction checkpoint folder.")
    Path model;

    static final class Input {
        @Option(names = "--wav", paramLabel = "FILE", description = "Audio file, FIFO or - for standard input (WAV, 4 to 384 kHz; resampled to 16 kHz mono, read in blocks).")
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

    @Option(names = "--decision-bias", paramLabel = "LOGITS", defaultValue = "0",
            description = "Logit offset for <response> against <silent> at every decision (default 0 = the released loop; "
                    + "above 0 responds more often, below 0 less).")
    float decisionBias;

    @Option(names = "--quantize", paramLabel = "q8_0|q4_0", description = "Convert the weight matrices at load.")
    String quantize;

    @Option(names = "--seconds", defaultValue = "0", description = "With --mic: stop after this many seconds (0 = until Ctrl-C).")
    double seconds;

    @Option(names = "--raw-rate", paramLabel = "HZ",
            description = "With --wav: the input is raw 16-bit little-endian mono PCM at HZ (e.g. arecord -t raw or "
                    + "ffmpeg -f s16le), not a WAV; resampled to 16 kHz.")
    Integer rawRate;

    @Option(names = "--mic-device", paramLabel = "NAME",
            description = "With --mic: the capture device whose name is NAME, or the only one whose name contains it "
                    + "(./soundflow devices lists them). Default: the system's default input.")
    String micDevice;

    @Mixin
    VerboseOption verboseOption;

    @Mixin
    KernelsOption kernelsOption;

    @Spec
    CommandSpec spec;

    private java.io.PrintWriter out() {
        return spec.commandLine().getOut();
    }

    @Override
    public Integer call() throws Exception {
        SessionOptions o = options();
        if (micDevice != null && !input.mic) {
            throw new IllegalArgumentException("--mic-device needs --mic");
        }
        if (input.mic && o.mode() == FrontEndMode.REF_EXACT) {
            throw new IllegalArgumentException("--mode ref-exact needs the whole input; use windowed or chunk-local with --mic");
        }
        if (rawRate != null && input.wav == null) {
            throw new IllegalArgumentException("--raw-rate needs --wav (a file, a FIFO or - for standard input)");
        }
        try (WavStream wav = input.wav == null ? null
                : rawRate != null ? CliAudio.openRaw16k(input.wav, rawRate) : CliAudio.open16k(input.wav)) {
            // ref-exact keeps the whole input: its limits are checked from the header, before the model loads
            float[] whole = wav != null && o.mode() == FrontEndMode.REF_EXACT ? readForRefExact(wav, o.refExactMaxSeconds()) : null;
            if (!Files.isDirectory(model)) {
                throw new IllegalArgumentException(model + ": no such model folder");
            }
            try (TraceOutput traceOut = trace == null ? null : TraceOutput.open(trace); // fails now, not after the stream
                 StreamingEngine engine = load()) {
                StreamRunner r = new StreamRunner(engine, o, json, traceOut, out());
                if (!json && wav != null) { // (with --mic the runner prints the device once it is open)
                    double seconds = whole != null ? whole.length / 16000.0 : wav.seconds();
                    out().printf("soundflow stream: %s (%s) | model %s | mode %s | layout %s%n", wav.name(),
                            Double.isNaN(seconds) ? "unknown length" : String.format(Locale.ROOT, "%.1f s", seconds),
                            model.getFileName(), o.mode().cliName(), o.layout().cliName());
                }
                if (whole != null) {
                    r.runFile(whole, realtime);
                } else if (wav != null) {
                    r.runFile(wav, realtime);
                } else {
                    if (micDevice == null) {
                        r.runMic(seconds);
                    } else {
                        r.runMic(seconds, sink -> MicCapture.openNamed(micDevice, sink));
                    }
                }
            }
        }
        return 0;
    }

    /** The engine, with the load's progress on a terminal. */
    private StreamingEngine load() {
        try (LoadProgressLine progress = LoadProgressLine.forTerminal("loading " + model.getFileName())) {
            return StreamingEngine.load(model, new LoadOptions(Backends.get(), LoadOptions.parseQuantize(quantize), progress));
        }
    }

    /** Bytes of heap {@code ref-exact} needs per input sample: the input, the session's copy, the mel and its STFT work. */
    static final long REF_EXACT_BYTES_PER_SAMPLE = 24;

    /**
     * The whole input for {@code ref-exact}, refused when it is longer than the mode's limit or needs more heap
     * than this JVM has (both known from the header of a file; a pipe is read up to the limit).
     */
    static float[] readForRefExact(WavStream wav, int maxSeconds) {
        long maxSamples = maxSeconds * 16_000L;
        String limit = "--mode ref-exact keeps the whole input and is limited to " + maxSeconds
                + " s; use --mode windowed for long or live streams";
        if (wav.length() > maxSamples) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "%s: %.1f s of audio: %s", wav.name(), wav.seconds(), limit));
        }
        long need = (wav.length() < 0 ? maxSamples : wav.length()) * REF_EXACT_BYTES_PER_SAMPLE;
        long heap = Runtime.getRuntime().maxMemory();
        if (need > heap) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "%s: --mode ref-exact needs about %d MB of heap for this input, the JVM has %d MB; raise -Xmx "
                            + "(e.g. SOUNDFLOW_JAVA_OPTS=-Xmx%dm) or use --mode windowed, which streams the file",
                    wav.name(), need >> 20, heap >> 20, (need >> 20) * 2 + 512));
        }
        try {
            float[] x = wav.readUpTo(maxSamples);
            if (x.length == maxSamples && wav.read(new float[1], 0, 1) >= 0) {
                throw new IllegalArgumentException(wav.name() + ": " + limit);
            }
            return x;
        } catch (java.io.IOException e) {
            throw CliAudio.unchecked(Path.of(wav.name()), e);
        }
    }

    SessionOptions options() {
        if (!Float.isFinite(temperature) || temperature < 0) {
            throw new IllegalArgumentException("--temperature must be a finite number >= 0 (0 = greedy), got " + temperature);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("--top-k must be >= 0, got " + topK);
        }
        if (topK > 0 && temperature == 0) {
            throw new IllegalArgumentException("--top-k needs --temperature > 0 (greedy decoding takes the argmax)");
        }
        if (seconds != 0 && !input.mic) {
            throw new IllegalArgumentException("--seconds applies to --mic only (a file streams to its end)");
        }
        if (!Double.isFinite(seconds) || seconds < 0) {
            throw new IllegalArgumentException("--seconds must be a finite number >= 0 (0 = until Ctrl-C), got " + seconds);
        }
        if (!Float.isFinite(decisionBias)) {
            throw new IllegalArgumentException("--decision-bias must be a finite number of logits, got " + decisionBias);
        }
        SamplingSettings sampling = temperature > 0 ? new SamplingSettings(temperature, topK, 1f, 1f, seed) : SamplingSettings.GREEDY;
        FrontEndMode m = FrontEndMode.parse(mode);
        DrainLayout l = layout != null ? DrainLayout.parse(layout)
                : m == FrontEndMode.REF_EXACT ? DrainLayout.ONE_BY_ONE : DrainLayout.TEACHER_FORCED;
        return SessionOptions.defaults().withMode(m).withLayout(l)
                .withExactPositions(exactPositions).withLenient(lenient)
                .withContext(ContextPolicy.parse(context), maxPositions, windowBlocks)
                .withMaxReplyTokens(maxReply).withSampling(sampling).withKvDtype(KvDtype.parse(kvDtype))
                .withDecisionBias(decisionBias);
    }
}
