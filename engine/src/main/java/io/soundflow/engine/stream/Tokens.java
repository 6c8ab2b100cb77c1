package io.soundflow.engine.stream;

import io.soundflow.tokenizer.AudioInteractionPrompt;

/** The Audio-Interaction control ids the loop uses (DESIGN section 4), and emotion names. */
final class Tokens {
    static final int ASSISTANT = AudioInteractionPrompt.ASSISTANT;     // 151602
    static final int SILENT = AudioInteractionPrompt.KEEP_SILENCE;     // 151605
    static final int PAD = AudioInteractionPrompt.PAD;                 // 151608
    static final int TEXT_END = AudioInteractionPrompt.TEXT_END;       // 151643
    static final int TEXT_BEGIN = AudioInteractionPrompt.TEXT_BEGIN;   // 151644
    static final int AUDIO_BEGIN = AudioInteractionPrompt.AUDIO_BEGIN; // 151647
    private static final String[] EMOTIONS = {"happy", "sad", "angry", "surprise", "normal", "urgent"};

    private Tokens() {
    }

    /** The emotion word of tag ids 151614..151619, else "none". */
    static String emotion(int id) {
        int i = id - AudioInteractionPrompt.HAPPY;
        return i >= 0 && i < EMOTIONS.length ? EMOTIONS[i] : "none";
    }
}
