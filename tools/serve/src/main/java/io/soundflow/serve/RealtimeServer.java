package io.soundflow.serve;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.ForbiddenResponse;
import io.javalin.http.ServiceUnavailableResponse;
import io.javalin.http.UnauthorizedResponse;
import io.javalin.websocket.WsContext;
import io.soundflow.engine.stream.StreamingEngine;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code soundflow serve}: one shared {@link StreamingEngine}, one engine session per WebSocket, on Javalin 7
 * (Jetty 12, virtual threads). Routes: {@code GET /v1/realtime} (the OpenAI Realtime protocol, see the README),
 * {@code GET /health}, {@code GET /metrics} (Prometheus text), {@code GET /} (the browser page).
 *
 * <p>Checked before the WebSocket upgrade, as plain HTTP: shutdown in progress (503), the {@code Origin}
 * allow-list (403), the bearer key when one is set (401). After the upgrade: the session limit (an
 * {@code error} event, then close code 1013).
 */
public final class RealtimeServer implements AutoCloseable {
    private static final String WEB = "/io/soundflow/serve/web/";
    private static final System.Logger LOG = System.getLogger(RealtimeServer.class.getName());

    private final StreamingEngine engine;
    private final ServeConfig config;
    private final ServeMetrics metrics = new ServeMetrics();
    private final KvBudget budget;
    private final Map<String, RealtimeConnection> connections = new ConcurrentHashMap<>();
    private final AtomicInteger admitted = new AtomicInteger();
    private final AtomicInteger ids = new AtomicInteger();
    private final Javalin app;
    private final OfflineRoutes offline; // null when the model has no offline view (no tokenizer folder given)
    private volatile boolean closing;

