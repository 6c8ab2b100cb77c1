package io.soundflow.tokenizer;

/**
 * A token added on top of the BPE vocabulary ({@code <|im_start|>} ...): matched in the raw text
 * before normalization and never merged with its neighbours.
 *
 * @param id its id
 * @param content its exact text
 * @param special whether decoding with {@code skipSpecial} drops it
 */
public record AddedToken(int id, String content, boolean special) {
}
