package io.soundflow.tools;

import io.soundflow.engine.KvDtype;
import io.soundflow.engine.audio.Mel;
import io.soundflow.engine.model.Generation;
import io.soundflow.engine.model.OmniThinker;
import io.soundflow.engine.model.Probe;
import io.soundflow.engine.model.SamplingSettings;
import io.soundflow.tokenizer.ChatTemplate;
import io.soundflow.tokenizer.StreamingDecoder;
import io.soundflow.tokenizer.Tokenizer;
import io.soundflow.weights.CheckpointLayout;
import it.unimi.dsi.fastutil.ints.IntOpenHashSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code soundflow ask}: audio + a question to an answer, offline. Renders the Qwen2.5-Omni chat template
 * with the checkpoint's tokenizer.json and streams the answer as it is generated.
 */
@Command(name = "ask", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "Ask a question about an audio file; the answer is streamed as it is generated.")
final class AskCommand implements Callable<Integer> {
    @Mixin
    ModelOptions opts;

    @Option(names = "--prompt", required = true, paramLabel = "TEXT", description = "The question or instruction.")
    String prompt;

    @Option(names = "--system", paramLabel = "S", description = "System prompt (default: \"${DEFAULT-VALUE}\").",
            defaultValue = ChatTemplate.DEFAULT_SYSTEM_PROMPT)
    String system;

    @Option(names = "--max-new-tokens", defaultValue = "256", paramLabel = "N",
            description = "Most tokens to generate (default ${DEFAULT-VALUE}).")
    int maxNewTokens;

    @Option(names = "--kv-dtype", paramLabel = "f32|f16", defaultValue = "f32",
            description = "KV cache storage: f32 (default) or f16 (half the memory; the logits move by about 1e-4).")
    String kvDtype;

    @Option(names = "--tokenizer", paramLabel = "FILE",
            description = "tokenizer.json to use (default: the one in the model folder).")
    Path tokenizerPath;

    @Option(names = "--temperature", defaultValue = "0", description = "0 = greedy (default).")
    float temperature;

    @Option(names = "--top-k", defaultValue = "0", description = "Keep the k most likely tokens (0 = all).")
    int topK;

    @Option(names = "--top-p", defaultValue = "1", description = "Nucleus sampling threshold (1 = off).")
    float topP;

    @Option(names = "--repetition-penalty", defaultValue = "1", description = "1 = off.")
    float repetitionPenalty;

    @Option(names = "--seed", defaultValue = "0", description = "Sampling seed.")
    long seed;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (opts.wav == null) {
            throw new IllegalArgumentException("--wav is required");
        }
        SamplingSettings sampling = new SamplingSettings(temperature, topK, topP, repetitionPenalty, seed);
        KvDtype kv = KvDtype.parse(kvDtype);
        Path tokFile = tokenizerPath != null ? tokenizerPath : opts.model.resolve("tokenizer.json");
        if (!Files.isRegularFile(tokFile)) {
            throw new IllegalArgumentException(tokFile + ": no tokenizer.json (pass --tokenizer FILE)");
        }
        Tokenizer tok = Tokenizer.load(tokFile);
        float[] samples = opts.samples();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (OmniThinker model = opts.open()) {
            Path config = opts.model.resolve(CheckpointLayout.AI_MODEL_CONFIG);
            model.text().config().requireTokenizer(tok, Files.isRegularFile(config) ? config : opts.model.resolve("config.json"));
            int audioId = tok.requireTokenId(ChatTemplate.AUDIO);
            if (audioId != model.tokens().audio()) {
                throw new IllegalArgumentException(tokFile + ": <|AUDIO|> is id " + audioId + " but the model "
                        + opts.model + " expects " + model.tokens().audio() + " (tokenizer and model do not match)");
            }
            CliAudio.requireLongEnough(opts.wav, samples, model, "ask");
            int n = model.audioVectors(CliAudio.melFrames(model, samples.length)); // known before the mel is computed
            List<ChatTemplate.Message> messages = new ArrayList<>();
            messages.add(ChatTemplate.Message.system(system));
            messages.add(ChatTemplate.Message.user(new ChatTemplate.Audio(n), new ChatTemplate.Text(prompt)));
            int[] ids = ChatTemplate.encode(tok, messages, true);
            requireFits(samples.length / 16000.0, n, ids.length, model.text().config().maxPositions());
            Mel mel = model.mel(samples);
            if (model.audioVectors(mel.frames()) != n) {
                throw new IllegalStateException("ask: the mel has " + mel.frames() + " frames, "
                        + model.audioVectors(mel.frames()) + " audio tokens where " + n + " were expected");
            }
            float[] audio = model.encodeAudio(mel.data(), mel.frames(), Probe.NONE);
            int vocab = model.text().config().vocab();
            for (int id : ids) {
                if (id >= vocab) {
                    throw new IllegalArgumentException(tokFile + ": the prompt has token id " + id
                            + " beyond the model's vocabulary of " + vocab + " (tokenizer and model do not match)");
                }
            }
            IntOpenHashSet control = new IntOpenHashSet();
            if (model.convention() == OmniThinker.AudioConvention.AUDIO_INTERACTION) {
                for (int c = 151601; c <= 151619; c++) { // the release's control ids (ordinary glyphs in Qwen)
                    control.add(c);
                }
            }
            StreamingDecoder decoder = tok.newStreamingDecoder(control);
            var r = Generation.generate(model, ids, audio, sampling, maxNewTokens, kv, id -> {
                out.print(decoder.push(id));
                Stdout.check(out); // flushes; a closed pipe or a full disk stops the generation
            });
            out.println(decoder.flush());
            Stdout.check(out);
            err.printf("[%d prompt tokens (%d audio) in %.2f s; %d tokens at %.2f tok/s%s]%n", ids.length, n,
                    r.prefillNanos() / 1e9, r.ids().length, r.decodeTokensPerSecond(),
                    r.stopped() ? "" : "; stopped at --max-new-tokens");
            err.flush();
        }
        return 0;
    }

    /** Refuses, before the encoder runs, audio whose tokens with the prompt and --max-new-tokens exceed the positions. */
    private void requireFits(double seconds, int audioTokens, int promptTokens, int positions) {
        long need = (long) promptTokens + maxNewTokens;
        if (need <= positions) {
            return;
        }
        long room = positions - (need - audioTokens); // audio tokens that would fit
        if (room <= 0) { // no audio at all would fit: the token budget is the problem, not the audio
            throw new IllegalArgumentException(String.format(java.util.Locale.ROOT,
                    "--max-new-tokens %d is too large: the prompt (%d tokens, audio included) and %d new tokens need %d "
                            + "positions, more than the model's %d: lower --max-new-tokens",
                    maxNewTokens, promptTokens, maxNewTokens, need, positions));
        }
        double fit = room <= 0 ? 0 : room * (seconds / audioTokens);
        throw new IllegalArgumentException(String.format(java.util.Locale.ROOT,
                "%s: audio of %.1f s is too long for ask: at most %.1f s fit the model's %d positions "
                        + "(%d audio tokens + %d prompt tokens + --max-new-tokens %d)",
                opts.wav, seconds, fit, positions, audioTokens, promptTokens - audioTokens, maxNewTokens));
    }
}
