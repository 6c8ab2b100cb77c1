package io.soundflow.tools.demo;

import io.soundflow.engine.audio.WavReader;
import io.soundflow.engine.stream.StreamingEngine;
import io.soundflow.kernels.Backends;
import io.soundflow.tokenizer.AudioInteractionPrompt;
import io.soundflow.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The built-in demo, ready to stream: the generated clip and tokenizer in {@code dir} and the steered
 * random {@link DemoModel}, wrapped as a {@link StreamingEngine}.
 *
 * @param engine the demo engine (tiny random model, real control ids)
 * @param clip   the demo clip as read back from its WAV (16 kHz mono)
 * @param model  the model (its steering margin is reported)
 */
public record Demo(StreamingEngine engine, float[] clip, DemoModel model) {

    /** The reply the demo model was steered to give: URGENT, " Alarm?", TEXT_END. */
    static int[] reply(Tokenizer tok) {
        int[] text = tok.encode(" Alarm?");
        int[] reply = new int[text.length + 2];
        reply[0] = AudioInteractionPrompt.URGENT;
        System.arraycopy(text, 0, reply, 1, text.length);
        reply[reply.length - 1] = AudioInteractionPrompt.TEXT_END;
        return reply;
    }

    /** Generates the assets in {@code dir} when missing, builds and steers the model. */
    public static Demo load(Path dir) throws IOException {
        Path d = DemoAssets.prepare(dir);
        Tokenizer tok = Tokenizer.load(d.resolve("tokenizer.json"));
        int[] prefix = AudioInteractionPrompt.prefixIds(tok);
        float[] clip = WavReader.read(d.resolve("clip.wav")).samples();
        boolean[] respond = new boolean[clip.length / 6400];
        for (int c : DemoAssets.BEEP_CHUNKS) {
            respond[c] = true;
        }
        DemoModel m = DemoModel.build(Backends.get(), clip, respond, reply(tok), prefix);
        return new Demo(new StreamingEngine(m, prefix, StreamingEngine.detokenizer(tok), 32_768), clip, m);
    }
}
