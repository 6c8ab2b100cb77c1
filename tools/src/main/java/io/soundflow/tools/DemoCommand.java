package io.soundflow.tools;

import io.soundflow.engine.stream.DrainLayout;
import io.soundflow.engine.stream.FrontEndMode;
import io.soundflow.engine.stream.SessionOptions;
import io.soundflow.engine.stream.StreamingEngine;
import io.soundflow.tools.demo.Demo;
import io.soundflow.tools.demo.DemoAssets;
import io.soundflow.tools.stream.StreamRunner;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code soundflow demo}: {@code stream} on the built-in default, with no arguments on a fresh clone: a
 * generated 8 s clip and a tiny random model folder in the Audio-Interaction release layout (both written
 * once under the cache folder, then loaded from disk by the normal loader), steered so that it stays silent
 * on quiet chunks and responds on beeps.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "Run the streaming pipeline on a built-in random demo model and a generated sample clip.")
final class DemoCommand implements Callable<Integer> {

    @Option(names = "--fast", description = "Feed the clip as fast as the engine takes it (default: at real time, 8 s).")
    boolean fast;

    @Option(names = "--json", description = "One JSON event per line (schema in the README).")
    boolean json;

    @Option(names = "--dir", paramLabel = "DIR", description = "Where the clip and the model folder are generated (default: ~/.cache/soundflow/demo, or $SOUNDFLOW_CACHE/demo).")
    Path dir;

    @Mixin
    VerboseOption verboseOption;

    @Spec
    CommandSpec spec;

    private java.io.PrintWriter out() {
        return spec.commandLine().getOut();
    }

    @Override
    public Integer call() throws Exception {
        Path d = dir != null ? dir : DemoAssets.defaultDir();
        if (!json) {
            out().println("SoundFlow demo: a RANDOM demo model showing the streaming pipeline, NOT a trained model.");
            out().println("  Its weights are random (fixed seed, width 64, 2 layers, real Qwen vocabulary and control ids);");
            out().println("  only the output rows of the few tokens it uses were steered on this clip, so it stays silent on");
            out().println("  quiet chunks and answers \"[urgent] Alarm?\" on the beeps. It understands nothing.");
            out().flush();
        }
        Demo demo = Demo.load(d);
        try (StreamingEngine engine = demo.engine()) {
            if (!json) {
                out().println("  model: " + demo.modelDir() + " (Audio-Interaction release layout, generated on first use)");
                out().println("  clip:  " + demo.clipFile() + " (8 s: room noise, beeps in chunks 6, 7 and 14)");
                out().println("  the same run by hand: ./soundflow stream --model " + demo.modelDir() + " --wav " + demo.clipFile());
                out().println("  look inside:          ./soundflow inspect " + demo.modelDir());
                out().printf(Locale.ROOT, "  steering margin %.2f logits; streaming %s (mode windowed, layout one-by-one)%n%n",
                        demo.steeringMargin(), fast ? "as fast as possible" : "at real time");
            }
            SessionOptions o = SessionOptions.defaults().withMode(FrontEndMode.WINDOWED).withLayout(DrainLayout.ONE_BY_ONE);
            new StreamRunner(engine, o, json, null, out()).runFile(demo.clip(), !fast);
        }
        return 0;
    }
}
