package io.soundflow.engine.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.soundflow.engine.audio.AudioInteractionMel;
import io.soundflow.engine.audio.Mel;
import io.soundflow.engine.audio.WavReader;
import io.soundflow.testing.SharedData;
import io.soundflow.weights.SafeTensors;
import io.soundflow.weights.TensorStore;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Conformance of the released Audio-Interaction layout (ai-tiny) in both front-end modes: chunk 0's mel,
 * the encoder stages and 10 audio vectors of chunk 0, and the decision logits at the ASSISTANT position of
 * chunks 0 to 2, forwarding exactly the tokens of the reference trace (prefix + block, then
 * decision + block), audio in the 10 slots before the last token, float16 RoPE positions.
 */
class AudioInteractionGoldenTest {
    static final double TOL = 1e-4;
    static final int CHUNKS = 3;

    static Stream<Arguments> cases() {
        return Stream.of("ref-exact", "chunk-local").flatMap(m -> Golden.backends().map(b -> Arguments.of(m, b)));
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("cases")
    void matchesTrace(String mode, String backend) throws Exception {
        Path dir = SharedData.require("golden/ai-tiny");
        JsonNode trace = new ObjectMapper().readTree(dir.resolve("trace-" + mode + ".json").toFile());
        try (AudioInteractionModel model = AudioInteractionLoader.load(dir.resolve("model"),
                new LoadOptions(Golden.kernels(backend), null));
             TensorStore ref = SafeTensors.open(dir.resolve("trace-" + mode + ".safetensors"))) {
            assertThat(model.audioVectorsPerChunk()).isEqualTo(10);
            float[] samples = WavReader.read(dir.resolve("clip-8s.wav")).samples();
            Mel[] mels = mode.equals("ref-exact") ? AudioInteractionMel.refExact(samples)
                    : AudioInteractionMel.chunkLocalAll(samples);
            double melErr = Golden.absErr(mels[0].data(), ref.get("mel_chunk0").toFloatArray());
            System.out.printf("golden ai-tiny %s [%s] mel_chunk0 abs err %.3g%n", mode, backend, melErr);
            assertThat(melErr).isLessThan(1e-4);

            // chunk 0's encoder stages, from the reference mel (isolates the tower from the front end)
            var probe = new Golden.Recorder();
            float[] a0 = model.encodeChunk(ref.get("mel_chunk0").toFloatArray(), 40, probe);
            check(mode, backend, "enc_conv_chunk0", probe.get("embed"), ref);
            check(mode, backend, "enc_layers_chunk0", probe.get("layer" + (model.audio().config().layers() - 1)), ref);
            check(mode, backend, "enc_pool_ln_chunk0", probe.get("ln_post"), ref);
            check(mode, backend, "audio_chunk0", a0, ref);

            int[] prefix = Golden.ints(ref.get("prefix_ids"));
            int[] fed = Golden.ints(ref.get("fed_tokens"));
            assertThat(Arrays.copyOf(fed, prefix.length)).containsExactly(prefix);
            int vocab = model.vocabSize(), d = model.hiddenSize();
            float[] refLogits = ref.get("decision_logits").toFloatArray();
            float[] refHidden = ref.get("decision_hidden").toFloatArray();
            double worstHidden = 0;
            KvCache cache = model.newCache(1024, true);
            int at = 0;
            double worst = 0;
            for (int c = 0; c < CHUNKS; c++) {
                int len = c == 0 ? prefix.length + 12 : 13;
                int[] ids = Arrays.copyOfRange(fed, at, at + len);
                at += len;
                assertThat(ids[len - 12]).isEqualTo(151647);
                assertThat(ids[len - 1]).isEqualTo(151602);
                float[] audio = model.encodeChunk(mels[c].data(), 40);
                int[] slots = model.releasedAudioSlots(len);
                assertThat(slots[0]).isEqualTo(len - 11);
                assertThat(slots[9]).isEqualTo(len - 2);
                var probe2 = new Golden.Recorder();
                float[] logits = model.forward(cache, ids, slots, audio, new int[] {len - 1}, probe2);
                worstHidden = Math.max(worstHidden, Golden.relErr(Golden.rows(probe2.get("final_hidden"), len - 1, len, d),
                        Golden.rows(refHidden, c, c + 1, d)));
                double e = Golden.relErr(logits, Golden.rows(refLogits, c, c + 1, vocab));
                worst = Math.max(worst, e);
                int decision = Sampler.argmax(logits, 0, vocab);
                assertThat(decision).as("decision of chunk " + c).isEqualTo(trace.get("chunks").get(c).get("decision").asInt());
                if (c + 1 < CHUNKS) {
                    assertThat(fed[at]).isEqualTo(decision);
                }
            }
            assertThat(cache.length()).isEqualTo(at);
            System.out.printf("golden ai-tiny %s [%s] decision_logits[0..2] rel err %.3g, decision_hidden %.3g%n",
                    mode, backend, worst, worstHidden);
            assertThat(worst).isLessThan(TOL);
            assertThat(worstHidden).isLessThan(TOL);
            assertThat(d).isEqualTo(64);
        }
    }

    static void check(String mode, String backend, String key, float[] got, TensorStore ref) {
        double e = Golden.relErr(got, ref.get(key).toFloatArray());
        System.out.printf("golden ai-tiny %s [%s] %s rel err %.3g%n", mode, backend, key, e);
        assertThat(e).as(key).isLessThan(TOL);
    }
}
