package io.soundflow.tools;

import io.soundflow.testing.SharedData;
import io.soundflow.weights.SafeTensors;
import io.soundflow.weights.TensorStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static io.soundflow.tools.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code soundflow forward} and {@code ask} through the real command line, on the golden models. */
class ForwardAskCommandTest {
    @TempDir
    Path tmp;


    @Test
    void forwardDumpsTheGoldenKeysAndIds() throws Exception {
        Path g = SharedData.require("golden/omni-tiny-sharded-tied");
        Path dump = tmp.resolve("out.safetensors");
        CliRun r = CliRun.run("forward", "--model", g.resolve("model").toString(), "--wav", g.resolve("chirp.wav").toString(),
                "--prompt-ids-file", g.resolve("prompt-ids.txt").toString(), "--dump", dump.toString());
        assertThat(r.code()).as(r.err()).isZero();
        try (TensorStore got = SafeTensors.open(dump); TensorStore ref = SafeTensors.open(g.resolve("reference.safetensors"))) {
            for (String k : new String[] {"mel.0", "audio_embeds.0", "input_ids", "prefill_logits", "generated_ids", "gen_logits"}) {
                assertThat(got.contains(k)).as(k).isTrue();
                assertThat(got.get(k).shape()).as(k).containsExactly(ref.get(k).shape());
            }
            assertThat(got.get("generated_ids").toLongArray()).containsExactly(ref.get("generated_ids").toLongArray());
            assertThat(r.out()).contains("generated_ids: " + Arrays.toString(ref.get("generated_ids").toLongArray()));
        }
    }

    @Test
    void forwardErrorsAreOneLine() throws Exception {
        Path g = SharedData.require("golden/omni-tiny");
        String model = g.resolve("model").toString(), wav = g.resolve("chirp.wav").toString();
        String out = tmp.resolve("x.safetensors").toString();
        expectError(run("forward", "--model", tmp.toString(), "--wav", wav, "--prompt-ids", "1", "--dump", out),
                "not a model folder");
        Path notWav = tmp.resolve("notes.wav");
        Files.writeString(notWav, "hello, this is not audio");
        expectError(run("forward", "--model", model, "--wav", notWav.toString(), "--prompt-ids", "1 AUDIO", "--dump", out),
                notWav.toString());
        expectError(run("forward", "--model", model, "--wav", wav, "--prompt-ids", "1 AUDIO AUDIO", "--dump", out),
                "2 AUDIO placeholders, expected 1");
        expectError(run("forward", "--model", model, "--wav", wav, "--prompt-ids", "1 NOPE AUDIO", "--dump", out),
                "unknown token name 'NOPE'");
        assertThat(Files.exists(Path.of(out))).isFalse();
    }

    @Test
    void askStreamsAnAnswerOnTheAudioInteractionModel() {
        Path g = SharedData.require("golden/ai-tiny");
        CliRun r = CliRun.run("ask", "--model", g.resolve("model").toString(), "--wav", g.resolve("clip-8s.wav").toString(),
                "--prompt", "What do you hear?", "--max-new-tokens", "5");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out().strip()).isNotEmpty();
        assertThat(r.err()).contains("226 prompt tokens (200 audio)").contains("5 tokens");
    }

    /** f16 keys and values give the same answer on ai-tiny (observed; the logits move by about 1e-4). */
    @Test
    void askWithAFloat16KvCache() {
        Path g = SharedData.require("golden/ai-tiny");
        String[] args = {"ask", "--model", g.resolve("model").toString(), "--wav", g.resolve("clip-8s.wav").toString(),
                "--prompt", "What do you hear?", "--max-new-tokens", "5"};
        CliRun f32 = CliRun.run(args);
        String[] withF16 = java.util.Arrays.copyOf(args, args.length + 2);
        withF16[args.length] = "--kv-dtype";
        withF16[args.length + 1] = "f16";
        CliRun f16 = CliRun.run(withF16);
        assertThat(f16.code()).as(f16.err()).isZero();
        assertThat(f16.out()).isEqualTo(f32.out()).isNotBlank();
    }

    @Test
    void askNeedsAMatchingTokenizer() {
        Path g = SharedData.require("golden/omni-tiny");
        String model = g.resolve("model").toString(), wav = g.resolve("chirp.wav").toString();
        expectError(run("ask", "--model", model, "--wav", wav, "--prompt", "hi"), "no tokenizer.json");
        Path tok = SharedData.require("golden/ai-tiny/model/tokenizer.json");
        expectError(run("ask", "--model", model, "--wav", wav, "--prompt", "hi", "--tokenizer", tok.toString()),
                "tokenizer and model do not match");
    }

    private static void expectError(CliRun r, String text) {
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err().strip()).contains(text);
        assertThat(r.err().strip().lines().count()).as(r.err()).isEqualTo(1);
    }
}
