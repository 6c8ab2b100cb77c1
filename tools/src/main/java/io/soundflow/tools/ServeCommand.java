package io.soundflow.tools;

import io.soundflow.engine.model.LoadOptions;
import io.soundflow.engine.stream.StreamingEngine;
import io.soundflow.kernels.Backends;
import io.soundflow.serve.RealtimeServer;
import io.soundflow.serve.ServeConfig;
import io.soundflow.tools.demo.Demo;
import io.soundflow.tools.demo.DemoAssets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code soundflow serve}: the model loaded once, one streaming session per WebSocket, over the OpenAI
 * Realtime protocol ({@code /v1/realtime}), with {@code /health}, {@code /metrics} and a browser page at
 * {@code /}. Runs until SIGTERM or Ctrl-C, then shuts down gracefully.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve an Audio-Interaction model over the OpenAI Realtime protocol (WebSocket /v1/realtime), with a browser page at /.")
final class ServeCommand implements Callable<Integer> {

    @Option(names = "--model", paramLabel = "DIR", description = "Audio-Interaction checkpoint folder (default: the built-in demo model of `soundflow demo`).")
    Path model;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Interface to bind (default ${DEFAULT-VALUE}, loopback only; 0.0.0.0 for every interface).")
    String host;

    @Option(names = "--port", defaultValue = "8080", description = "TCP port (default ${DEFAULT-VALUE}; 0 = a free one).")
    int port;

    @Option(names = "--max-sessions", paramLabel = "N", defaultValue = "16", description = "Most WebSocket sessions at once (default ${DEFAULT-VALUE}); one more gets an error event and close code 1013.")
    int maxSessions;

    @Option(names = "--api-key-env", paramLabel = "VAR", description = "Require `Authorization: Bearer <key>` on /v1/realtime, the key read from this environment variable.")
    String apiKeyEnv;

    @Option(names = "--allow-origin", paramLabel = "ORIGIN", description = "Browser origin allowed to connect besides this server's own page (repeatable; * = any).")
    List<String> allowOrigins = new ArrayList<>();

    @Option(names = "--idle-timeout", paramLabel = "SECONDS", defaultValue = "120", description = "Close a connection that sends nothing for this long (default ${DEFAULT-VALUE}).")
    long idleSeconds;

    @Option(names = "--max-message-bytes", paramLabel = "N", defaultValue = "4194304", description = "Largest WebSocket message (default ${DEFAULT-VALUE}); a larger one closes the connection (1009).")
    int maxMessageBytes;

    @Option(names = "--kv-budget-mb", paramLabel = "MB", defaultValue = "0", description = "KV cache memory all sessions together may reach, "
            + "each counted at its full capacity (default 0 = three quarters of the heap); a session beyond it is refused.")
    long kvBudgetMb;

    @Option(names = "--quantize", paramLabel = "q8_0|q4_0", description = "Convert the weight matrices at load.")
    String quantize;

    @Mixin
    VerboseOption verboseOption;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        String key = null;
        if (apiKeyEnv != null) {
            key = System.getenv(apiKeyEnv);
            if (key == null || key.isBlank()) {
                throw new IllegalArgumentException("--api-key-env " + apiKeyEnv + ": the environment variable is not set or empty");
            }
        }
        if (kvBudgetMb < 0) {
            throw new IllegalArgumentException("--kv-budget-mb must be >= 0 (0 = three quarters of the heap), got " + kvBudgetMb);
        }
        if (idleSeconds < 1) {
            throw new IllegalArgumentException("--idle-timeout must be at least 1 second, got " + idleSeconds);
        }
        StreamingEngine engine;
        String name;
        Path dir;
        if (model == null) {
            Demo demo = Demo.load(DemoAssets.defaultDir());
            engine = demo.engine();
            dir = demo.modelDir();
            name = "soundflow-demo (random weights)";
            spec.commandLine().getOut().println("soundflow serve: the built-in demo model " + demo.modelDir()
                    + " (RANDOM weights: it shows the pipeline, it understands nothing)");
        } else {
            if (!Files.isDirectory(model)) {
                throw new IllegalArgumentException(model + ": no such model folder");
            }
            engine = StreamingEngine.load(model, new LoadOptions(Backends.get(), LoadOptions.parseQuantize(quantize)));
            dir = model;
            name = model.toAbsolutePath().normalize().getFileName().toString();
        }
        ServeConfig config = new ServeConfig(host, port, maxSessions, key, allowOrigins, Duration.ofSeconds(idleSeconds),
                maxMessageBytes, name, kvBudgetMb * 1_000_000L);
        RealtimeServer server;
        try {
            server = RealtimeServer.start(engine, config, dir);
        } catch (RuntimeException e) {
            engine.close();
            throw e;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("soundflow-serve-shutdown").unstarted(() -> {
            server.close(); // every session gets its final soundflow.stats and close code 1001
            try {
                engine.close();
            } catch (Exception ignored) {
                // exiting anyway
            }
            stopped.countDown();
        }));
        String shown = host.contains(":") ? "[" + host + "]" : host;
        var out = spec.commandLine().getOut();
        out.printf("soundflow serve: http://%s:%d/ (the page), ws://%s:%d/v1/realtime (OpenAI Realtime), /health, /metrics, POST /v1/chat/completions, POST /v1/audio/transcriptions%n",
                shown, server.port(), shown, server.port());
        out.printf("  model %s | at most %d sessions | %s | Ctrl-C or SIGTERM stops it%n", name, maxSessions,
                key != null ? "bearer key from $" + apiKeyEnv : "no key");
        out.flush();
        stopped.await();
        return 0;
    }
}
