package io.soundflow.tools;

import io.soundflow.kernels.Backends;
import io.soundflow.kernels.opencl.OpenClProvider;
import io.soundflow.testing.SharedData;
import io.soundflow.weights.SafeTensors;
import io.soundflow.weights.TensorStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@code --kernels NAME} on the commands that load a model. */
class KernelsOptionTest {
    @TempDir
    Path tmp;

    @Test
    void anUnknownBackendIsAUsageErrorOnEveryModelCommand() {
        String before = System.getProperty(Backends.PROPERTY);
        for (String[] cmd : new String[][]{{"stream", "--model", "m", "--wav", "w"}, {"ask", "--model", "m", "--prompt", "p"},
                {"forward", "--model", "m", "--dump", "d"}, {"bench", "forward"}, {"bench", "stream"}}) {
            String[] args = Arrays.copyOf(cmd, cmd.length + 2);
            args[cmd.length] = "--kernels";
            args[cmd.length + 1] = "cuda";
            CliRun r = CliRun.run(args);
            assertThat(r.code()).as(String.join(" ", cmd)).isEqualTo(2);
            assertThat(r.err()).as(String.join(" ", cmd)).contains("--kernels cuda: unknown backend (choose scalar, vector, opencl)");
        }
        assertThat(System.getProperty(Backends.PROPERTY)).isEqualTo(before);
    }

    @Test
    void threadsOutOfRangeIsAUsageError() {
        String before = System.getProperty(io.soundflow.kernels.KernelPool.PROPERTY);
        CliRun r = CliRun.run("stream", "--model", "m", "--wav", "w", "--threads", "0");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--threads 0: give 1 to 1024 threads");
        assertThat(System.getProperty(io.soundflow.kernels.KernelPool.PROPERTY)).isEqualTo(before);
    }

    /** In a fresh JVM (the backend is chosen once per JVM): the golden greedy ids on the opencl backend. */
    @Test
    void forwardOnOpenClGivesTheGoldenIds() throws Exception {
        String why = OpenClProvider.unavailableReason();
        if (!"true".equals(System.getenv("CI"))) {
            assumeTrue(why == null, "no OpenCL platform here: " + why);
        }
        Path g = SharedData.require("golden/omni-tiny-sharded-tied");
        Path dump = tmp.resolve("out.safetensors");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "forward", "--verbose", "--kernels", "opencl", "--model", g.resolve("model").toString(), "--wav", g.resolve("chirp.wav").toString(),
                "--prompt-ids-file", g.resolve("prompt-ids.txt").toString(), "--dump", dump.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(300, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("SoundFlow kernels: opencl on platform");
        try (TensorStore got = SafeTensors.open(dump); TensorStore ref = SafeTensors.open(g.resolve("reference.safetensors"))) {
            assertThat(got.get("generated_ids").toLongArray()).containsExactly(ref.get("generated_ids").toLongArray());
        }
    }
}
