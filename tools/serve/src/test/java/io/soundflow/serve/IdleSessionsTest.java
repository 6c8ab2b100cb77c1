package io.soundflow.serve;

import static org.assertj.core.api.Assertions.assertThat;

import io.soundflow.engine.model.LoadOptions;
import io.soundflow.engine.stream.StreamingEngine;
import io.soundflow.testing.SharedData;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * 100 connected sessions whose engine sessions have started (one chunk each, then nothing) cost almost no CPU:
 * the CPU time of every thread in this JVM (engine, Jetty, clients) over two idle seconds is measured.
 */
class IdleSessionsTest {
    static final int N = 100;

    static long cpuNanos(ThreadMXBean mx) {
        long sum = 0;
        for (long id : mx.getAllThreadIds()) {
            long t = mx.getThreadCpuTime(id);
            if (t > 0) {
                sum += t;
            }
        }
        return sum;
    }

    @Test
    void aHundredIdleSessionsCostAlmostNoCpu() throws Exception {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        org.junit.jupiter.api.Assumptions.assumeTrue(mx.isThreadCpuTimeSupported(), "thread CPU time is not measurable here");
        mx.setThreadCpuTimeEnabled(true);
        try (StreamingEngine engine = StreamingEngine.load(SharedData.require("golden/ai-tiny").resolve("model"), LoadOptions.defaults());
             RealtimeServer server = RealtimeServer.start(engine, ServeConfig.defaults().withPort(0).withMaxSessions(N))) {
            List<WsClient> clients = java.util.Collections.synchronizedList(new ArrayList<>());
            try {
                long s0 = System.nanoTime();
                try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
                    List<java.util.concurrent.Future<?>> fs = new ArrayList<>();
                    for (int i = 0; i < N; i++) {
                        fs.add(pool.submit(() -> {
                            WsClient c = WsClient.connect(server.port());
                            clients.add(c);
                            c.expect("session.created");
                            // sized to need: a 4096-position context (2 MB of KV here) instead of the model's 32768
                            c.send("{\"type\":\"session.update\",\"session\":{\"soundflow\":{\"max_positions\":4096}}}");
                            c.expect("session.updated");
                            c.sendBinary(new byte[12000 * 2]); // 500 ms at 24 kHz (windowed needs a look-ahead): one decision
                            c.until("soundflow.decision");
                            return null;
                        }));
                    }
                    for (var f : fs) {
                        f.get();
                    }
                }
                System.out.printf(Locale.ROOT, "IdleSessionsTest: %d sessions connected and decided once in %.1f s%n", N,
                        (System.nanoTime() - s0) / 1e9);
                assertThat(engine.liveSessions()).isEqualTo(N);
                Thread.sleep(500); // let the last events drain
                long c0 = cpuNanos(mx);
                long t0 = System.nanoTime();
                Thread.sleep(2000);
                double cores = (cpuNanos(mx) - c0) / (double) (System.nanoTime() - t0);
                System.out.printf(Locale.ROOT, "IdleSessionsTest: %d idle sessions cost %.4f cores (all threads of the JVM)%n", N, cores);
                assertThat(cores).as("CPU of %d idle sessions, in cores", N).isLessThan(0.05);
            } finally {
                clients.forEach(WsClient::close);
            }
        }
    }
}
