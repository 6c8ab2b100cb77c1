package io.soundflow.tools;

import io.soundflow.engine.model.ForwardDump;
import io.soundflow.engine.model.OmniThinker;
import io.soundflow.engine.model.PromptIds;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;

/**
 * {@code soundflow forward}: one offline forward of a thinker with every intermediate dumped to a
 * safetensors file under the golden reference's names, for conformance checks.
 */
@Command(name = "forward", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "Run one forward (audio + prompt ids) and dump the intermediates (mel.0, audio_embeds.0, "
                + "input_ids, prefill_logits, generated_ids, gen_logits, ...) as safetensors.")
final class ForwardCommand implements Callable<Integer> {
    @Mixin
    ModelOptions opts;

    @Option(names = "--prompt-ids", paramLabel = "IDS",
            description = "Token ids and names (golden prompt-ids.txt syntax; names from model/tiny_tokens.json or "
                    + "the Qwen specials); one AUDIO expands to the audio's tokens.")
    String promptIds;

    @Option(names = "--prompt-ids-file", paramLabel = "FILE", description = "Read the prompt ids from a file instead.")
    Path promptIdsFile;

    @Option(names = "--max-new-tokens", defaultValue = "8", paramLabel = "N",
            description = "Greedy steps after the prompt (no early stop; default ${DEFAULT-VALUE}).")
    int maxNewTokens;

    @Option(names = "--dump", required = true, paramLabel = "OUT", description = "Output safetensors file.")
    Path dump;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if ((promptIds == null) == (promptIdsFile == null)) {
            throw new IllegalArgumentException("give exactly one of --prompt-ids and --prompt-ids-file");
        }
        String text = promptIds;
        if (promptIdsFile != null) {
            if (!Files.isRegularFile(promptIdsFile)) {
                throw new IllegalArgumentException(promptIdsFile + ": no such prompt-ids file");
            }
            text = Files.readString(promptIdsFile);
        }
        float[] samples = opts.samples();
        try (OmniThinker model = opts.open()) {
            CliAudio.requireLongEnough(opts.wav, samples, model, "forward");
            var r = ForwardDump.run(model, PromptIds.namesFor(opts.model), samples, text, maxNewTokens);
            Path parent = dump.toAbsolutePath().getParent();
            if (parent != null && !Files.isDirectory(parent)) {
                throw new IllegalArgumentException(dump + ": the output folder does not exist");
            }
            r.tensors().write(dump);
            var out = spec.commandLine().getOut();
            out.println("prompt: " + r.inputIds().length + " tokens (" + r.audioTokens() + " audio)");
            out.println("generated_ids: " + Arrays.toString(r.generatedIds()));
            out.println("dump: " + dump);
            out.flush();
        }
        return 0;
    }
}
