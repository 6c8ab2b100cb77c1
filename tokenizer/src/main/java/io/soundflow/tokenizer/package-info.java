/**
 * The Qwen byte-level BPE tokenizer, identical to Hugging Face tokenizers: {@link io.soundflow.tokenizer.Tokenizer}
 * (load, encode, decode, token lookups), {@link io.soundflow.tokenizer.StreamingDecoder} (token-by-token
 * text that never splits a character and never prints control ids), and the prompt builders
 * {@link io.soundflow.tokenizer.ChatTemplate} (Qwen2.5-Omni) and
 * {@link io.soundflow.tokenizer.AudioInteractionPrompt} (the Audio-Interaction online format).
 */
package io.soundflow.tokenizer;
