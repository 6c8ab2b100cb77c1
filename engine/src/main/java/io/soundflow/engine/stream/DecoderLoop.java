package io.soundflow.engine.stream;

import io.soundflow.engine.DecoderCache;
import io.soundflow.engine.InteractionModel;
import io.soundflow.engine.model.Sampler;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * The decoder thread: the released greedy loop ({@code streaming_generate}) driven by the chunk FIFO.
 * At each decision point (start, after {@code <silent>}, after TEXT_END) it drains the FIFO into its
 * backlog and forwards [pending token(s), AUDIO_BEGIN, 10 audio slots, ASSISTANT] per chunk (the
 * pending token is the last decision or TEXT_END; on the first step the whole prefix), then reads the
 * decision at ASSISTANT. On {@code <response>} it forwards 151644 alone and generates one token per
 * forward until TEXT_END, which becomes the next pending token. At end of input it stops at the next
 * decision point, leaving the last decision un-forwarded, as the released loop does.
 */
final class DecoderLoop implements Runnable {
    static final int BLOCK = 12; // AUDIO_BEGIN, 10 slots, ASSISTANT
    static final int MAX_BATCH = 32; // chunks per teacher-forced forward
    private static final int STATS_EVERY = 25;
    private static final int[] NONE = new int[0];        // no audio slots, no history
    private static final float[] NO_VECTORS = new float[0];
    private static final int[] FIRST_ROW = {0};          // logits of the only row of a one-token forward
    private static final int[] DECISION_IDS = {Tokens.SILENT, Tokens.TEXT_BEGIN}; // logits read at each ASSISTANT

    private final Session s;
    private final InteractionModel model;
    private final SessionOptions o;
    private final int[] prefix;
    private final int slots;
    private final int hidden;
    private final int vocab;
    private final DecoderCache cache;
    private final int capacity;
    private final int maxBatch; // chunks per forward: MAX_BATCH, or fewer when the capacity holds fewer after the prefix
    private final Sampler sampler;
    private final ArrayDeque<EncodedChunk> backlog = new ArrayDeque<>();
    private final IntArrayList pending = new IntArrayList();
    private final ArrayDeque<Segment> segments = new ArrayDeque<>(); // window policy: recent chunks as fed
    private long lastResponseEnd;
    private long decided;
    // trace (only with recordTrace)
    final IntArrayList fed = new IntArrayList();
    final List<StreamTrace.ChunkRecord> records = new ArrayList<>();

    /** The tokens fed for one chunk (its block, forced silent, decision, reply) and its audio. */
    private record Segment(IntArrayList ids, float[] vectors, int firstSlot) {
    }

    DecoderLoop(Session s, InteractionModel model, int[] prefix, int capacity) {
        this.s = s;
        this.model = model;
        this.o = s.options;
        this.prefix = prefix.clone();
        this.slots = model.audioVectorsPerChunk();
        this.hidden = model.hiddenSize();
        this.vocab = model.vocabSize();
        if (slots != 10) {
            throw new IllegalArgumentException("the Audio-Interaction format has 10 audio slots per chunk; the model gives " + slots);
        }
        int least = minCapacity(prefix.length);
        if (capacity < least) {
            throw new IllegalArgumentException("a KV capacity of " + capacity + " positions is too small: the prefix ("
                    + prefix.length + ") and one listening block with its decision (" + (BLOCK + 1) + ") need at least "
                    + least + " (maxPositions, --max-positions)");
        }
        this.capacity = capacity;
        this.maxBatch = Math.min(MAX_BATCH, (capacity - prefix.length) / (BLOCK + 1));
        this.cache = model.newCache(capacity, !o.exactPositions(), o.kvDtype());
        this.sampler = o.sampling().greedy() ? null : new Sampler(o.sampling());
        pending.addElements(0, prefix);
    }

    /** The smallest KV capacity a session can stream with: the prefix, one block and the decision after it. */
    static int minCapacity(int prefixLength) {
        return prefixLength + BLOCK + 1;
    }

    int positions() {
        return cache.length();
    }

    int pendingToken() {
        return pending.isEmpty() ? -1 : pending.getInt(pending.size() - 1);
    }

