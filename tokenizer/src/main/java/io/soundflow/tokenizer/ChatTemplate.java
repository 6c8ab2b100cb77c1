package io.soundflow.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The Qwen2.5-Omni chat template (ChatML with audio items), rendered as the processor does before
 * tokenizing: every message is {@code <|im_start|>role\n} + its items joined with nothing in between +
 * {@code <|im_end|>\n}; an audio item is {@code <|audio_bos|>} + n x {@code <|AUDIO|>} +
 * {@code <|audio_eos|>} with n = {@link #audioPlaceholders}; a conversation that does not open with a
 * system message gets the default system turn; the generation prompt is
 * {@code <|im_start|>assistant\n}.
 */
public final class ChatTemplate {
    /** The system turn inserted when the first message is not a system message. */
    public static final String DEFAULT_SYSTEM_PROMPT = "You are a helpful assistant.";
    public static final String IM_START = "<|im_start|>";
    public static final String IM_END = "<|im_end|>";
    public static final String AUDIO = "<|AUDIO|>";
    public static final String AUDIO_BOS = "<|audio_bos|>";
    public static final String AUDIO_EOS = "<|audio_eos|>";

    private ChatTemplate() {
    }

    /** One content item of a message. */
    public sealed interface Item permits Text, Audio {
    }

    /** A text item. */
    public record Text(String text) implements Item {
        public Text {
            Objects.requireNonNull(text, "text");
        }
    }

    /**
     * An audio item standing for {@code placeholders} audio vectors ({@code <|AUDIO|>} tokens).
     *
     * @param placeholders n, see {@link #audioPlaceholders(int)}
     */
    public record Audio(int placeholders) implements Item {
        public Audio {
            if (placeholders < 1) {
                throw new IllegalArgumentException("an audio item needs at least one placeholder, got " + placeholders);
            }
        }

        /** The audio item for a clip of {@code melFrames} mel frames (100 per second). */
        public static Audio ofMelFrames(int melFrames) {
            return new Audio(audioPlaceholders(melFrames));
        }
    }

    /** A message: role ({@code system}, {@code user}, {@code assistant}) and its items. */
    public record Message(String role, List<Item> items) {
        public Message {
            Objects.requireNonNull(role, "role");
            items = List.copyOf(items);
        }

        public static Message system(String text) {
            return new Message("system", List.of(new Text(text)));
        }

        public static Message user(Item... items) {
            return new Message("user", List.of(items));
        }

        public static Message assistant(String text) {
            return new Message("assistant", List.of(new Text(text)));
        }
    }

    /**
     * How many audio vectors (and so {@code <|AUDIO|>} tokens) the Qwen2.5-Omni audio tower gives for
     * {@code melFrames} mel frames: the stride-2 conv halves (rounding up), the pair average halves
     * again (rounding down): floor(ceil(L / 2) / 2).
     */
    public static int audioPlaceholders(int melFrames) {
        if (melFrames < 1) {
            throw new IllegalArgumentException("melFrames must be positive, got " + melFrames);
        }
        return ((melFrames + 1) / 2) / 2;
    }

    /** The prompt text, with each audio item expanded to its placeholders. */
    public static String render(List<Message> messages, boolean addGenerationPrompt) {
        StringBuilder sb = new StringBuilder();
        List<Message> all = new ArrayList<>(messages);
        if (all.isEmpty() || !all.getFirst().role().equals("system")) {
            all.addFirst(Message.system(DEFAULT_SYSTEM_PROMPT));
        }
        for (Message m : all) {
            sb.append(IM_START).append(m.role()).append('\n');
            for (Item item : m.items()) {
                switch (item) {
                    case Text t -> sb.append(t.text());
                    case Audio a -> {
                        sb.append(AUDIO_BOS);
                        sb.repeat(AUDIO, a.placeholders());
                        sb.append(AUDIO_EOS);
                    }
                }
            }
            sb.append(IM_END).append('\n');
        }
        if (addGenerationPrompt) {
            sb.append(IM_START).append("assistant\n");
        }
        return sb.toString();
    }

    /** The prompt ids: {@link #render} encoded by {@code tokenizer}. */
    public static int[] encode(Tokenizer tokenizer, List<Message> messages, boolean addGenerationPrompt) {
        for (String t : List.of(IM_START, IM_END, AUDIO, AUDIO_BOS, AUDIO_EOS)) {
            tokenizer.requireTokenId(t);
        }
        return tokenizer.encode(render(messages, addGenerationPrompt));
    }
}
