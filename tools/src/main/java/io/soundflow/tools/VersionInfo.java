package io.soundflow.tools;

import io.soundflow.kernels.Backends;
import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** {@code soundflow --version}: the version, the commit it was built from, the JDK and the kernels backend. */
final class VersionInfo implements IVersionProvider {
    @Override
    public String[] getVersion() {
        Properties p = new Properties();
        try (InputStream in = VersionInfo.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            // an unreadable resource leaves the fields "unknown"
        }
        String backend = System.getProperty(Backends.PROPERTY, "vector");
        if (backend.equals("vector") && !Backends.vectorApiAvailable()) {
            backend = "scalar (the vector module is not readable: add " + Backends.VECTOR_FLAG + ")";
        }
        return new String[] {
                "SoundFlow " + p.getProperty("version", "unknown") + " (commit " + p.getProperty("commit", "unknown") + ")",
                "JDK " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ", " + System.getProperty("java.home") + ")",
                "kernels " + backend + ", " + Runtime.getRuntime().availableProcessors() + " cores",
        };
    }
}
