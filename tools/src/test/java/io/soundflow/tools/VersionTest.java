package io.soundflow.tools;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@code --version} names the version, the commit it was built from, the JDK and the kernels backend. */
class VersionTest {
    @Test
    void versionSaysWhatWasBuiltAndWhereItRuns() {
        CliRun r = CliRun.run("--version");
        assertThat(r.code()).isZero();
        String[] lines = r.out().strip().split("\\R");
        assertThat(lines).hasSize(3);
        assertThat(lines[0]).matches("SoundFlow \\d+\\.\\d+\\.\\d+(-SNAPSHOT)? \\(commit \\S+\\)");
        assertThat(lines[0]).doesNotContain("commit unknown)"); // built from this git checkout
        assertThat(lines[1]).startsWith("JDK " + Runtime.version());
        assertThat(lines[2]).startsWith("kernels vector").contains(" cores"); // the tests run with the vector module
    }

    @Test
    void everyCommandShowsItsDefaults() {
        CliRun r = CliRun.run("stream", "--help");
        assertThat(r.out()).contains("Default: f32").contains("Default: windowed").contains("Default: reset");
    }
}