    @Override
    public void run() {
        String reason = "end_of_audio";
        Throwable error = null;
        try {
            while (true) {
                boolean encoderDone = s.encoderDone; // read before draining: nothing can be queued after it
                drain();
                if (backlog.isEmpty()) {
                    if (s.closed) {
                        reason = "closed";
                        break;
                    }
                    if (encoderDone) {
                        break;
                    }
                    LockSupport.park(this); // an idle session costs nothing: the encoder, close() and fail() unpark us
                    continue;
                }
                s.metrics.queueDepth(backlog.size() + s.fifo.size());
                int k = o.layout() == DrainLayout.ONE_BY_ONE ? 1 : Math.min(backlog.size(), maxBatch);
                listen(k);
                if (s.closed) {
                    reason = "closed";
                    break;
                }
            }
        } catch (Throwable t) {
            error = t;
            reason = t.getMessage() == null ? t.toString() : t.getMessage();
        }
        s.end(reason, error); // exactly once, whatever the listener does
    }

    private void drain() {
        for (EncodedChunk c; (c = s.fifo.poll()) != null; ) {
            backlog.add(c);
        }
    }

    /** One listening forward over k queued chunks, then the decision (and the response, if any). */
    private void listen(int k) {
        ensureRoom(k);
        EncodedChunk[] cs = new EncodedChunk[k];
        for (int j = 0; j < k; j++) {
            cs[j] = backlog.poll();
        }
        int n0 = pending.size();
        int[] ids = new int[n0 + k * BLOCK + (k - 1)];
        int[] audioSlots = new int[k * slots];
        float[] vectors = new float[k * slots * hidden]; // [k * 10, hidden]
        int[] assistantRow = new int[k];
        pending.getElements(0, ids, 0, n0);
        int p = n0;
        for (int j = 0; j < k; j++) {
            ids[p++] = Tokens.AUDIO_BEGIN;
            for (int i = 0; i < slots; i++) {
                audioSlots[j * slots + i] = p;
                ids[p++] = Tokens.PAD;
            }
            System.arraycopy(cs[j].vectors(), 0, vectors, j * slots * hidden, slots * hidden);
            assistantRow[j] = p;
            ids[p++] = Tokens.ASSISTANT;
            if (j < k - 1) {
                ids[p++] = Tokens.SILENT; // teacher-forced <silent> after an intermediate chunk
            }
        }
        boolean early = o.layout() == DrainLayout.EARLY_EXIT && k > 1;
        int[] rows = early ? assistantRow : new int[] {assistantRow[k - 1]};
        int start = cache.length();
        long t0 = System.nanoTime();
        Picks picks = decide(ids, audioSlots, vectors, rows);
        int cut = k;
        int token = -1;
        if (early) {
            for (int j = 0; j < k - 1; j++) {
                if (picks.get(j) == Tokens.TEXT_BEGIN) {
                    cut = j + 1;
                    token = Tokens.TEXT_BEGIN;
                    break;
                }
            }
        }
        if (cut < k) { // early exit: forget everything after chunk cut-1's ASSISTANT, requeue the rest in order
            cache.truncate(start + assistantRow[cut - 1] + 1);
            for (int j = k - 1; j >= cut; j--) {
                backlog.addFirst(cs[j]);
            }
        } else {
            token = picks.get(rows.length - 1);
        }
        s.metrics.decoderBusy(System.nanoTime() - t0, cache.length());
        int consumedEnd = cut == k ? ids.length : assistantRow[cut - 1] + 1;
        record(ids, 0, consumedEnd, cs, audioSlots, n0, cut);
        pending.clear();
        long now = System.nanoTime();
        for (int j = 0; j < cut - 1; j++) {
            decision(cs[j], Tokens.SILENT, false, true, now, early ? picks.margin(j) : Double.NaN);
        }
        EncodedChunk last = cs[cut - 1];
        double margin = picks.margin(cut < k ? cut - 1 : rows.length - 1);
        if (token == Tokens.TEXT_BEGIN) {
            s.cancelRequested = false; // a cancel that came before this reply is not for it
            decision(last, token, true, false, now, margin);
            respond(last);
        } else if (token == Tokens.SILENT) {
            decision(last, token, false, false, now, margin);
            pending.add(Tokens.SILENT);
        } else if (o.lenient()) {
            s.metrics.unexpectedToken();
            decision(last, token, false, false, now, margin);
            pending.add(Tokens.SILENT);
        } else {
            throw new StreamException("chunk " + last.index() + ": unexpected token " + token + " while listening "
                    + "(expected 151605 <silent> or 151644 <response>); SessionOptions.withLenient(true) treats it as silent");
        }
    }

