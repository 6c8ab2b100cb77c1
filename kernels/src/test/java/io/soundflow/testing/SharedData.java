package io.soundflow.testing;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Locates {@code ../shared} (golden conformance data and fixtures). Tests that need it call
 * {@link #require}: locally a missing folder skips the test, but with {@code CI=true} it fails, so the
 * conformance suites can never be skipped silently in CI.
 */
public final class SharedData {
    private SharedData() {
    }

    /** The shared folder: -Dsoundflow.shared, else ../shared from the working directory upwards. */
    public static Path root() {
        String p = System.getProperty("soundflow.shared");
        if (p != null && !p.isBlank()) {
            return Path.of(p).toAbsolutePath().normalize();
        }
        Path dir = Path.of("").toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent()) {
            Path c = d.resolveSibling("shared");
            if (Files.isDirectory(c.resolve("golden"))) {
                return c;
            }
        }
        return dir.resolveSibling("shared");
    }

    /** {@code shared/<relative>}, which must exist (fails in CI, skips elsewhere). */
    public static Path require(String relative) {
        Path p = root().resolve(relative);
        if (!Files.exists(p)) {
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError("CI=true but the shared test data " + p + " is missing");
            }
            assumeTrue(false, "shared test data " + p + " is missing (set -Dsoundflow.shared)");
        }
        return p;
    }
}
