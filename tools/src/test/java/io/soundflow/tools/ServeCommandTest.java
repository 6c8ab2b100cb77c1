package io.soundflow.tools;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@code soundflow serve}'s option checks, which run before any model is loaded. */
class ServeCommandTest {
    @Test
    void anUnsetKeyVariableIsRefusedNamingIt() {
        CliRun r = CliRun.run("serve", "--api-key-env", "SOUNDFLOW_TEST_SURELY_UNSET_KEY");
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("--api-key-env SOUNDFLOW_TEST_SURELY_UNSET_KEY").contains("not set");
    }

    @Test
    void badLimitsAreRefused() {
        assertThat(CliRun.run("serve", "--idle-timeout", "0").err()).contains("--idle-timeout must be at least 1");
        CliRun r = CliRun.run("serve", "--model", "/nonexistent/model-dir");
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("/nonexistent/model-dir").contains("no such model folder");
    }

    @Test
    void helpListsTheOptions() {
        CliRun r = CliRun.run("serve", "--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("--model", "--host", "--port", "--max-sessions", "--api-key-env", "--allow-origin",
                "--idle-timeout", "--max-message-bytes");
    }
}
