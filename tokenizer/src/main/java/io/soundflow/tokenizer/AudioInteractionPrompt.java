package io.soundflow.tokenizer;

import it.unimi.dsi.fastutil.ints.IntArrayList;
import it.unimi.dsi.fastutil.ints.IntOpenHashSet;
import it.unimi.dsi.fastutil.ints.IntSet;
import it.unimi.dsi.fastutil.ints.IntSets;

/**
 * The Audio-Interaction online sequence format: the prefix, the per-chunk listening block and the
 * control ids. The control ids are ordinary Qwen BPE ids reused as markers (151601..151619) plus
 * Qwen's {@code <|endoftext|>} (TEXT_END) and {@code <|im_start|>} (TEXT_BEGIN, SYSTEM); they are
 * intercepted by id and never printed.
 */
public final class AudioInteractionPrompt {
    /** The system prompt of the released training and inference code. */
    public static final String SYSTEM_PROMPT = "You are a helpful assistant. When there is no user text, if the audio "
            + "contains a question, please answer it. If it is a sound effect, determine based on the sound whether "
            + "help is needed.";

    public static final int USER = 151601;
    public static final int ASSISTANT = 151602;
    /** The {@code <silent>} decision. */
    public static final int KEEP_SILENCE = 151605;
    public static final int PAD = 151608;
    public static final int ONLINE = 151609;
    public static final int OFFLINE = 151610;
    public static final int ENGLISH = 151611;
    public static final int HAPPY = 151614;
    public static final int SAD = 151615;
    public static final int ANGRY = 151616;
    public static final int SURPRISE = 151617;
    public static final int NORMAL = 151618;
    public static final int URGENT = 151619;
    /** The {@code <response>} decision and the start of any text; Qwen {@code <|im_start|>}. */
    public static final int TEXT_BEGIN = 151644;
    public static final int SYSTEM = 151644;
    /** The end of any text; Qwen {@code <|endoftext|>}. */
    public static final int TEXT_END = 151643;
    /** Opens every audio block; Qwen2.5-Omni {@code <|audio_bos|>}. */
    public static final int AUDIO_BEGIN = 151647;
    /** Audio vectors per 400 ms chunk. */
    public static final int SLOTS_PER_CHUNK = 10;
    /** The first and last of the repurposed BPE ids. */
    public static final int FIRST_CONTROL = 151601;
    public static final int LAST_CONTROL = 151619;

    private static final IntSet CONTROL_IDS;

    static {
        IntOpenHashSet s = new IntOpenHashSet();
        for (int id = FIRST_CONTROL; id <= LAST_CONTROL; id++) {
            s.add(id);
        }
        CONTROL_IDS = IntSets.unmodifiable(s);
    }

    private AudioInteractionPrompt() {
    }

    /**
     * The online prefix: ONLINE, ENGLISH, SYSTEM, TEXT_BEGIN, the system prompt's BPE, TEXT_END (46 ids
     * with the Qwen2.5 vocabulary).
     *
     * @throws TokenizerException if the tokenizer does not have Qwen's {@code <|endoftext|>} at 151643
     *                            and {@code <|im_start|>} at 151644
     */
    public static int[] prefixIds(Tokenizer tokenizer) {
        checkQwen(tokenizer, "<|endoftext|>", TEXT_END);
        checkQwen(tokenizer, "<|im_start|>", TEXT_BEGIN);
        IntArrayList ids = new IntArrayList();
        ids.add(ONLINE);
        ids.add(ENGLISH);
        ids.add(SYSTEM);
        ids.add(TEXT_BEGIN);
        ids.addElements(ids.size(), tokenizer.encode(SYSTEM_PROMPT));
        ids.add(TEXT_END);
        return ids.toIntArray();
    }

    /** One listening block: AUDIO_BEGIN, 10 x PAD (replaced by the chunk's vectors), ASSISTANT. */
    public static int[] chunkBlockIds() {
        int[] ids = new int[SLOTS_PER_CHUNK + 2];
        ids[0] = AUDIO_BEGIN;
        java.util.Arrays.fill(ids, 1, SLOTS_PER_CHUNK + 1, PAD);
        ids[SLOTS_PER_CHUNK + 1] = ASSISTANT;
        return ids;
    }

    /** The repurposed BPE ids 151601..151619, never to be printed as text. */
    public static IntSet controlIds() {
        return CONTROL_IDS;
    }

    private static void checkQwen(Tokenizer tokenizer, String token, int expected) {
        int id = tokenizer.tokenId(token).orElse(-1);
        if (id != expected) {
            throw new TokenizerException(tokenizer.source() + ": " + token + " has id " + id + ", but the Audio-Interaction "
                    + "format needs it at " + expected + "; is this a Qwen2.5 tokenizer?");
        }
    }
}
