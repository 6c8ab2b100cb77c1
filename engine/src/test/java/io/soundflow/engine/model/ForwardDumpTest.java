package io.soundflow.engine.model;

import io.soundflow.engine.audio.WavReader;
import io.soundflow.kernels.Backends;
import io.soundflow.testing.SharedData;
import io.soundflow.weights.SafeTensors;
import io.soundflow.weights.TensorStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The {@code forward} pipeline end to end on omni-tiny from the WAV (the audio helper's mel included):
 * the dump has the golden keys and matches the reference; the prompt-ids syntax and its errors.
 */
class ForwardDumpTest {
    @TempDir
    Path tmp;

    @Test
    void dumpFromTheWavMatchesTheReference() throws Exception {
        Path dir = SharedData.require("golden/omni-tiny");
        Path model = dir.resolve("model");
        try (OmniThinker m = Thinkers.open(model, new LoadOptions(Backends.create("vector"), null))) {
            float[] samples = WavReader.read(dir.resolve("chirp.wav")).samples();
            var r = ForwardDump.run(m, PromptIds.namesFor(model), samples,
                    Files.readString(dir.resolve("prompt-ids.txt")), 8);
            Path out = tmp.resolve("dump.safetensors");
            r.tensors().write(out);
            try (TensorStore got = SafeTensors.open(out); TensorStore ref = SafeTensors.open(dir.resolve("reference.safetensors"))) {
                assertThat(Golden.ints(got.get("input_ids"))).containsExactly(Golden.ints(ref.get("input_ids")));
                assertThat(Golden.ints(got.get("generated_ids"))).containsExactly(Golden.ints(ref.get("generated_ids")));
                double melErr = Golden.absErr(got.get("mel.0").toFloatArray(), ref.get("mel.0").toFloatArray());
                System.out.printf("forward dump omni-tiny mel.0 abs err %.3g%n", melErr);
                assertThat(melErr).isLessThan(1e-4);
                for (String k : new String[] {"audio.0.embed", "audio.0.layer0", "audio.0.layer1", "audio.0.pooled",
                        "audio.0.ln_post", "audio_embeds.0", "inputs_embeds", "text.layer0", "text.layer1",
                        "final_hidden", "prefill_logits", "gen_logits"}) {
                    double e = Golden.relErr(got.get(k).toFloatArray(), ref.get(k).toFloatArray());
                    System.out.printf("forward dump omni-tiny %s rel err %.3g%n", k, e);
                    assertThat(e).as(k).isLessThan(1e-4);
                }
                assertThat(got.get("gen_margin").toFloatArray()[0])
                        .isCloseTo(ref.get("gen_margin").toFloatArray()[0], org.assertj.core.data.Offset.offset(1e-3f));
            }
        }
    }

    @Test
    void generationReproducesTheGreedyIds() throws Exception {
        Path dir = SharedData.require("golden/omni-tiny-sharded-tied");
        try (OmniThinker m = Thinkers.open(dir.resolve("model"), new LoadOptions(Backends.create("vector"), null));
             TensorStore ref = SafeTensors.open(dir.resolve("reference.safetensors"))) {
            float[] samples = WavReader.read(dir.resolve("chirp.wav")).samples();
            var mel = m.mel(samples);
            float[] audio = m.encodeAudio(mel.data(), mel.frames(), Probe.NONE);
            java.util.List<Integer> streamed = new java.util.ArrayList<>();
            var r = Generation.generate(m, Golden.ints(ref.get("input_ids")), audio, SamplingSettings.GREEDY, 8,
                    streamed::add);
            assertThat(r.ids()).containsExactly(Golden.ints(ref.get("generated_ids")));
            assertThat(streamed).containsExactly(java.util.Arrays.stream(r.ids()).boxed().toArray(Integer[]::new));
            assertThat(r.stopped()).isFalse();
        }
    }

    @Test
    void promptIdsSyntax() {
        Map<String, Integer> names = Map.of("IM_START", 993, "NL", 13);
        assertThat(PromptIds.parse("IM_START 5, NL AUDIO 7", names, 1024, 995, 3))
                .containsExactly(993, 5, 13, 995, 995, 995, 7);
        assertThatThrownBy(() -> PromptIds.parse("IM_START BOGUS", names, 1024, 995, 0))
                .hasMessageContaining("unknown token name 'BOGUS'");
        assertThatThrownBy(() -> PromptIds.parse("AUDIO AUDIO", names, 1024, 995, 2))
                .hasMessageContaining("2 AUDIO placeholders, expected 1");
        assertThatThrownBy(() -> PromptIds.parse("5 6", names, 1024, 995, 2))
                .hasMessageContaining("0 AUDIO placeholders, expected 1");
        assertThatThrownBy(() -> PromptIds.parse("5 4096", names, 1024, 995, 0))
                .hasMessageContaining("outside the vocabulary");
        assertThat(PromptIds.qwenNames()).containsEntry("AUDIO", 151646).containsEntry("IM_END", 151645);
    }
}
