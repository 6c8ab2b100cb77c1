package io.soundflow.tokenizer;

/**
 * The GPT-2 byte-level alphabet used by Qwen: every byte 0..255 is shown as one printable code point
 * (printable Latin-1 bytes stand for themselves, the others are shifted to U+0100 and up), so a BPE
 * vocabulary of strings can cover arbitrary UTF-8 bytes.
 */
final class ByteLevel {
    /** [256] byte value to its code point. */
    private static final char[] BYTE_TO_CHAR = new char[256];
    /** [0x180] code point to byte value, -1 where the code point is not in the alphabet. */
    private static final short[] CHAR_TO_BYTE = new short[0x180];

    static {
        java.util.Arrays.fill(CHAR_TO_BYTE, (short) -1);
        int n = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            char c = printable ? (char) b : (char) (256 + n++);
            BYTE_TO_CHAR[b] = c;
            CHAR_TO_BYTE[c] = (short) b;
        }
    }

    private ByteLevel() {
    }

    /** The alphabet's code point for a byte value (0..255). */
    static char charOf(int b) {
        return BYTE_TO_CHAR[b & 0xFF];
    }

    /** The byte a code point stands for, or -1 if it is not in the alphabet. */
    static int byteOf(char c) {
        return c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
    }

    /**
     * The bytes a token string stands for, as Hugging Face's ByteLevel decoder reads it: if every char
     * is in the alphabet, the mapped bytes; otherwise the token's own UTF-8 bytes.
     */
    static byte[] decodeToken(String token) {
        byte[] out = new byte[token.length()];
        for (int i = 0; i < token.length(); i++) {
            int b = byteOf(token.charAt(i));
            if (b < 0) {
                return token.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            }
            out[i] = (byte) b;
        }
        return out;
    }

    /** A byte string in the alphabet (the form of vocabulary and merge entries). */
    static String encode(byte[] bytes) {
        char[] cs = new char[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            cs[i] = BYTE_TO_CHAR[bytes[i] & 0xFF];
        }
        return new String(cs);
    }
}
