/** The {@code soundflow} command line (picocli): a thin user of the engine, the server and the benchmarks. */
module io.soundflow.tools {
    requires io.soundflow.engine;
    requires io.soundflow.serve;
    requires io.soundflow.bench;
    requires info.picocli;
    requires com.fasterxml.jackson.databind;
    requires java.desktop;
    requires java.logging;
    requires java.net.http;

    opens io.soundflow.tools to info.picocli;
}
