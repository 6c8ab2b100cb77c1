package io.soundflow.engine.model;

import io.soundflow.engine.KvDtype;
import io.soundflow.engine.audio.Mel;
import io.soundflow.kernels.FloatBuf;
import io.soundflow.weights.SafeTensorsWriter;

import java.util.Arrays;
import java.util.Map;

/**
 * One offline forward with every intermediate kept, in the golden reference's names: {@code mel.0},
 * {@code audio.0.embed}, {@code audio.0.layer<i>}, {@code audio.0.pooled}, {@code audio.0.ln_post},
 * {@code audio_embeds.0}, {@code input_ids}, {@code inputs_embeds}, {@code text.layer<i>},
 * {@code final_hidden}, {@code prefill_logits} [S, V], then {@code maxNewTokens} greedy steps (ties to the
 * lowest id, no early stop, as the reference does): {@code generated_ids}, {@code gen_logits} [N, V] (the
 * logits each id was chosen from), {@code gen_margin} (top-1 minus top-2).
 */
public final class ForwardDump {
    /** What a run produced. */
    public record Result(int[] inputIds, int audioTokens, int[] generatedIds, SafeTensorsWriter tensors) {
    }

    private ForwardDump() {
    }

    /**
     * Runs {@code model} on 16 kHz mono {@code samples} (null for a text-only prompt) and the prompt
     * {@code promptIds} (ids and names from {@code names}; one {@code AUDIO} expands to the audio's tokens).
     */
    public static Result run(OmniThinker model, Map<String, Integer> names, float[] samples, String promptIds,
                             int maxNewTokens) {
        return run(model, names, samples, promptIds, maxNewTokens, KvDtype.F32);
    }

    /** {@link #run(OmniThinker, Map, float[], String, int)} with a KV cache of {@code kvDtype}. */
    public static Result run(OmniThinker model, Map<String, Integer> names, float[] samples, String promptIds,
                             int maxNewTokens, KvDtype kvDtype) {
        if (maxNewTokens < 0) {
            throw new IllegalArgumentException("maxNewTokens must be >= 0, got " + maxNewTokens);
        }
        SafeTensorsWriter out = new SafeTensorsWriter().metadata("producer", "soundflow forward");
        TextDecoderConfig tc = model.text().config();
        float[] audio = new float[0];
        int nAudio = 0;
        if (samples != null) {
            Mel mel = model.mel(samples);
            out.addF32("mel.0", mel.data(), mel.bins(), mel.frames());
            audio = model.encodeAudio(mel.data(), mel.frames(), recorder(out, "audio.0."));
            nAudio = audio.length / tc.hidden();
            out.addF32("audio_embeds.0", audio, nAudio, tc.hidden());
        }
        int[] ids = PromptIds.parse(promptIds, names, tc.vocab(), model.tokens().audio(), nAudio);
        long[] ids64 = Arrays.stream(ids).asLongStream().toArray();
        out.addI64("input_ids", ids64, ids.length);
        if ((long) maxNewTokens * tc.vocab() > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("maxNewTokens " + maxNewTokens + " is too large to dump: gen_logits would hold "
                    + (long) maxNewTokens * tc.vocab() + " values (at most " + (Integer.MAX_VALUE - 8) / tc.vocab() + " steps)");
        }
        KvCache cache = model.newCache(ids.length, maxNewTokens, kvDtype);
        int[] all = new int[ids.length];
        Arrays.setAll(all, i -> i);
        Probe textProbe = (name, data, rows, cols) -> recorder(out, name.startsWith("layer") ? "text." : "")
                .stage(name, data, rows, cols);
        float[] logits = model.prefill(cache, ids, audio, all, textProbe);
        int v = tc.vocab();
        out.addF32("prefill_logits", logits, ids.length, v);
        int[] gen = new int[maxNewTokens];
        float[] genLogits = new float[maxNewTokens * v];
        float[] margin = new float[maxNewTokens];
        float[] row = Arrays.copyOfRange(logits, (ids.length - 1) * v, ids.length * v);
        for (int s = 0; s < maxNewTokens; s++) {
            System.arraycopy(row, 0, genLogits, s * v, v);
            gen[s] = Sampler.argmax(row, 0, v);
            margin[s] = margin(row, gen[s]);
            if (s + 1 < maxNewTokens) {
                row = model.step(cache, gen[s]);
            }
        }
        out.addI64("generated_ids", Arrays.stream(gen).asLongStream().toArray(), maxNewTokens);
        out.addF32("gen_logits", genLogits, maxNewTokens, v);
        out.addF32("gen_margin", margin, maxNewTokens);
        return new Result(ids, nAudio, gen, out);
    }

    /** Top-1 minus top-2 logit. */
    static float margin(float[] row, int best) {
        float second = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < row.length; i++) {
            if (i != best && row[i] > second) {
                second = row[i];
            }
        }
        return row[best] - second;
    }

    private static Probe recorder(SafeTensorsWriter out, String prefix) {
        return (String name, FloatBuf data, int rows, int cols) -> {
            float[] a = new float[rows * cols];
            data.read(0, a, 0, a.length);
            out.addF32(prefix + name, a, rows, cols);
        };
    }
}