    private void decision(EncodedChunk c, int token, boolean respond, boolean forced, long now, double margin) {
        double latency = (now - c.completeNanos()) / 1e6;
        s.metrics.decision(latency);
        if (lastResponseEnd != 0) {
            s.metrics.fcl((now - lastResponseEnd) / 1e6);
            lastResponseEnd = 0;
        }
        if (o.recordTrace() && !respond) {
            records.add(new StreamTrace.ChunkRecord(c.index(), token, forced, new int[0]));
        }
        s.emit(new StreamEvent.Decision(c.index(), respond, token, forced, latency, margin));
        if (++decided % STATS_EVERY == 0) {
            s.emit(new StreamEvent.Stats(s.stats()));
        }
    }

    /** Generates the response after a {@code <response>} decision, one token per forward, to TEXT_END. */
    private void respond(EncodedChunk c) {
        s.metrics.response();
        IntArrayList reply = new IntArrayList();
        TextPieces text = s.engine.newTextPieces();
        StringBuilder sb = new StringBuilder();
        int tok = Tokens.TEXT_BEGIN;
        String cut = null;                               // why TEXT_END was forced, if it was
        int[] one = new int[1];                          // the token fed by each one-token forward
        while (true) {
            if (cache.length() + 1 > capacity || s.closed || s.cancelRequested) { // no room, shutting down or cancelled
                reply.add(Tokens.TEXT_END);
                cut = s.closed ? StreamEvent.ResponseEnd.CLOSED
                        : s.cancelRequested ? StreamEvent.ResponseEnd.CANCELLED : StreamEvent.ResponseEnd.CONTEXT_FULL;
                s.cancelRequested = false;
                break;
            }
            long t0 = System.nanoTime();
            one[0] = tok;
            int next = forward(one, NONE, NO_VECTORS, FIRST_ROW).get(0);
            s.metrics.decoderBusy(System.nanoTime() - t0, cache.length());
            fedOne(tok);
            reply.add(next);
            if (next == Tokens.TEXT_END) {
                break;
            }
            String piece = text.push(next);
            sb.append(piece);
            s.emit(new StreamEvent.Token(c.index(), next, piece));
            if (o.maxReplyTokens() > 0 && reply.size() >= o.maxReplyTokens()) {
                reply.add(Tokens.TEXT_END);
                cut = StreamEvent.ResponseEnd.MAX_REPLY;
                break;
            }
            tok = next;
        }
        String tail = text.flush();
        if (!tail.isEmpty()) {
            sb.append(tail);
            s.emit(new StreamEvent.Token(c.index(), -1, tail));
        }
        pending.add(Tokens.TEXT_END);
        int[] ids = reply.toIntArray();
        if (o.recordTrace()) {
            records.add(new StreamTrace.ChunkRecord(c.index(), Tokens.TEXT_BEGIN, false, ids));
        }
        s.emit(new StreamEvent.ResponseEnd(c.index(), ids, Tokens.emotion(ids[0]), sb.toString(), cut));
        lastResponseEnd = System.nanoTime();
    }

    /** The token picked for each logit row of one forward (greedy reads back only the argmax). */
    @FunctionalInterface
    private interface Picks {
        int get(int row);

        /** {@code <response>} minus {@code <silent>} logit of a row (NaN when not read). */
        default double margin(int row) {
            return Double.NaN;
        }
    }

    /**
     * A listening forward: at each decision row the {@code <silent>} and {@code <response>} logits are read
     * (the margin) and {@link SessionOptions#decisionBias()} is applied between the two.
     */
    private Picks decide(int[] ids, int[] audioSlots, float[] vectors, int[] rows) {
        float bias = o.decisionBias();
        float[] two = new float[rows.length * 2];
        int[] best;
        if (sampler == null) {
            best = model.greedy(cache, ids, audioSlots, vectors, rows, DECISION_IDS, two);
            if (bias != 0f) {
                for (int j = 0; j < best.length; j++) {
                    if (best[j] == Tokens.SILENT || best[j] == Tokens.TEXT_BEGIN) {
                        best[j] = two[2 * j + 1] + bias > two[2 * j] ? Tokens.TEXT_BEGIN : Tokens.SILENT;
                    }
                }
            }
        } else {
            float[] logits = model.forward(cache, ids, audioSlots, vectors, rows); // [rows, vocab]
            best = new int[rows.length];
            for (int j = 0; j < rows.length; j++) {
                two[2 * j] = logits[j * vocab + Tokens.SILENT];
                two[2 * j + 1] = logits[j * vocab + Tokens.TEXT_BEGIN];
                logits[j * vocab + Tokens.TEXT_BEGIN] += bias;
                best[j] = sampler.next(logits, j * vocab, vocab, NONE);
            }
        }
        return new Picks() {
            @Override
            public int get(int row) {
                return best[row];
            }

            @Override
            public double margin(int row) {
                return (double) two[2 * row + 1] - two[2 * row];
            }
        };
    }

