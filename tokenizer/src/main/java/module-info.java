/** SoundFlow tokenizer: Qwen's byte-level BPE from {@code tokenizer.json}, identical to Hugging Face tokenizers. */
module io.soundflow.tokenizer {
    requires com.fasterxml.jackson.databind;
    requires it.unimi.dsi.fastutil.core;

    exports io.soundflow.tokenizer;
}
