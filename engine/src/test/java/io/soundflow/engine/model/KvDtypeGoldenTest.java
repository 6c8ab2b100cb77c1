package io.soundflow.engine.model;

import io.soundflow.engine.KvDtype;
import io.soundflow.engine.audio.AudioInteractionMel;
import io.soundflow.engine.audio.Mel;
import io.soundflow.engine.audio.WavReader;
import io.soundflow.testing.SharedData;
import io.soundflow.weights.SafeTensors;
import io.soundflow.weights.TensorStore;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Float16 keys and values against float32 on the tiny golden models, on every backend: the logits of
 * the same inputs differ by at most {@value #F16_TOL} (max |f16 - f32| / max |f32|; observed 8.4e-5 to 1.3e-4
 * on these models, both backends: float16 keeps 11 significant bits, a rounding of at most 2^-11 = 4.9e-4
 * relative per stored value), and the greedy ids and decisions are unchanged. The scalar and vector backends agree on f16 within
 * the golden tolerance {@value #BACKEND_TOL}.
 */
class KvDtypeGoldenTest {
    static final double F16_TOL = 1e-3;
    static final double BACKEND_TOL = 1e-4;

    @Test
    void omniTinyGenerationWithAFloat16Cache() {
        Path dir = SharedData.require("golden/omni-tiny");
        List<float[]> scalarF16 = null;
        for (String backend : Golden.backends().toList()) {
            try (OmniThinker model = OmniLoader.load(dir.resolve("model"), new LoadOptions(Golden.kernels(backend), null));
                 TensorStore ref = SafeTensors.open(dir.resolve("reference.safetensors"))) {
                float[] mel = ref.get("mel.0").toFloatArray();
                float[] audio = model.encodeAudio(mel, (int) ref.get("mel.0").dim(1), Probe.NONE);
                int[] ids = Golden.ints(ref.get("input_ids"));
                int[] want = Golden.ints(ref.get("generated_ids"));
                List<float[]> f32 = generate(model, ids, audio, want.length, KvDtype.F32);
                List<float[]> f16 = generate(model, ids, audio, want.length, KvDtype.F16);
                double worst = 0;
                int vocab = model.text().config().vocab();
                for (int s = 0; s < f32.size(); s++) {
                    worst = Math.max(worst, Golden.relErr(f16.get(s), f32.get(s)));
                    if (s < want.length) {
                        assertThat(Sampler.argmax(f16.get(s), 0, vocab)).as("f16 greedy id %d", s).isEqualTo(want[s]);
                    }
                }
                System.out.printf("omni-tiny [%s] f16 vs f32 KV logits rel err %.3g%n", backend, worst);
                assertThat(worst).isLessThan(F16_TOL);
                if (scalarF16 == null) {
                    scalarF16 = f16;
                } else {
                    for (int s = 0; s < f16.size(); s++) {
                        assertThat(Golden.relErr(f16.get(s), scalarF16.get(s))).as("f16 %s vs scalar, row %d", backend, s)
                                .isLessThan(BACKEND_TOL);
                    }
                }
            }
        }
    }

    @Test
    void aiTinyDecisionsWithAFloat16Cache() throws Exception {
        Path dir = SharedData.require("golden/ai-tiny");
        float[] samples = WavReader.read(dir.resolve("clip-8s.wav")).samples();
        Mel[] mels = AudioInteractionMel.refExact(samples);
        List<float[]> scalarF16 = null;
        for (String backend : Golden.backends().toList()) {
            try (AudioInteractionModel model = AudioInteractionLoader.load(dir.resolve("model"),
                    new LoadOptions(Golden.kernels(backend), null));
                 TensorStore ref = SafeTensors.open(dir.resolve("trace-ref-exact.safetensors"))) {
                int[] prefix = Golden.ints(ref.get("prefix_ids"));
                int[] fed = Golden.ints(ref.get("fed_tokens"));
                List<float[]> f32 = decide(model, prefix.length, fed, mels, KvDtype.F32);
                List<float[]> f16 = decide(model, prefix.length, fed, mels, KvDtype.F16);
                double worst = 0;
                for (int c = 0; c < f32.size(); c++) {
                    worst = Math.max(worst, Golden.relErr(f16.get(c), f32.get(c)));
                    assertThat(Sampler.argmax(f16.get(c), 0, model.vocabSize())).as("decision of chunk %d", c)
                            .isEqualTo(Sampler.argmax(f32.get(c), 0, model.vocabSize()));
                }
                System.out.printf("ai-tiny [%s] f16 vs f32 KV decision logits rel err %.3g%n", backend, worst);
                assertThat(worst).isLessThan(F16_TOL);
                if (scalarF16 == null) {
                    scalarF16 = f16;
                } else {
                    for (int c = 0; c < f16.size(); c++) {
                        assertThat(Golden.relErr(f16.get(c), scalarF16.get(c))).as("f16 %s vs scalar, chunk %d", backend, c)
                                .isLessThan(BACKEND_TOL);
                    }
                }
            }
        }
    }

    /** The prefill's last row, then each greedy step's logits. */
    static List<float[]> generate(OmniThinker model, int[] ids, float[] audio, int steps, KvDtype dtype) {
        int vocab = model.text().config().vocab();
        KvCache cache = model.newCache(ids.length + steps, dtype);
        List<float[]> rows = new ArrayList<>();
        float[] row = model.prefill(cache, ids, audio, new int[] {ids.length - 1}, Probe.NONE);
        for (int s = 0; s < steps; s++) {
            rows.add(row);
            row = model.step(cache, Sampler.argmax(row, 0, vocab));
        }
        rows.add(row);
        return rows;
    }

    /** Each reference chunk's forward (fed tokens of the golden trace, the chunk's audio); its decision logits. */
    static List<float[]> decide(AudioInteractionModel model, int prefix, int[] fed, Mel[] mels, KvDtype dtype) {
        KvCache cache = model.newCache(1024, true, dtype);
        List<float[]> out = new ArrayList<>();
        int at = 0;
        for (int c = 0; c < AudioInteractionGoldenTest.CHUNKS; c++) {
            int len = c == 0 ? prefix + 12 : 13;
            int[] ids = Arrays.copyOfRange(fed, at, at + len);
            at += len;
            float[] audio = model.encodeChunk(mels[c].data(), 40);
            out.add(model.forward(cache, ids, model.releasedAudioSlots(len), audio, new int[] {len - 1}));
        }
        return out;
    }
}