    private Picks forward(int[] ids, int[] audioSlots, float[] vectors, int[] rows) {
        if (sampler == null) {
            int[] best = model.greedy(cache, ids, audioSlots, vectors, rows);
            return j -> best[j];
        }
        float[] logits = model.forward(cache, ids, audioSlots, vectors, rows); // [rows, vocab]
        return j -> sampler.next(logits, j * vocab, vocab, NONE);
    }

    /** Bookkeeping of what a listening forward fed: the trace and the window policy's segments. */
    private void record(int[] ids, int from, int to, EncodedChunk[] cs, int[] audioSlots, int n0, int cut) {
        if (o.recordTrace()) {
            fed.addElements(fed.size(), ids, from, to - from);
        }
        if (o.contextPolicy() != ContextPolicy.WINDOW) {
            return;
        }
        if (!segments.isEmpty()) { // the pending tokens belong to the previous chunk
            segments.peekLast().ids().addElements(segments.peekLast().ids().size(), ids, 0, n0);
        }
        int p = n0;
        for (int j = 0; j < cut; j++) {
            int end = j == cut - 1 ? to : p + BLOCK + 1;
            IntArrayList seg = new IntArrayList();
            seg.addElements(0, ids, p, end - p);
            segments.add(new Segment(seg, cs[j].vectors(), audioSlots[j * slots] - p)); // [slots, hidden], not copied
            p = end;
        }
        while (segments.size() > o.windowBlocks()) {
            segments.poll();
        }
    }

    private void fedOne(int tok) {
        if (o.recordTrace()) {
            fed.add(tok);
        }
        if (o.contextPolicy() == ContextPolicy.WINDOW && !segments.isEmpty()) {
            segments.peekLast().ids().add(tok);
        }
    }

    /** Positions a listening forward over {@code k} chunks needs: the pending tokens, k blocks and the next decision. */
    private int need(int k) {
        return pending.size() + k * (BLOCK + 1);
    }

    /** Applies the context policy when a listening forward over {@code k} chunks would not fit. */
    private void ensureRoom(int k) {
        int n = need(k);
        if (cache.length() + n <= capacity) {
            return;
        }
        int before = cache.length();
        cache.truncate(prefix.length);
        if (o.contextPolicy() == ContextPolicy.RESET) {
            pending.clear();
            segments.clear();
        } else {
            int room = capacity - prefix.length - n;
            int total = 0;
            int keep = 0;
            for (var it = segments.descendingIterator(); it.hasNext(); ) {
                int len = it.next().ids().size();
                if (total + len > room) {
                    break;
                }
                total += len;
                keep++;
            }
            while (segments.size() > keep) {
                segments.poll();
            }
            if (keep == 0) {
                pending.clear();
            }
            refill(total);
        }
        s.metrics.contextLimit();
        s.emit(new StreamEvent.ContextLimit(o.contextPolicy().cliName(), before, cache.length()));
        if (cache.length() + need(k) > capacity) { // k chunks in one forward may not fit even after the policy
            throw new StreamException("the KV capacity (" + capacity + " positions) is too small for a listening forward over "
                    + k + " chunks (" + (cache.length() + need(k)) + " positions)");
        }
    }

    /** Window policy: forwards the kept segments again after the prefix, at fresh positions. */
    private void refill(int total) {
        if (total == 0) {
            return;
        }
        int[] ids = new int[total];
        int[] audioSlots = new int[segments.size() * slots];
        float[] vectors = new float[segments.size() * slots * hidden];
        int p = 0;
        int j = 0;
        for (Segment g : segments) {
            g.ids().getElements(0, ids, p, g.ids().size());
            for (int i = 0; i < slots; i++) {
                audioSlots[j * slots + i] = p + g.firstSlot() + i;
            }
            System.arraycopy(g.vectors(), 0, vectors, j * slots * hidden, slots * hidden);
            p += g.ids().size();
            j++;
        }
        long t0 = System.nanoTime();
        model.forward(cache, ids, audioSlots, vectors, NONE);
        s.metrics.decoderBusy(System.nanoTime() - t0, cache.length());
        if (o.recordTrace()) {
            fed.addElements(fed.size(), ids);
        }
    }
}
