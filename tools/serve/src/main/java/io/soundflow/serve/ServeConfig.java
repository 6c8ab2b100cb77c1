package io.soundflow.serve;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How {@code soundflow serve} listens and what it admits.
 *
 * @param host            interface to bind (default 127.0.0.1: loopback only)
 * @param port            TCP port (0 = a free one, see {@link RealtimeServer#port()})
 * @param maxSessions     most WebSocket sessions at once; one more gets an {@code error} event and close code 1013
 * @param apiKey          when not null, {@code Authorization: Bearer <apiKey>} is required before the upgrade
 * @param allowedOrigins  browser origins allowed to open {@code /v1/realtime} besides the server's own page
 *                        ({@code "*"} = any); a request without {@code Origin} (not a browser) is always allowed
 * @param idleTimeout     a connection with no frame for this long is closed
 * @param maxMessageBytes largest WebSocket message (text or binary); a larger one closes the connection (1009)
 * @param modelName       what {@code session.created} reports as the model
 * @param kvBudgetBytes   the KV cache memory all sessions together may reach, each counted at its full capacity
 *                        (0 = three quarters of the maximum heap); a session beyond it is refused when it starts
 */
public record ServeConfig(String host, int port, int maxSessions, String apiKey, List<String> allowedOrigins,
                          Duration idleTimeout, int maxMessageBytes, String modelName, long kvBudgetBytes) {

    public ServeConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        allowedOrigins = List.copyOf(allowedOrigins);
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535, got " + port);
        }
        if (maxSessions < 1) {
            throw new IllegalArgumentException("maxSessions must be at least 1, got " + maxSessions);
        }
        if (maxMessageBytes < 1024) {
            throw new IllegalArgumentException("maxMessageBytes must be at least 1024, got " + maxMessageBytes);
        }
        if (idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("idleTimeout must be positive, got " + idleTimeout);
        }
        if (kvBudgetBytes < 0) {
            throw new IllegalArgumentException("kvBudgetBytes must be >= 0 (0 = three quarters of the heap), got " + kvBudgetBytes);
        }
        if (apiKey != null && apiKey.isBlank()) {
            throw new IllegalArgumentException("the API key is empty");
        }
    }

    /** Loopback, port 8080, 16 sessions, no key, 120 s idle timeout, 4 MiB messages. */
    public static ServeConfig defaults() {
        return new ServeConfig("127.0.0.1", 8080, 16, null, List.of(), Duration.ofSeconds(120), 4 << 20, "soundflow", 0);
    }

    public ServeConfig withPort(int p) {
        return new ServeConfig(host, p, maxSessions, apiKey, allowedOrigins, idleTimeout, maxMessageBytes, modelName, kvBudgetBytes);
    }

    public ServeConfig withHost(String h) {
        return new ServeConfig(h, port, maxSessions, apiKey, allowedOrigins, idleTimeout, maxMessageBytes, modelName, kvBudgetBytes);
    }

    public ServeConfig withMaxSessions(int n) {
        return new ServeConfig(host, port, n, apiKey, allowedOrigins, idleTimeout, maxMessageBytes, modelName, kvBudgetBytes);
    }

    public ServeConfig withApiKey(String key) {
        return new ServeConfig(host, port, maxSessions, key, allowedOrigins, idleTimeout, maxMessageBytes, modelName, kvBudgetBytes);
    }

    public ServeConfig withAllowedOrigins(List<String> origins) {
        return new ServeConfig(host, port, maxSessions, apiKey, origins, idleTimeout, maxMessageBytes, modelName, kvBudgetBytes);
    }

    public ServeConfig withIdleTimeout(Duration d) {
        return new ServeConfig(host, port, maxSessions, apiKey, allowedOrigins, d, maxMessageBytes, modelName, kvBudgetBytes);
    }

    public ServeConfig withMaxMessageBytes(int n) {
        return new ServeConfig(host, port, maxSessions, apiKey, allowedOrigins, idleTimeout, n, modelName, kvBudgetBytes);
    }

    public ServeConfig withKvBudgetBytes(long bytes) {
        return new ServeConfig(host, port, maxSessions, apiKey, allowedOrigins, idleTimeout, maxMessageBytes, modelName, bytes);
    }

    /** The KV budget in bytes ({@link #kvBudgetBytes()}, or three quarters of this JVM's maximum heap). */
    public long kvBudget() {
        return kvBudgetBytes > 0 ? kvBudgetBytes : Runtime.getRuntime().maxMemory() / 4 * 3;
    }

    public ServeConfig withModelName(String name) {
        return new ServeConfig(host, port, maxSessions, apiKey, allowedOrigins, idleTimeout, maxMessageBytes, name, kvBudgetBytes);
    }
}