    private RealtimeServer(StreamingEngine engine, ServeConfig config, java.nio.file.Path modelDir) {
        this.engine = Objects.requireNonNull(engine, "engine");
        this.config = Objects.requireNonNull(config, "config");
        this.budget = new KvBudget(engine, config.kvBudget());
        OfflineAnswers answers = OfflineAnswers.of(engine.model(), modelDir);
        this.offline = answers == null ? null : new OfflineRoutes(answers, config.modelName(), Math.max(1, config.maxSessions() / 4));
        this.app = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.startup.showOldJavalinVersionWarning = false;
            cfg.concurrency.useVirtualThreads = true;
            cfg.http.maxRequestSize = config.maxMessageBytes();
            cfg.jetty.modifyWebSocketServletFactory(f -> {
                f.setMaxTextMessageSize(config.maxMessageBytes());
                f.setMaxBinaryMessageSize(config.maxMessageBytes());
                f.setIdleTimeout(config.idleTimeout());
            });
            cfg.routes.get("/health", this::health);
            cfg.routes.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape()));
            cfg.routes.get("/", ctx -> resource(ctx, "index.html", "text/html; charset=utf-8"));
            cfg.routes.get("/app.js", ctx -> resource(ctx, "app.js", "text/javascript; charset=utf-8"));
            cfg.routes.get("/pcm-worklet.js", ctx -> resource(ctx, "pcm-worklet.js", "text/javascript; charset=utf-8"));
            cfg.routes.post("/v1/chat/completions", ctx -> offline(ctx).chat(ctx));
            cfg.routes.post("/v1/audio/transcriptions", ctx -> offline(ctx).transcribe(ctx));
            cfg.routes.exception(OfflineRoutes.HttpError.class, (e, ctx) -> OfflineRoutes.send(ctx, e));
            cfg.routes.wsBeforeUpgrade("/v1/realtime", this::beforeUpgrade);
            cfg.routes.ws("/v1/realtime", ws -> {
                ws.onConnect(this::connect);
                ws.onMessage(ctx -> {
                    RealtimeConnection c = connections.get(ctx.sessionId());
                    if (c != null) {
                        c.onText(ctx.message());
                    }
                });
                ws.onBinaryMessage(ctx -> {
                    RealtimeConnection c = connections.get(ctx.sessionId());
                    if (c != null) {
                        c.onBinary(ctx.data());
                    }
                });
                ws.onClose(ctx -> disconnect(ctx.sessionId()));
                ws.onError(ctx -> {
                    LOG.log(System.Logger.Level.DEBUG, "websocket " + ctx.sessionId() + ": " + ctx.error());
                    disconnect(ctx.sessionId());
                });
            });
        });
    }

    // Jetty and Javalin announce every start and stop at INFO; unless logging is configured, only warnings show
    private static final java.util.logging.Logger[] QUIET = {java.util.logging.Logger.getLogger("org.eclipse.jetty"),
            java.util.logging.Logger.getLogger("io.javalin")};

    static {
        if (System.getProperty("java.util.logging.config.file") == null) {
            for (java.util.logging.Logger l : QUIET) {
                l.setLevel(java.util.logging.Level.WARNING);
            }
        }
    }

    /** Starts serving {@code engine} (loaded, warmed up) as {@code config} says; returns once the port is bound. */
    public static RealtimeServer start(StreamingEngine engine, ServeConfig config) {
        return start(engine, config, null);
    }

    /**
     * {@link #start(StreamingEngine, ServeConfig)} that also serves {@code POST /v1/chat/completions} and
     * {@code POST /v1/audio/transcriptions} through the offline path, with the tokenizer of {@code modelDir}.
     */
    public static RealtimeServer start(StreamingEngine engine, ServeConfig config, java.nio.file.Path modelDir) {
        RealtimeServer s = new RealtimeServer(engine, config, modelDir);
        s.app.start(config.host(), config.port());
        return s;
    }

    /** The bound port (the free one chosen for port 0). */
    public int port() {
        return app.port();
    }

    /** Sessions open now. */
    public int sessions() {
        return admitted.get();
    }

    private void health(Context ctx) {
        ctx.status(closing ? 503 : 200);
        ctx.json(Map.of("status", closing ? "shutting_down" : "ready", "model", config.modelName(),
                "sessions", admitted.get(), "max_sessions", config.maxSessions(),
                "kv_reserved_bytes", budget.reserved(), "kv_budget_bytes", budget.budget()));
    }

    private OfflineRoutes offline(Context ctx) {
        if (closing) {
            throw new OfflineRoutes.HttpError(503, "shutting_down", null, "the server is shutting down");
        }
        if (!authorized(ctx)) {
            ctx.header("WWW-Authenticate", "Bearer");
            throw new OfflineRoutes.HttpError(401, "invalid_api_key", null, "missing or wrong Authorization: Bearer <key>");
        }
        if (offline == null) {
            throw new OfflineRoutes.HttpError(501, "not_available", null, "the offline endpoints need the model folder's "
                    + "tokenizer.json (serve was started without it)");
        }
        return offline;
    }

    private boolean authorized(Context ctx) {
        if (config.apiKey() == null) {
            return true;
        }
        String auth = ctx.header("Authorization");
        String want = "Bearer " + config.apiKey();
        return auth != null && MessageDigest.isEqual(auth.getBytes(StandardCharsets.UTF_8), want.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A browser cannot set {@code Authorization} on a WebSocket: as OpenAI's Realtime API does, the key may come as
     * the subprotocol {@code openai-insecure-api-key.<key>} beside {@code realtime} (the server answers {@code realtime}).
     */
    private boolean authorizedBySubprotocol(Context ctx) {
        String protocols = ctx.header("Sec-WebSocket-Protocol");
        if (config.apiKey() == null || protocols == null) {
            return false;
        }
        byte[] want = ("openai-insecure-api-key." + config.apiKey()).getBytes(StandardCharsets.UTF_8);
        boolean ok = false;
        for (String p : protocols.split(",")) {
            ok |= MessageDigest.isEqual(p.trim().getBytes(StandardCharsets.UTF_8), want);
        }
        return ok;
    }

    private void beforeUpgrade(Context ctx) {
        if (closing) {
            throw new ServiceUnavailableResponse("the server is shutting down");
        }
        String origin = ctx.header("Origin");
        if (origin != null && !originAllowed(origin, ctx.header("Host"))) {
            metrics.refused("origin");
            throw new ForbiddenResponse("origin " + origin + " is not allowed (serve --allow-origin)");
        }
        if (!authorized(ctx) && !authorizedBySubprotocol(ctx)) {
            metrics.refused("auth");
            ctx.header("WWW-Authenticate", "Bearer");
            throw new UnauthorizedResponse(ctx.header("Authorization") == null ? "missing Authorization: Bearer <key>" : "wrong API key");
        }
    }

    /** The server's own page (same host and port), a listed origin, or any with "*". */
    boolean originAllowed(String origin, String host) {
        List<String> allowed = config.allowedOrigins();
        if (allowed.contains("*") || allowed.contains(origin)) {
            return true;
        }
        try {
            URI u = URI.create(origin);
            String hostPort = u.getPort() < 0 ? u.getHost() : u.getHost() + ":" + u.getPort();
            return host != null && ("http".equals(u.getScheme()) || "https".equals(u.getScheme())) && host.equalsIgnoreCase(hostPort);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private void connect(WsContext ctx) {
        int n;
        do {
            n = admitted.get();
            if (n >= config.maxSessions() || closing) {
                metrics.refused("max_sessions");
                RealtimeConnection.refuse(ctx, "max_sessions", closing ? "the server is shutting down"
                        : "the server holds its maximum of " + config.maxSessions() + " sessions (serve --max-sessions); try again later");
                ctx.closeSession(1013, "try again later");
                return;
            }
        } while (!admitted.compareAndSet(n, n + 1));
        RealtimeConnection c = new RealtimeConnection(engine, config, metrics, budget, ctx, Integer.toString(ids.incrementAndGet()));
        connections.put(ctx.sessionId(), c);
        metrics.admitted(c);
        c.opened();
    }

    private void disconnect(String sessionId) {
        RealtimeConnection c = connections.remove(sessionId);
        if (c != null) {
            c.closed();
            admitted.decrementAndGet();
        }
    }

    private static void resource(Context ctx, String name, String type) {
        try (InputStream in = RealtimeServer.class.getResourceAsStream(WEB + name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + WEB + name);
            }
            ctx.contentType(type).header("Cache-Control", "no-cache").result(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Graceful shutdown: new connections are refused, every session ends (its final {@code soundflow.stats}
     * is sent) and gets close code 1001, then the server stops. The engine stays open (its owner closes it).
     */
    @Override
    public void close() {
        if (closing) {
            return;
        }
        closing = true;
        for (RealtimeConnection c : List.copyOf(connections.values())) {
            c.shutdown();
        }
        long deadline = System.nanoTime() + 2_000_000_000L; // let the close handshakes complete
        while (!connections.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        app.stop();
    }
}
