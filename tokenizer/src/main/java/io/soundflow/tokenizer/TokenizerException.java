package io.soundflow.tokenizer;

/** A tokenizer file that cannot be used (missing, malformed, unsupported), or an invalid id. */
public final class TokenizerException extends RuntimeException {
    public TokenizerException(String message) {
        super(message);
    }

    public TokenizerException(String message, Throwable cause) {
        super(message, cause);
    }
}
