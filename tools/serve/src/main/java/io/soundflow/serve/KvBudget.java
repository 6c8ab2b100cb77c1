package io.soundflow.serve;

import io.soundflow.engine.InteractionModel;
import io.soundflow.engine.model.AudioInteractionModel;
import io.soundflow.engine.model.KvCache;
import io.soundflow.engine.stream.SessionOptions;
import io.soundflow.engine.stream.StreamingEngine;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Admission by memory: every engine session is counted at the KV cache its capacity could reach (the cache grows
 * in blocks as the context grows, so a session starts small but may reach that), and a session that would take
 * the sum past the budget is refused when it starts, with a message saying what it needs. The engine's own check
 * is per session; this one is across them.
 */
final class KvBudget {
    private final StreamingEngine engine;
    private final long budget;
    private final AtomicLong reserved = new AtomicLong();

    KvBudget(StreamingEngine engine, long budget) {
        this.engine = engine;
        this.budget = budget;
    }

    /** Bytes a session with {@code o} could reach, or 0 when the model does not say (then it is not counted). */
    long need(SessionOptions o) {
        InteractionModel m = engine.model();
        if (!(m instanceof AudioInteractionModel ai)) {
            return 0;
        }
        int capacity = o.maxPositions() > 0 ? o.maxPositions() : engine.blockSize();
        return capacity * KvCache.bytesPerPosition(ai.text().config().layers(), ai.text().config().kvDim(), o.kvDtype());
    }

    /** Reserves {@code need} bytes; throws {@link IllegalStateException} saying why when they are not there. */
    void reserve(long need, SessionOptions o) {
        while (true) {
            long r = reserved.get();
            if (r + need > budget) {
                throw new IllegalStateException(String.format(Locale.ROOT, "its KV cache could reach %.1f MB (%d positions, %s) and "
                                + "the open sessions may already reach %.1f MB of the %.1f MB budget; lower session.soundflow.max_positions, "
                                + "use kv_dtype f16, or give the server more heap (-Xmx)", need / 1e6,
                        o.maxPositions() > 0 ? o.maxPositions() : engine.blockSize(), o.kvDtype().cliName(), r / 1e6, budget / 1e6));
            }
            if (reserved.compareAndSet(r, r + need)) {
                return;
            }
        }
    }

    void release(long bytes) {
        reserved.addAndGet(-bytes);
    }

    long reserved() {
        return reserved.get();
    }

    long budget() {
        return budget;
    }
}
