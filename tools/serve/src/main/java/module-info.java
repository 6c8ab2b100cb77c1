/** SoundFlow's server: the OpenAI Realtime protocol over WebSocket, a browser page and metrics, for many live streams. */
module io.soundflow.serve {
    requires io.soundflow.engine;
    requires io.javalin;
    requires micrometer.registry.prometheus;
    requires com.fasterxml.jackson.databind;
    requires java.net.http;

    exports io.soundflow.serve to io.soundflow.tools;
}
