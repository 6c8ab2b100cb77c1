package io.soundflow.weights;

import java.nio.file.Path;
import java.util.Map;

/**
 * An opened checkpoint: named tensors over memory-mapped files. Tensors stay valid until
 * {@link #close()}, which unmaps every file (later access to a tensor's data then fails).
 */
public interface TensorStore extends AutoCloseable {

    /** The file or folder that was opened. */
    Path source();

    /** Every tensor by name, in file order (shards in order, each in header order). */
    Map<String, TensorInfo> tensors();

    /**
     * The tensor {@code name}.
     *
     * @throws CheckpointException naming this store and the tensor when it is missing
     */
    default TensorInfo get(String name) {
        TensorInfo t = tensors().get(name);
        if (t == null) {
            throw new CheckpointException(source() + ": no tensor named '" + name + "' (the checkpoint has "
                    + tensors().size() + " tensors)");
        }
        return t;
    }

    /** Whether a tensor {@code name} exists. */
    default boolean contains(String name) {
        return tensors().containsKey(name);
    }

    /** The safetensors {@code __metadata__} (merged over shards and the index's metadata); empty for .pth. */
    Map<String, String> metadata();

    /** Unmaps the files. */
    @Override
    void close();
}
