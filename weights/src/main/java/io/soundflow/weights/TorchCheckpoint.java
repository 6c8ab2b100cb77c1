package io.soundflow.weights;

import java.nio.file.Path;

/** Reads PyTorch zip state dicts ({@code torch.save}) through a restricted unpickler. */
public final class TorchCheckpoint {
    private TorchCheckpoint() {
    }

    /** Opens a {@code .pth} zip state dict. */
    public static TensorStore open(Path pth) {
        throw CheckpointException.of(pth, "the .pth reader is not implemented yet");
    }
}
