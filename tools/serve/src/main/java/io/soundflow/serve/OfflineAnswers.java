package io.soundflow.serve;

import io.soundflow.engine.InteractionModel;
import io.soundflow.engine.audio.Mel;
import io.soundflow.engine.model.AudioInteractionModel;
import io.soundflow.engine.model.Generation;
import io.soundflow.engine.model.OmniThinker;
import io.soundflow.engine.model.Probe;
import io.soundflow.engine.model.SamplingSettings;
import io.soundflow.tokenizer.ChatTemplate;
import io.soundflow.tokenizer.StreamingDecoder;
import io.soundflow.tokenizer.Tokenizer;
import it.unimi.dsi.fastutil.ints.IntOpenHashSet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * The offline path that {@code soundflow ask} takes, for the HTTP endpoints: one clip and a question, the
 * Qwen chat template, the whole clip through the audio tower, then generation to a stop id. Shares the
 * streaming engine's weights (the Audio-Interaction model seen as an offline thinker); every request has its
 * own KV cache.
 */
final class OfflineAnswers {
    private final OmniThinker thinker;
    private final Tokenizer tokenizer;
    private final IntOpenHashSet control = new IntOpenHashSet();

    /** The answer: its text, how many prompt and generated tokens, and whether a stop id ended it. */
    record Answer(String text, int promptTokens, int completionTokens, boolean stopped) {
    }

    private OfflineAnswers(OmniThinker thinker, Tokenizer tokenizer) {
        this.thinker = thinker;
        this.tokenizer = tokenizer;
        for (int c = 151601; c <= 151619; c++) { // the release's control ids, never printed
            control.add(c);
        }
    }

    /** The offline view of {@code model} with the tokenizer of {@code modelDir}, or null when there is none. */
    static OfflineAnswers of(InteractionModel model, Path modelDir) {
        if (modelDir == null || !(model instanceof AudioInteractionModel m) || !Files.isRegularFile(modelDir.resolve("tokenizer.json"))) {
            return null;
        }
        return new OfflineAnswers(m.asThinker(), Tokenizer.load(modelDir.resolve("tokenizer.json")));
    }

    /**
     * Answers {@code prompt} about {@code samples} (16 kHz mono); each printable piece goes to {@code onText}
     * as it is generated.
     */
    Answer answer(float[] samples, String system, String prompt, int maxTokens, SamplingSettings sampling, Consumer<String> onText) {
        if (samples.length == 0) {
            throw new IllegalArgumentException("the audio is empty");
        }
        if (maxTokens < 1 || maxTokens > 8192) {
            throw new IllegalArgumentException("max_tokens must be 1..8192, got " + maxTokens);
        }
        Mel mel = thinker.mel(samples);
        int n = thinker.audioVectors(mel.frames());
        int[] ids = ChatTemplate.encode(tokenizer, List.of(ChatTemplate.Message.system(system),
                ChatTemplate.Message.user(new ChatTemplate.Audio(n), new ChatTemplate.Text(prompt))), true);
        int positions = thinker.text().config().maxPositions();
        if (ids.length + maxTokens > positions) {
            throw new IllegalArgumentException("the prompt (" + ids.length + " tokens, " + n + " of them audio) and max_tokens "
                    + maxTokens + " need " + (ids.length + maxTokens) + " positions, more than the model's " + positions
                    + ": send shorter audio or lower max_tokens");
        }
        float[] audio = thinker.encodeAudio(mel.data(), mel.frames(), Probe.NONE);
        StreamingDecoder decoder = tokenizer.newStreamingDecoder(control);
        StringBuilder text = new StringBuilder();
        Generation.Result r = Generation.generate(thinker, ids, audio, sampling, maxTokens, id -> {
            String piece = decoder.push(id);
            if (!piece.isEmpty()) {
                text.append(piece);
                onText.accept(piece);
            }
        });
        String tail = decoder.flush();
        if (!tail.isEmpty()) {
            text.append(tail);
            onText.accept(tail);
        }
        return new Answer(text.toString(), ids.length, r.ids().length, r.stopped());
    }
}
