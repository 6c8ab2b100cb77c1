package io.soundflow.weights;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** A {@link TensorStore} over files mapped in one {@link MappedFiles}; shared by the readers. */
final class MappedTensorStore implements TensorStore {

    private final Path source;
    private final Map<String, TensorInfo> tensors;
    private final Map<String, String> metadata;
    private final MappedFiles files;
    private boolean closed;

    MappedTensorStore(Path source, Map<String, TensorInfo> tensors, Map<String, String> metadata, MappedFiles files) {
        this.source = source;
        this.tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
        this.metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        this.files = files;
    }

    @Override
    public Path source() {
        return source;
    }

    @Override
    public Map<String, TensorInfo> tensors() {
        return tensors;
    }

    @Override
    public Map<String, String> metadata() {
        return metadata;
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            files.close();
        }
    }

    @Override
    public String toString() {
        return source + " (" + tensors.size() + " tensors)";
    }
}
