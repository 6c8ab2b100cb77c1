package io.soundflow.engine.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The runtime's behaviour with a deterministic {@link FakeModel}: decisions, layouts, errors, overload. */
class SessionTest {
    static final boolean[] PATTERN = {false, false, true, false, false, true, true, false};

    static List<StreamEvent> run(FakeModel m, SessionOptions o, float[] x) throws Exception {
        List<StreamEvent> events = Collections.synchronizedList(new ArrayList<>());
        try (Session s = FakeModel.engine(m, 4096).newSession(o.withRecordTrace(true), events::add)) {
            StreamFeeder.feedAll(s, x, 777);
            assertThat(s.await(Duration.ofSeconds(30))).isTrue();
        }
        return events;
    }

    static StreamEvent.End end(List<StreamEvent> ev) {
        synchronized (ev) {
            return ev.stream().filter(e -> e instanceof StreamEvent.End).map(e -> (StreamEvent.End) e).findFirst().orElseThrow();
        }
    }

    static String decisions(List<StreamEvent> ev) {
        StringBuilder sb = new StringBuilder();
        for (StreamEvent e : ev) {
            if (e instanceof StreamEvent.Decision d) {
                sb.append(d.respond() ? 'R' : d.forced() ? 'f' : 's');
            }
        }
        return sb.toString();
    }

    @Test
    void decidesEveryChunkInOrderAndRespondsOnLoudChunks() throws Exception {
        for (FrontEndMode mode : FrontEndMode.values()) {
            FakeModel m = new FakeModel(1.2f, 3);
            List<StreamEvent> ev = run(m, SessionOptions.defaults().withMode(mode).withLayout(DrainLayout.ONE_BY_ONE),
                    FakeModel.signal(PATTERN));
            assertThat(decisions(ev)).as(mode.cliName()).isEqualTo("ssRssRRs");
            List<StreamEvent.ResponseEnd> ends = ev.stream().filter(e -> e instanceof StreamEvent.ResponseEnd)
                    .map(e -> (StreamEvent.ResponseEnd) e).toList();
            assertThat(ends).extracting(StreamEvent.ResponseEnd::chunk).containsExactly(2L, 5L, 6L);
            assertThat(ends.get(0).replyIds()).containsExactly(151618, 100, 101, 102, 151643);
            assertThat(ends.get(0).emotion()).isEqualTo("normal");
            assertThat(ends.get(0).text()).isEqualTo("<100><101><102>");
                assertThat(end(ev)).isEqualTo(new StreamEvent.End("end_of_audio", false));
        }
    }

    @Test
    void followsTheReleasedFeedingOrder() throws Exception {
        FakeModel m = new FakeModel(1.2f, 1);
        SessionOptions o = SessionOptions.defaults().withMode(FrontEndMode.CHUNK_LOCAL).withLayout(DrainLayout.ONE_BY_ONE)
                .withRecordTrace(true);
        try (Session s = FakeModel.engine(m, 4096).newSession(o, null)) {
            StreamFeeder.feedAll(s, FakeModel.signal(new boolean[] {false, true, false}), 6400);
            assertThat(s.await(Duration.ofSeconds(30))).isTrue();
            StreamTrace t = s.trace();
            int[] block = {151647, 151608, 151608, 151608, 151608, 151608, 151608, 151608, 151608, 151608, 151608, 151602};
            List<Integer> expect = new ArrayList<>();
            for (int id : FakeModel.PREFIX) {
                expect.add(id);
            }
            for (int id : block) {
                expect.add(id);
            }
            expect.add(151605); // chunk 0's decision, forwarded with chunk 1's block
            for (int id : block) {
                expect.add(id);
            }
            expect.add(151644); // the respond decision is forwarded alone ...
            expect.add(151618); // ... then every reply token but TEXT_END
            expect.add(100);
            expect.add(151643); // TEXT_END is forwarded with chunk 2's block
            for (int id : block) {
                expect.add(id);
            }
            assertThat(t.fedTokens()).containsExactly(expect.stream().mapToInt(i -> i).toArray());
            assertThat(t.pendingToken()).isEqualTo(151605); // the last decision stays un-forwarded
            assertThat(t.nextPosition()).isEqualTo(expect.size());
            assertThat(t.decisions()).isEqualTo("sRs");
        }
    }

