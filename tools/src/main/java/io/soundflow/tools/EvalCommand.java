package io.soundflow.tools;

import io.soundflow.engine.model.LoadOptions;
import io.soundflow.engine.stream.DrainLayout;
import io.soundflow.engine.stream.SessionOptions;
import io.soundflow.engine.stream.StreamingEngine;
import io.soundflow.kernels.Backends;
import io.soundflow.tools.eval.EvalManifest;
import io.soundflow.tools.eval.EvalReport;
import io.soundflow.tools.eval.EvalRunner;
import io.soundflow.tools.eval.EvalScorer;
import io.soundflow.tools.eval.ProactiveSoundBench;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code soundflow eval}: streams labelled audio (a manifest of WAV files, or Proactive-Sound-Bench spliced
 * into one stream) through the streaming engine and scores its decisions for correctness and time
 * ({@link EvalRunner}, {@link EvalScorer}); a table, or one JSON object with {@code --json}.
 */
@Command(name = "eval", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "Score a model's streaming decisions on labelled audio: accuracy, onset-to-decision time, "
                + "false triggers per hour, reply exact-match.")
final class EvalCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Audio-Interaction checkpoint folder.")
    Path model;

    static final class Input {
        @Option(names = "--manifest", paramLabel = "FILE.jsonl",
                description = "One stream a line: {\"audio\": WAV, \"duration\": s, \"events\": [{\"class\", \"onset\", \"offset\", "
                        + "\"expect\": respond|ignore, \"emotion\", \"reply\"}]} (schema in the README).")
        Path manifest;

        @Option(names = "--psb", paramLabel = "FILE.jsonl",
                description = "Proactive-Sound-Bench's proactive_reply_benchmark.jsonl: its clips spliced into one stream.")
        Path psb;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Input input;

    @Option(names = "--psb-audio", paramLabel = "DIR",
            description = "With --psb: the folder the benchmark's audio was downloaded to (its paths start ./proactive-sound-effect/; "
                    + "default: the manifest's folder).")
    Path psbAudio;

    @Option(names = "--gap", paramLabel = "S", defaultValue = "2",
            description = "With --psb: seconds of quiet noise before each clip (lengthened to the next 400 ms chunk boundary) and at the end.")
    double gap;

    @Option(names = "--psb-class", paramLabel = "subcategory|domain", defaultValue = "subcategory",
            description = "With --psb: the report's classes (folders of the clip paths).")
    String psbClass;

    @Option(names = "--json", description = "Print the report as one JSON object (schema in the README).")
    boolean json;

    @Option(names = "--realtime", description = "Feed each stream at real time (what the engine cannot take is dropped and counted). "
            + "Default: lockstep, as fast as the decoder goes, at most one chunk queued.")
    boolean realtime;

    @Option(names = "--collar", paramLabel = "S", defaultValue = "0.8",
            description = "Seconds after an event's offset that still count as inside it.")
    double collar;

    @Option(names = "--quantize", paramLabel = "f32|bf16|q8_0|q4_0",
            description = "Convert the weight matrices at load (embedding and lm_head included): q8_0 or q4_0 as in stream, "
                    + "or f32 / bf16 to compare the formats of one checkpoint. Default: as stored.")
    String quantize;

    @Option(names = "--layout", paramLabel = "teacher-forced|one-by-one|early-exit", defaultValue = "teacher-forced",
            description = "How several queued chunks are decoded (they queue with --realtime).")
    String layout;

    @Option(names = "--max-reply", paramLabel = "N", defaultValue = "512", description = "Most tokens in one reply (0 = no cap).")
    int maxReply;

    @Option(names = "--lenient", description = "Treat an unexpected token while listening as <silent> (counted) instead of failing "
            + "the stream (as stream --lenient).")
    boolean lenient;

    @Option(names = "--progress", description = "One line per stream on stderr as it is scored.")
    boolean progress;

    @Mixin
    VerboseOption verboseOption;

    @Mixin
    KernelsOption kernelsOption;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (!Double.isFinite(collar) || collar < 0) {
            throw new IllegalArgumentException("--collar must be a finite number of seconds >= 0, got " + collar);
        }
        if (input.psb == null && (psbAudio != null || spec.commandLine().getParseResult().hasMatchedOption("--gap")
                || spec.commandLine().getParseResult().hasMatchedOption("--psb-class"))) {
            throw new IllegalArgumentException("--psb-audio, --gap and --psb-class apply to --psb only");
        }
        var weights = LoadOptions.parseFormat(quantize);
        SessionOptions o = SessionOptions.defaults().withLayout(DrainLayout.parse(layout)).withMaxReplyTokens(maxReply)
                .withLenient(lenient);
        EvalRunner.Settings settings = new EvalRunner.Settings(o, realtime, collar);
        // the inputs are read and checked before the model loads
        List<EvalManifest.Entry> entries = input.manifest != null ? EvalManifest.read(input.manifest) : null;
        ProactiveSoundBench.Spliced spliced = input.psb != null ? ProactiveSoundBench.splice(
                ProactiveSoundBench.read(input.psb, psbAudio, ProactiveSoundBench.Grouping.parse(psbClass)), gap) : null;
        if (!Files.isDirectory(model)) {
            throw new IllegalArgumentException(model + ": no such model folder");
        }
        PrintWriter err = spec.commandLine().getErr();
        EvalReport report;
        try (LoadProgressLine line = LoadProgressLine.forTerminal("loading " + model.getFileName());
             StreamingEngine engine = StreamingEngine.load(model, new LoadOptions(Backends.get(), weights, line))) {
            line.close();
            EvalRunner runner = new EvalRunner(engine, settings, m -> {
                if (progress) {
                    err.println("soundflow eval: " + m);
                    err.flush();
                }
            });
            report = entries != null ? runner.runManifest(entries) : runner.runSpliced(input.psb.toString(), spliced);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(report.toJson().toString());
        } else {
            out.printf("soundflow eval: %s | model %s | weights %s | %s%n", input.manifest != null ? input.manifest : input.psb,
                    model.getFileName(), quantize == null ? "as stored" : quantize.toLowerCase(java.util.Locale.ROOT),
                    realtime ? "real time" : "lockstep");
            out.print(report.table());
        }
        out.flush();
        return 0;
    }
}
