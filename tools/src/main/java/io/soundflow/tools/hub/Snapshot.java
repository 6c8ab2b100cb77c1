package io.soundflow.tools.hub;

import java.nio.file.Path;

/**
 * The result of a pull: a snapshot folder of the cache, usable as {@code --model DIR}.
 *
 * @param files           files in the snapshot
 * @param totalBytes      their total size
 * @param downloadedFiles how many were (fully or partly) downloaded by this pull
 * @param downloadedBytes bytes received by this pull
 */
public record Snapshot(RepoId id, String revision, String commit, Path folder, int files, long totalBytes,
                       int downloadedFiles, long downloadedBytes) {
}
