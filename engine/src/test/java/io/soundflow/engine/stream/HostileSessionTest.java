package io.soundflow.engine.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.soundflow.engine.audio.WavReader;
import io.soundflow.engine.model.LoadOptions;
import io.soundflow.testing.SharedData;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * What a hostile or careless producer or listener can do to a session (the reliability probe's C1, M1,
 * M4, M11, m1): each case ends in a counted policy or a clear error, never a deaf or silently lossy stream.
 */
class HostileSessionTest {

    private static List<StreamEvent> collect(Session s, List<StreamEvent> ev) throws InterruptedException {
        assertThat(s.await(Duration.ofSeconds(30))).isTrue();
        return ev;
    }

    private static long nonFiniteOverruns(List<StreamEvent> ev) {
        synchronized (ev) {
            return ev.stream().filter(e -> e instanceof StreamEvent.Overrun o && o.kind() == StreamEvent.Overrun.Kind.NON_FINITE)
                    .mapToLong(e -> ((StreamEvent.Overrun) e).count()).sum();
        }
    }

    @Test
    void nonFiniteSamplesAreReplacedByZeroAndCountedAndTheRealModelDecidesAsOnTheRepairedAudio() throws Exception {
        try (StreamingEngine engine = StreamingEngine.load(SharedData.require("golden/ai-tiny").resolve("model"),
                LoadOptions.defaults())) {
            float[] clip = WavReader.read(SharedData.require("golden/ai-tiny").resolve("clip-8s.wav")).samples();
            float[] hostile = clip.clone();
            float[] repaired = clip.clone();
            int[] at = {16_000 * 5 + 100, 30_000, 30_001, 90_000};
            float[] bad = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN};
            for (int i = 0; i < at.length; i++) {
                hostile[at[i]] = bad[i];
                repaired[at[i]] = 0f;
            }
            for (FrontEndMode mode : new FrontEndMode[] {FrontEndMode.CHUNK_LOCAL, FrontEndMode.WINDOWED}) {
                SessionOptions o = SessionOptions.defaults().withMode(mode).withLayout(DrainLayout.ONE_BY_ONE).withRecordTrace(true);
                List<StreamEvent> ev = Collections.synchronizedList(new ArrayList<>());
                StreamTrace got;
                StreamStats stats;
                try (Session s = engine.newSession(o, ev::add)) {
                    StreamFeeder.feedAll(s, hostile, 1000);
                    collect(s, ev);
                    assertThat(s.failure()).as(mode.cliName()).isNull();
                    got = s.trace();
                    stats = s.stats();
                }
                StreamTrace want;
                try (Session s = engine.newSession(o, null)) {
                    StreamFeeder.feedAll(s, repaired, 1000);
                    assertThat(s.await(Duration.ofSeconds(30))).isTrue();
                    want = s.trace();
                }
                assertThat(got.decisions()).as(mode.cliName()).isEqualTo(want.decisions());
                assertThat(got.fedTokens()).as(mode.cliName()).isEqualTo(want.fedTokens());
                assertThat(stats.nonFiniteSamples()).isEqualTo(at.length);
                assertThat(stats.droppedSamples()).isZero();
                assertThat(nonFiniteOverruns(ev)).isEqualTo(at.length);
            }
        }
    }

    @Test
    void nonFiniteSamplesNeverReachTheModelAndNothingElseIsLost() throws Exception {
        FakeModel m = new FakeModel(1.2f, 1);
        float[] x = FakeModel.signal(SessionTest.PATTERN);
        for (int i = 0; i < x.length; i += 997) {
            x[i] = i % 2 == 0 ? Float.NaN : Float.NEGATIVE_INFINITY;
        }
        List<StreamEvent> ev = Collections.synchronizedList(new ArrayList<>());
        try (Session s = FakeModel.engine(m, 4096).newSession(SessionOptions.defaults().withLayout(DrainLayout.ONE_BY_ONE), ev::add)) {
            StreamFeeder.feedAll(s, x, 777);
            collect(s, ev);
            assertThat(s.failure()).isNull();
            assertThat(SessionTest.decisions(ev)).isEqualTo("ssRssRRs");
            long expected = (x.length + 996) / 997;
            assertThat(s.stats().nonFiniteSamples()).isEqualTo(expected);
            assertThat(nonFiniteOverruns(ev)).isEqualTo(expected);
            assertThat(s.stats().audioSeconds()).isEqualTo(x.length / 16_000.0);
        }
    }

    @Test
    void acceptFromTwoThreadsAtOnceFailsLoudlyAndEverySampleIsAccountedFor() throws Exception {
        FakeModel m = new FakeModel(1e9f, 0);
        SessionOptions o = SessionOptions.defaults().withQueues(1 << 22, 256);
        try (Session s = FakeModel.engine(m, 1 << 16).newSession(o, null)) {
            float[] blk = new float[37];
            AtomicLong taken = new AtomicLong();
            AtomicInteger refused = new AtomicInteger();
            List<String> messages = Collections.synchronizedList(new ArrayList<>());
            CountDownLatch go = new CountDownLatch(1);
            Runnable producer = () -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < 20_000; i++) {
                    try {
                        taken.addAndGet(s.accept(blk, 0, blk.length));
                    } catch (IllegalStateException e) {
                        refused.incrementAndGet();
                        messages.add(e.getMessage());
                    }
                }
            };
            Thread a = new Thread(producer), b = new Thread(producer);
            a.start();
            b.start();
            go.countDown();
            a.join();
            b.join();
            StreamStats st = s.stats();
            long written = Math.round(st.audioSeconds() * 16_000);
            assertThat(written + st.droppedSamples()).as("every sample a call reported as taken is in the ring").isEqualTo(taken.get());
            assertThat(taken.get() + refused.get() * 37L).isEqualTo(2 * 20_000 * 37L);
            assertThat(messages).allMatch(msg -> msg.contains("accept was called from two threads at once"));
        }
    }

    @Test
    void acceptFromSeveralThreadsOneAfterAnotherIsFine() throws Exception {
        FakeModel m = new FakeModel(1.2f, 1);
        float[] x = FakeModel.signal(SessionTest.PATTERN);
        List<StreamEvent> ev = Collections.synchronizedList(new ArrayList<>());
        try (Session s = FakeModel.engine(m, 4096).newSession(SessionOptions.defaults().withLayout(DrainLayout.ONE_BY_ONE), ev::add)) {
            for (int off = 0; off < x.length; off += 3200) { // each block from a new thread, as a server's handlers may
                int o = off;
                Thread t = Thread.ofVirtual().start(() -> s.accept(x, o, Math.min(3200, x.length - o)));
                t.join();
            }
            s.finish();
            collect(s, ev);
            assertThat(s.failure()).isNull();
            assertThat(SessionTest.decisions(ev)).isEqualTo("ssRssRRs");
        }
    }

    @Test
    void idleSessionsParkInsteadOfPolling() throws Exception {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        Set<Thread> before = Thread.getAllStackTraces().keySet();
        FakeModel m = new FakeModel(1.2f, 1);
        StreamingEngine engine = FakeModel.engine(m, 4096);
        List<Session> sessions = new ArrayList<>();
        try {
            for (int i = 0; i < 20; i++) {
                sessions.add(engine.newSession(SessionOptions.defaults(), null));
            }
            Thread.sleep(300); // let the threads start and settle
            Set<Long> ids = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> !before.contains(t) && (t.getName().startsWith("soundflow-encoder-") || t.getName().startsWith("soundflow-decoder-")))
                    .map(Thread::threadId).collect(Collectors.toSet());
            assertThat(ids).hasSize(40);
            long cpu0 = cpu(mx, ids);
            Thread.sleep(1000);
            long cpuNanos = cpu(mx, ids) - cpu0;
            // before: each idle decoder woke every 1 ms and each encoder every 2 ms (20 sessions: 0.43 cores)
            assertThat(cpuNanos).as("CPU ns used in 1 s by 20 idle sessions").isLessThan(40_000_000L);
            assertThat(engine.liveSessions()).isEqualTo(20);
        } finally {
            sessions.forEach(Session::close);
        }
        assertThat(engine.liveSessions()).isZero();
    }

    private static long cpu(ThreadMXBean mx, Set<Long> ids) {
        long sum = 0;
        for (long id : ids) {
            sum += Math.max(0, mx.getThreadCpuTime(id));
        }
        return sum;
    }

    @Test
    void aListenerThatThrowsOnStatsOrEndStillGetsExactlyOneEnd() throws Exception {
        for (Class<?> thrower : List.of(StreamEvent.Stats.class, StreamEvent.End.class)) {
            List<StreamEvent> ev = Collections.synchronizedList(new ArrayList<>());
            AtomicInteger uncaught = new AtomicInteger();
            Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
            Thread.setDefaultUncaughtExceptionHandler((t, e) -> uncaught.incrementAndGet());
            FakeModel m = new FakeModel(1.2f, 1);
            try (Session s = FakeModel.engine(m, 4096).newSession(SessionOptions.defaults().withLayout(DrainLayout.ONE_BY_ONE), e -> {
                ev.add(e);
                if (thrower.isInstance(e)) {
                    throw new RuntimeException("boom in " + thrower.getSimpleName());
                }
            })) {
                StreamFeeder.feedAll(s, FakeModel.signal(new boolean[] {false, true}), 1600);
                collect(s, ev);
                Thread.sleep(50); // a second End, if any, would come right after the first
                List<StreamEvent> ends;
                synchronized (ev) {
                    ends = ev.stream().filter(e -> e instanceof StreamEvent.End).toList();
                }
                // two chunks: the only Stats is the closing one, so the session's outcome is not the listener's
                assertThat(ends).as(thrower.getSimpleName()).containsExactly(new StreamEvent.End("end_of_audio", false));
                assertThat(s.endReason()).isEqualTo("end_of_audio");
            } finally {
                Thread.setDefaultUncaughtExceptionHandler(previous);
            }
            assertThat(uncaught.get()).as("exceptions escaping an engine thread").isZero();
        }
    }

    @Test
    void closingTheEngineEndsItsSessionsAndRefusesNewOnes() throws Exception {
        FakeModel m = new FakeModel(1.2f, 1);
        StreamingEngine engine = FakeModel.engine(m, 4096);
        List<StreamEvent> ev = Collections.synchronizedList(new ArrayList<>());
        Session s = engine.newSession(SessionOptions.defaults(), ev::add);
        s.accept(new float[3000], 0, 3000);
        engine.close();
        assertThat(s.isEnded()).isTrue();
        assertThat(s.endReason()).isEqualTo("closed");
        assertThat(SessionTest.end(ev)).isEqualTo(new StreamEvent.End("closed", false));
        assertThatThrownBy(() -> s.accept(new float[10], 0, 10)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("input has ended");
        assertThatThrownBy(() -> engine.newSession(SessionOptions.defaults(), null)).isInstanceOf(IllegalStateException.class)
                .hasMessage("this StreamingEngine is closed; a closed engine starts no session");
        engine.close(); // idempotent
    }

    @Test
    void awaitTakesAnyDurationWithoutOverflow() throws Exception {
        FakeModel m = new FakeModel(1.2f, 1);
        try (Session s = FakeModel.engine(m, 4096).newSession(SessionOptions.defaults(), null)) {
            s.finish();
            assertThat(s.await(Duration.ofSeconds(Long.MAX_VALUE))).isTrue();
        }
    }

    @Test
    void aForcedEndOfReplySaysWhy() throws Exception {
        FakeModel m = new FakeModel(1.2f, 6);
        List<StreamEvent> ev = SessionTest.run(m, SessionOptions.defaults().withLayout(DrainLayout.ONE_BY_ONE).withMaxReplyTokens(3),
                FakeModel.signal(new boolean[] {false, true}));
        List<StreamEvent.ResponseEnd> ends = ev.stream().filter(e -> e instanceof StreamEvent.ResponseEnd)
                .map(e -> (StreamEvent.ResponseEnd) e).toList();
        assertThat(ends).singleElement().satisfies(r -> {
            assertThat(r.cutReason()).isEqualTo(StreamEvent.ResponseEnd.MAX_REPLY);
            assertThat(r.replyIds()).containsExactly(151618, 100, 101, 151643);
        });
        List<StreamEvent> whole = SessionTest.run(new FakeModel(1.2f, 2), SessionOptions.defaults().withLayout(DrainLayout.ONE_BY_ONE),
                FakeModel.signal(new boolean[] {false, true}));
        assertThat(whole.stream().filter(e -> e instanceof StreamEvent.ResponseEnd).map(e -> ((StreamEvent.ResponseEnd) e).cutReason()))
                .containsExactly((String) null);
    }
}
