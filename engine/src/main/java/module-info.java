/**
 * SoundFlow engine: the immutable model (mel front end, audio tower, text decoder, loaders) and the streaming
 * runtime (sessions, their options, events and metrics).
 */
module io.soundflow.engine {
    requires transitive io.soundflow.kernels;
    requires transitive io.soundflow.weights;
    requires transitive io.soundflow.tokenizer;
    requires transitive micrometer.core;
    requires com.fasterxml.jackson.databind;
    requires JTransforms;
    requires HdrHistogram;
    requires jdk.jfr;

    exports io.soundflow.engine;
    exports io.soundflow.engine.audio;
    exports io.soundflow.engine.model;
    exports io.soundflow.engine.stream;
}
