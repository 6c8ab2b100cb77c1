/**
 * SoundFlow benchmarks: JMH benchmarks of the kernels, the front end, the tokenizer and the checkpoint readers,
 * and the end-to-end benchmarks ({@code bench kernels|forward|stream}) that the CLI runs.
 */
module io.soundflow.bench {
    requires io.soundflow.engine;
    requires static jdk.incubator.vector;
    requires jdk.management;
    requires jmh.core;
    requires org.jctools.core;
    requires ai.djl.tokenizers;
    requires com.fasterxml.jackson.databind;

    exports io.soundflow.bench.forward to io.soundflow.tools;
    exports io.soundflow.bench.kernels to io.soundflow.tools;
    exports io.soundflow.bench.stream to io.soundflow.tools;
}
