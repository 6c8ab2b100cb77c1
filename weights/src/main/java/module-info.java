/** SoundFlow weights: reading checkpoints (safetensors, PyTorch {@code .pth}, configs) and load-time quantization. */
module io.soundflow.weights {
    requires transitive io.soundflow.kernels;
    requires com.fasterxml.jackson.databind;
    requires com.fasterxml.jackson.dataformat.yaml;
    requires org.yaml.snakeyaml;

    exports io.soundflow.weights;
}
