package io.soundflow.engine.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.openjdk.jcstress.JCStress;
import org.openjdk.jcstress.Options;

/**
 * Runs the jcstress tests of the ring and the FIFO (package {@code ...stream.jcstress}) in forked JVMs
 * with a short time budget. jcstress throws an {@link AssertionError} ("TEST FAILURES") when any
 * outcome marked FORBIDDEN was observed, which fails this test.
 */
class JcstressSuiteTest {

    @Test
    void ringAndFifoHaveNoForbiddenOutcomes() throws Exception {
        Path out = Path.of("target", "jcstress");
        Files.createDirectories(out);
        String[] args = {
                "-t", "io\\.soundflow\\.engine\\.stream\\.jcstress\\..*",
                "-m", "sanity", "-f", "1", "-c", "2", "-iters", "1", "-time", "500",
                "-jvmArgs", "-Xmx256m -XX:+UseSerialGC",
                "-r", out.resolve("results").toString(),
        };
        Options opts = new Options(args);
        assertThat(opts.parse()).as("jcstress options").isTrue();
        JCStress js = new JCStress(opts);
        assertThat(js.getTests()).as("jcstress tests found on the test class path").hasSize(3);
        PrintStream saved = System.out;
        try (PrintStream log = new PrintStream(Files.newOutputStream(out.resolve("console.txt")))) {
            System.setOut(log);
            js.run(); // AssertionError on any FORBIDDEN result
        } finally {
            System.setOut(saved);
        }
    }
}
