package io.soundflow.tokenizer;

/**
 * Lossy UTF-8 decoding exactly as Rust's {@code String::from_utf8_lossy} (which Hugging Face's
 * ByteLevel decoder uses): each maximal invalid subpart (a byte that cannot start a character, or a
 * valid start cut short by a wrong byte or by the end of input) becomes one U+FFFD.
 */
final class Utf8 {
    private Utf8() {
    }

    static String decodeLossy(byte[] b, int from, int to) {
        StringBuilder sb = new StringBuilder(to - from);
        int i = from;
        while (i < to) {
            int first = b[i] & 0xFF;
            if (first < 0x80) {
                sb.append((char) first);
                i++;
                continue;
            }
            int len = validLength(b, i, to);
            if (len > 0) {
                int cp;
                if (len == 2) {
                    cp = ((first & 0x1F) << 6) | (b[i + 1] & 0x3F);
                } else if (len == 3) {
                    cp = ((first & 0x0F) << 12) | ((b[i + 1] & 0x3F) << 6) | (b[i + 2] & 0x3F);
                } else {
                    cp = ((first & 0x07) << 18) | ((b[i + 1] & 0x3F) << 12) | ((b[i + 2] & 0x3F) << 6) | (b[i + 3] & 0x3F);
                }
                sb.appendCodePoint(cp);
                i += len;
            } else {
                sb.append('\uFFFD');
                i += -len;
            }
        }
        return sb.toString();
    }

    /**
     * At a non-ASCII byte: the length of the valid character starting there (2..4), or minus the
     * number of bytes that form one invalid subpart (1..3, or the rest of the input if it ends early).
     */
    static int validLength(byte[] b, int i, int to) {
        int first = b[i] & 0xFF;
        int width = first >= 0xC2 && first <= 0xDF ? 2 : first >= 0xE0 && first <= 0xEF ? 3
                : first >= 0xF0 && first <= 0xF4 ? 4 : 0;
        if (width == 0) {
            return -1;
        }
        if (i + 1 >= to) {
            return -(to - i);
        }
        int second = b[i + 1] & 0xFF;
        int lo = 0x80;
        int hi = 0xBF;
        if (first == 0xE0) {
            lo = 0xA0;
        } else if (first == 0xED) {
            hi = 0x9F;
        } else if (first == 0xF0) {
            lo = 0x90;
        } else if (first == 0xF4) {
            hi = 0x8F;
        }
        if (second < lo || second > hi) {
            return -1;
        }
        for (int k = 2; k < width; k++) {
            if (i + k >= to) {
                return -(to - i);
            }
            if ((b[i + k] & 0xC0) != 0x80) {
                return -k;
            }
        }
        return width;
    }
}
