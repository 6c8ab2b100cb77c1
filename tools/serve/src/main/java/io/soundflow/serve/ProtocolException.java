package io.soundflow.serve;

/**
 * A client message the server refuses: becomes an {@code error} event ({@code invalid_request_error}) with
 * this code, the offending parameter and a message naming the problem; the session lives on.
 */
final class ProtocolException extends IllegalArgumentException {
    private final String code;
    private final String param;

    ProtocolException(String code, String param, String message) {
        super(message);
        this.code = code;
        this.param = param;
    }

    String code() {
        return code;
    }

    /** The parameter at fault (dotted path), or null. */
    String param() {
        return param;
    }
}
