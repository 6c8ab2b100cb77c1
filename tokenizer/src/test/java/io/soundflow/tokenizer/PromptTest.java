package io.soundflow.tokenizer;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static io.soundflow.tokenizer.ChatTemplate.Audio;
import static io.soundflow.tokenizer.ChatTemplate.Message;
import static io.soundflow.tokenizer.ChatTemplate.Text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The Qwen2.5-Omni chat template and the Audio-Interaction online prefix. */
class PromptTest {
    private static Tokenizer tok;

    @BeforeAll
    static void load() {
        tok = TestTokenizers.omni();
    }

    /** The 41 ids listed in research/audio-interaction-checkpoint.md section 9. */
    private static final int[] SYSTEM_PROMPT_IDS = {2610, 525, 264, 10950, 17847, 13, 3197, 1052, 374, 902, 1196, 1467,
            11, 421, 279, 7699, 5610, 264, 3405, 11, 4486, 4226, 432, 13, 1416, 432, 374, 264, 5112, 2456, 11, 8253, 3118,
            389, 279, 5112, 3425, 1492, 374, 4362, 13};

    @Test
    void audioInteractionPrefixIsTheReleasedOne() {
        int[] prefix = AudioInteractionPrompt.prefixIds(tok);
        assertThat(SYSTEM_PROMPT_IDS).hasSize(41);
        assertThat(prefix).hasSize(46);
        assertThat(Arrays.copyOfRange(prefix, 0, 4)).containsExactly(151_609, 151_611, 151_644, 151_644);
        assertThat(Arrays.copyOfRange(prefix, 4, 45)).containsExactly(SYSTEM_PROMPT_IDS);
        assertThat(prefix[45]).isEqualTo(151_643);
        assertThat(tok.decode(SYSTEM_PROMPT_IDS, false)).isEqualTo(AudioInteractionPrompt.SYSTEM_PROMPT);
    }

    @Test
    void chunkBlockAndControlIds() {
        assertThat(AudioInteractionPrompt.chunkBlockIds()).containsExactly(151_647, 151_608, 151_608, 151_608, 151_608,
                151_608, 151_608, 151_608, 151_608, 151_608, 151_608, 151_602);
        assertThat(AudioInteractionPrompt.controlIds()).hasSize(19).contains(151_601, 151_605, 151_619)
                .doesNotContain(151_600, 151_620);
    }

    @Test
    void prefixRefusesANonQwenTokenizer(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        var root = TestTokenizers.smallJson();
        ((com.fasterxml.jackson.databind.node.ObjectNode) root.path("added_tokens").get(0)).put("id", 151_700);
        java.nio.file.Path p = dir.resolve("shifted.json");
        new com.fasterxml.jackson.databind.ObjectMapper().writeValue(p.toFile(), root);
        Tokenizer shifted = Tokenizer.load(p);
        assertThatThrownBy(() -> AudioInteractionPrompt.prefixIds(shifted)).isInstanceOf(TokenizerException.class)
                .hasMessageContaining("<|endoftext|>").hasMessageContaining("151643");
    }

    /** The rendering given in research/qwen25-omni-thinker.md section 5. */
    @Test
    void chatTemplateRendersSystemUserAudioTextAndGenerationPrompt() {
        String text = ChatTemplate.render(List.of(Message.system("S"), Message.user(new Audio(1), new Text("Q"))), true);
        assertThat(text).isEqualTo("<|im_start|>system\nS<|im_end|>\n<|im_start|>user\n<|audio_bos|><|AUDIO|><|audio_eos|>Q"
                + "<|im_end|>\n<|im_start|>assistant\n");
    }

    /** The cookbook rendering (text item then audio item), and the default system turn. */
    @Test
    void cookbookRenderingAndDefaultSystemTurn() {
        String asr = ChatTemplate.render(List.of(Message.system("You are a speech recognition model."),
                Message.user(new Text("Transcribe the English audio into text without any punctuation marks."), new Audio(1))), true);
        assertThat(asr).isEqualTo("<|im_start|>system\nYou are a speech recognition model.<|im_end|>\n<|im_start|>user\n"
                + "Transcribe the English audio into text without any punctuation marks.<|audio_bos|><|AUDIO|><|audio_eos|>"
                + "<|im_end|>\n<|im_start|>assistant\n");
        String dflt = ChatTemplate.render(List.of(Message.user(new Text("hi")), Message.assistant("hello")), false);
        assertThat(dflt).isEqualTo("<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nhi<|im_end|>\n"
                + "<|im_start|>assistant\nhello<|im_end|>\n");
    }

    @Test
    void encodedPromptHasOneAudioIdPerVectorBetweenTheMarkers() {
        int frames = 3000; // 30 s of mel frames
        int n = ChatTemplate.audioPlaceholders(frames);
        assertThat(n).isEqualTo(750);
        int[] ids = ChatTemplate.encode(tok, List.of(Message.user(Audio.ofMelFrames(frames), new Text("What is said?"))), true);
        int bos = indexOf(ids, 151_647);
        int eos = indexOf(ids, 151_648);
        assertThat(eos - bos - 1).isEqualTo(n);
        for (int i = bos + 1; i < eos; i++) {
            assertThat(ids[i]).isEqualTo(151_646);
        }
        assertThat(Arrays.copyOfRange(ids, 0, 3)).containsExactly(151_644, 8948, 198);
        assertThat(Arrays.copyOfRange(ids, ids.length - 3, ids.length)).containsExactly(151_644, 77091, 198);
        assertThat(Arrays.stream(ids).filter(i -> i == 151_645).count()).isEqualTo(2);
    }

    @Test
    void audioPlaceholderCountFollowsTheEncoderStrides() {
        // floor(ceil(L/2)/2): the stride-2 conv, then the pair average
        assertThat(ChatTemplate.audioPlaceholders(1)).isZero();
        assertThat(ChatTemplate.audioPlaceholders(4)).isEqualTo(1);
        assertThat(ChatTemplate.audioPlaceholders(7)).isEqualTo(2);
        assertThat(ChatTemplate.audioPlaceholders(100)).isEqualTo(25);
        assertThat(ChatTemplate.audioPlaceholders(101)).isEqualTo(25);
        assertThat(ChatTemplate.audioPlaceholders(103)).isEqualTo(26);
        assertThatThrownBy(() -> ChatTemplate.audioPlaceholders(0)).isInstanceOf(IllegalArgumentException.class);
    }

    private static int indexOf(int[] a, int v) {
        for (int i = 0; i < a.length; i++) {
            if (a[i] == v) {
                return i;
            }
        }
        return -1;
    }
}
