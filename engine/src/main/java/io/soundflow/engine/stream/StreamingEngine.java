package io.soundflow.engine.stream;

import io.soundflow.engine.InteractionModel;
import io.soundflow.engine.model.AudioInteractionLoader;
import io.soundflow.engine.model.AudioInteractionModel;
import io.soundflow.engine.model.LoadOptions;
import io.soundflow.tokenizer.AudioInteractionPrompt;
import io.soundflow.tokenizer.StreamingDecoder;
import io.soundflow.tokenizer.Tokenizer;
import io.soundflow.weights.CheckpointLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The immutable streaming model: an {@link InteractionModel} plus the Audio-Interaction prefix and the
 * detokenizer, shared by every {@link Session}. {@code engine.newSession(options, listener)} starts a
 * stream. {@link #close()} ends the sessions still running (reason "closed"), then releases the model;
 * a closed engine starts no session.
 */
public final class StreamingEngine implements AutoCloseable {
    private final InteractionModel model;
    private final int[] prefixIds;
    private final Supplier<TextPieces> text;
    private final int blockSize;
    private final AutoCloseable owned;
    private final Set<Session> live = ConcurrentHashMap.newKeySet();
    private boolean closed; // guarded by this

    /**
     * @param model     the thinker (audio tower + decoder)
     * @param prefixIds the online prefix (ONLINE, ENGLISH, 151644, 151644, system prompt, 151643)
     * @param text      one detokenizer per response
     * @param blockSize the model's KV capacity (its config's block size)
     */
    public StreamingEngine(InteractionModel model, int[] prefixIds, Supplier<TextPieces> text, int blockSize) {
        this(model, prefixIds, text, blockSize, null);
    }

    private StreamingEngine(InteractionModel model, int[] prefixIds, Supplier<TextPieces> text, int blockSize,
                            AutoCloseable owned) {
        this.model = Objects.requireNonNull(model, "model");
        this.prefixIds = prefixIds.clone();
        this.text = Objects.requireNonNull(text, "text");
        if (blockSize <= prefixIds.length + DecoderLoop.BLOCK) {
            throw new IllegalArgumentException("block size " + blockSize + " cannot hold the prefix and one chunk");
        }
        this.blockSize = blockSize;
        this.owned = owned;
    }

    /**
     * Loads a released-layout Audio-Interaction checkpoint folder (model_config.yaml, safetensors,
     * audio tower .pth, qwen25OmniConfig/config.json, tokenizer.json).
     */
    public static StreamingEngine load(Path dir, LoadOptions options) {
        if (!Files.isDirectory(dir)) {
            throw new StreamException(dir + ": no such model folder");
        }
        Path tok = dir.resolve("tokenizer.json");
        if (!Files.isRegularFile(tok)) {
            throw new StreamException(dir + ": not an Audio-Interaction model folder (missing tokenizer.json)");
        }
        Tokenizer tokenizer = Tokenizer.load(tok);
        int[] prefix = AudioInteractionPrompt.prefixIds(tokenizer);
        AudioInteractionModel m = AudioInteractionLoader.load(dir, options);
        try {
            m.text().config().requireTokenizer(tokenizer, dir.resolve(CheckpointLayout.AI_MODEL_CONFIG));
            StreamingEngine engine = new StreamingEngine(m, prefix, detokenizer(tokenizer), m.text().config().maxPositions(), m);
            engine.warmUp();
            return engine;
        } catch (RuntimeException | Error e) { // the mapped files are released whatever failed
            m.close();
            throw e;
        }
    }

    /**
     * Runs the model twice on synthetic data of its real shapes (see {@link Warmup}) so that a stream's
     * first chunks are not decoded by interpreted kernels; {@link #load} does this once. Returns how long it took.
     */
    public Duration warmUp() {
        return Duration.ofNanos(Warmup.run(model, prefixIds, 2));
    }

    /** One streaming detokenizer per response over {@code tokenizer}, never printing the control ids 151601..151619. */
    public static Supplier<TextPieces> detokenizer(Tokenizer tokenizer) {
        return () -> pieces(tokenizer.newStreamingDecoder(AudioInteractionPrompt.controlIds()));
    }

    private static TextPieces pieces(StreamingDecoder d) {
        return new TextPieces() {
            @Override
            public String push(int id) {
                return d.push(id);
            }

            @Override
            public String flush() {
                return d.flush();
            }
        };
    }

    /** Starts a stream: its threads run until the input ends ({@link Session#finish()}) or {@link Session#close()}. */
    public Session newSession(SessionOptions options, StreamListener listener) {
        Objects.requireNonNull(options, "options");
        Session s;
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("this StreamingEngine is closed; a closed engine starts no session");
            }
            s = new Session(this, options, listener == null ? StreamListener.NONE : listener);
            live.add(s);
        }
        s.start();
        return s;
    }

    /** A session's loop has ended. */
    void ended(Session s) {
        live.remove(s);
    }

    /** Sessions started and not yet ended. */
    public int liveSessions() {
        return live.size();
    }

    public InteractionModel model() {
        return model;
    }

    /** The online prefix ids (a copy). */
    public int[] prefixIds() {
        return prefixIds.clone();
    }

    /** KV positions a session may use by default. */
    public int blockSize() {
        return blockSize;
    }

    TextPieces newTextPieces() {
        return text.get();
    }

    /** Ends every running session (each finishes its current forward, reason "closed"), then releases the model. Idempotent. */
    @Override
    public void close() throws Exception {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        for (Session s : List.copyOf(live)) {
            s.close();
        }
        if (owned != null) {
            owned.close();
        }
    }
}