    /**
     * Chunk 0 is fed alone; while the decoder is held up in its first forward the rest of the clip
     * (chunks 1..5, chunk 3 loud) is queued behind it, so the second decision point drains 5 chunks.
     */
    static String backlogRun(DrainLayout layout) throws Exception {
        FakeModel m = new FakeModel(1.2f, 2);
        m.firstForwardDelayMs = 500;
        float[] x = FakeModel.signal(new boolean[] {false, false, false, true, false, false});
        List<StreamEvent> events = Collections.synchronizedList(new ArrayList<>());
        SessionOptions o = SessionOptions.defaults().withMode(FrontEndMode.CHUNK_LOCAL).withLayout(layout);
        try (Session s = FakeModel.engine(m, 4096).newSession(o, events::add)) {
            assertThat(s.accept(x, 0, 6400)).isEqualTo(6400);
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (m.forwards.get() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertThat(s.accept(x, 6400, x.length - 6400)).isEqualTo(x.length - 6400);
            s.finish();
            assertThat(s.await(Duration.ofSeconds(30))).isTrue();
        }
        return decisions(events);
    }

    @Test
    void teacherForcedForcesSilentOnIntermediateChunksAndEarlyExitRespondsThere() throws Exception {
        // f = forced <silent> after an intermediate queued chunk
        assertThat(backlogRun(DrainLayout.TEACHER_FORCED)).isEqualTo("sffffs");
        assertThat(backlogRun(DrainLayout.EARLY_EXIT)).isEqualTo("sffRfs");
        assertThat(backlogRun(DrainLayout.ONE_BY_ONE)).isEqualTo("sssRss");
    }

    @Test
    void unexpectedTokenFailsByDefaultAndIsCountedWhenLenient() throws Exception {
        FakeModel m = new FakeModel(1.2f, 1);
        m.oddToken = 42;
        List<StreamEvent> ev = run(m, SessionOptions.defaults().withLayout(DrainLayout.ONE_BY_ONE), FakeModel.signal(PATTERN));
        StreamEvent.End end = end(ev);
        assertThat(end.failed()).isTrue();
        assertThat(end.reason()).contains("unexpected token 42 while listening").contains("SessionOptions.withLenient(true)"); // the API, not a CLI flag

        FakeModel m2 = new FakeModel(1.2f, 1);
        m2.oddToken = 42;
        SessionOptions o = SessionOptions.defaults().withLayout(DrainLayout.ONE_BY_ONE).withLenient(true).withRecordTrace(true);
        try (Session s = FakeModel.engine(m2, 4096).newSession(o, null)) {
            StreamFeeder.feedAll(s, FakeModel.signal(PATTERN), 6400);
            assertThat(s.await(Duration.ofSeconds(30))).isTrue();
            assertThat(s.failure()).isNull();
            assertThat(s.stats().unexpectedTokens()).isEqualTo(PATTERN.length);
            assertThat(s.trace().decisions()).isEqualTo("ssssssss");
        }
    }

    @Test
    void anEncoderOutputOfTheWrongSizeEndsTheStreamNamingTheChunk() throws Exception {
        FakeModel m = new FakeModel(1.2f, 1);
        m.encodedVectors = 9;
        StreamEvent.End end = end(run(m, SessionOptions.defaults(), FakeModel.signal(PATTERN)));
        assertThat(end.failed()).isTrue();
        assertThat(end.reason()).contains("chunk 0").contains("expected 10 vectors");
    }

    /**
     * Decision latency runs from when a chunk's last sample was accepted, not from when the busy encoder
     * got to it: three chunks accepted at once behind a 150 ms encoder are decided at least 150, 300 and
     * 450 ms after they were complete.
     */
    @Test
    void decisionLatencyCountsFromArrivalNotFromTheEncoder() throws Exception {
        FakeModel m = new FakeModel(1.2f, 1);
        m.encodeDelayMs = 150;
        List<StreamEvent> ev = Collections.synchronizedList(new ArrayList<>());
        SessionOptions o = SessionOptions.defaults().withMode(FrontEndMode.CHUNK_LOCAL).withLayout(DrainLayout.ONE_BY_ONE);
        try (Session s = FakeModel.engine(m, 4096).newSession(o, ev::add)) {
            float[] x = FakeModel.signal(new boolean[3]);
            assertThat(s.accept(x, 0, x.length)).isEqualTo(x.length);
            s.finish();
            assertThat(s.await(Duration.ofSeconds(30))).isTrue();
        }
        List<Double> lat = ev.stream().filter(e -> e instanceof StreamEvent.Decision)
                .map(e -> ((StreamEvent.Decision) e).latencyMs()).toList();
        assertThat(lat).hasSize(3);
        for (int i = 0; i < 3; i++) {
            assertThat(lat.get(i)).as("chunk %d", i).isGreaterThanOrEqualTo(150.0 * (i + 1) - 1);
        }
    }

    @Test
    void arrivalLogFindsTheStampCoveringASample() {
        ArrivalLog log = new ArrivalLog(4);
        log.stamp(1000, 11);
        log.stamp(2000, 22);
        assertThat(log.arrival(999, -1)).isEqualTo(11);
        assertThat(log.arrival(1000, -1)).isEqualTo(22);
        assertThat(log.arrival(1999, -1)).isEqualTo(22);
        assertThat(log.arrival(2000, -1)).isEqualTo(-1); // not yet accepted: the caller's fallback
        for (int i = 0; i < 6; i++) {
            log.stamp(3000 + i, 30 + i); // the log holds 4: the last two stamps are skipped, not lost silently
        }
        assertThat(log.arrival(3002, -1)).isEqualTo(33); // sample 3002 is in the stamp "3003 accepted at 33"
        assertThat(log.arrival(3003, -1)).isEqualTo(-1); // its stamp was skipped: the caller's fallback
    }

    @Test
    void inputAfterFinishIsRejectedAndCloseIsIdempotent() throws Exception {
        Session s = FakeModel.engine(new FakeModel(0f, 1), 4096).newSession(SessionOptions.defaults(), null);
        s.finish();
        assertThatThrownBy(() -> s.accept(new float[10], 0, 10)).isInstanceOf(IllegalStateException.class);
        assertThat(s.await(Duration.ofSeconds(10))).isTrue();
        s.close();
        s.close();
        assertThat(s.endReason()).isEqualTo("end_of_audio");
    }

    @Test
    void tooSmallContextIsAClearErrorAtTheStartAndTheSmallestOneStreams() throws Exception {
        FakeModel m = new FakeModel(1.2f, 1);
        assertThatThrownBy(() -> run(m, SessionOptions.defaults().withContext(ContextPolicy.RESET, 20, 4), FakeModel.signal(PATTERN)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("a KV capacity of 20 positions is too small").hasMessageContaining("need at least 21");
        for (DrainLayout layout : DrainLayout.values()) { // the smallest capacity: the prefix (8) + one block and its decision
            FakeModel small = new FakeModel(1.2f, 1);
            List<StreamEvent> ev = run(small, SessionOptions.defaults().withLayout(layout).withContext(ContextPolicy.RESET, 21, 4),
                    FakeModel.signal(PATTERN));
            assertThat(end(ev)).as(layout.cliName()).isEqualTo(new StreamEvent.End("end_of_audio", false));
            assertThat(small.maxLengthSeen).isLessThanOrEqualTo(21);
        }
    }

    /**
     * A producer 10 times faster than the decoder, on small queues: it never waits (each accept returns
     * at once, taking what fits), every sample is either processed or counted as dropped, and every
     * chunk that was cut is decided exactly once, in order.
     */
    @Test
    void overloadLosesNothingUncounted() throws Exception {
        FakeModel m = new FakeModel(1.2f, 2);
        m.forwardDelayMs = 20; // decoder: about 20 ms per chunk; producer: 10 chunks per 20 ms
        SessionOptions o = SessionOptions.defaults().withMode(FrontEndMode.CHUNK_LOCAL).withQueues(1 << 14, 4)
                .withLayout(DrainLayout.ONE_BY_ONE);
        List<StreamEvent> ev = Collections.synchronizedList(new ArrayList<>());
        float[] x = FakeModel.signal(new boolean[60]);
        long offered = 0;
        long taken = 0;
        try (Session s = FakeModel.engine(m, 1 << 16).newSession(o, ev::add)) {
            long t0 = System.nanoTime();
            for (int off = 0; off < x.length; off += 6400) {
                for (int k = 0; k < 6400; k += 640) {
                    taken += s.accept(x, off + k, 640);
                    offered += 640;
                }
                long due = t0 + (off / 6400 + 1) * 2_000_000L; // one chunk every 2 ms
                while (System.nanoTime() < due) {
                    Thread.onSpinWait();
                }
            }
            s.finish();
            assertThat(s.await(Duration.ofSeconds(60))).isTrue();
            StreamStats st = s.stats();
            assertThat(st.droppedSamples()).isPositive();
            assertThat(taken + st.droppedSamples()).isEqualTo(offered);
            long overrun = ev.stream().filter(e -> e instanceof StreamEvent.Overrun)
                    .mapToLong(e -> ((StreamEvent.Overrun) e).count()).sum();
            assertThat(overrun).isEqualTo(st.droppedSamples());
            long chunks = (taken + 6399) / 6400;
            List<Long> decided = ev.stream().filter(e -> e instanceof StreamEvent.Decision)
                    .map(e -> ((StreamEvent.Decision) e).chunk()).toList();
            assertThat(decided).hasSize((int) chunks);
            for (int i = 0; i < decided.size(); i++) {
                assertThat(decided.get(i)).isEqualTo(i);
            }
            assertThat(st.chunksEncoded()).isEqualTo(chunks);
        }
    }

    @Test
    void warmUpRunsTheModelsRealShapesAndLeavesNothingBehind() throws Exception {
        FakeModel m = new FakeModel(1.2f, 1);
        StreamingEngine engine = FakeModel.engine(m, 4096);
        assertThat(engine.warmUp()).isPositive();
        // two rounds of, for each KV dtype: one listening forward (prefix + a block whose 10 PAD rows take the audio)
        // and one reply step
        assertThat(m.forwards.get()).isEqualTo(2 * 2 * 2);
        assertThat(m.maxLengthSeen).isEqualTo(FakeModel.PREFIX.length + DecoderLoop.BLOCK + 1);
        List<StreamEvent> ev = run(m, SessionOptions.defaults().withLayout(DrainLayout.ONE_BY_ONE), FakeModel.signal(PATTERN));
        assertThat(decisions(ev)).isEqualTo("ssRssRRs"); // a session afterwards is unaffected
    }
}
