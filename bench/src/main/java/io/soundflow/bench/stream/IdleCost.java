package io.soundflow.bench.stream;

import io.soundflow.engine.model.LoadOptions;
import io.soundflow.engine.stream.Session;
import io.soundflow.engine.stream.SessionOptions;
import io.soundflow.engine.stream.StreamingEngine;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What idle listeners cost: opens N sessions on one model, feeds them nothing, and prints the process
 * CPU used over a few seconds, in cores (a server holds many idle sessions; each should cost nothing).
 *
 * <pre>java --add-modules=jdk.incubator.vector -cp tools/target/soundflow.jar io.soundflow.bench.stream.IdleCost MODEL_DIR [N] [SECONDS]</pre>
 */
public final class IdleCost {
    private IdleCost() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: IdleCost MODEL_DIR [SESSIONS (100)] [SECONDS (5)]");
            System.exit(2);
        }
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        double seconds = args.length > 2 ? Double.parseDouble(args[2]) : 5;
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        try (StreamingEngine engine = StreamingEngine.load(Path.of(args[0]), LoadOptions.defaults())) {
            List<Session> sessions = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                sessions.add(engine.newSession(SessionOptions.defaults(), null));
            }
            Thread.sleep(2000); // the threads start and settle
            long cpu0 = os.getProcessCpuTime(), t0 = System.nanoTime();
            Thread.sleep((long) (seconds * 1000));
            double cores = (os.getProcessCpuTime() - cpu0) / (double) (System.nanoTime() - t0);
            System.out.printf(Locale.ROOT, "%d idle sessions: %.3f cores of %d over %.1f s%n", n, cores,
                    Runtime.getRuntime().availableProcessors(), seconds);
            sessions.forEach(Session::close);
        }
    }
}
