package io.soundflow.tools.hub;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One repository's folder in a cache laid out as {@code huggingface_hub} lays it out, so that files fetched by
 * Python tools are reused and the other way round:
 * <pre>
 * CACHE/models--ORG--NAME/blobs/ETAG                  the file contents (ETAG: LFS sha256, else git blob id)
 * CACHE/models--ORG--NAME/blobs/ETAG.incomplete       a download in progress (resumed from its length)
 * CACHE/models--ORG--NAME/snapshots/COMMIT/PATH       relative symlink to ../../blobs/ETAG (a copy where links fail)
 * CACHE/models--ORG--NAME/refs/REVISION               the commit REVISION (a branch or tag) pointed to
 * CACHE/.locks/models--ORG--NAME/ETAG.lock            held while a blob is downloaded
 * </pre>
 */
final class HubCache {
    static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");

    private final Path root;
    private final RepoId id;
    private final Path repo;

    HubCache(Path root, RepoId id) {
        this.root = root;
        this.id = id;
        this.repo = root.resolve(id.cacheFolderName());
    }

    Path repoFolder() {
        return repo;
    }

    Path blob(String etag) {
        return repo.resolve("blobs").resolve(etag);
    }

    Path incomplete(String etag) {
        return repo.resolve("blobs").resolve(etag + ".incomplete");
    }

    Path lock(String etag) {
        return root.resolve(".locks").resolve(id.cacheFolderName()).resolve(etag + ".lock");
    }

    Path snapshot(String commit) {
        return repo.resolve("snapshots").resolve(commit);
    }

    Path snapshotFile(String commit, String path) {
        return snapshot(commit).resolve(path);
    }

    private Path ref(String revision) {
        return repo.resolve("refs").resolve(revision);
    }

    /** The commit a branch or tag was last seen at, or the revision itself when it is a commit hash. */
    Optional<String> commitOf(String revision) throws IOException {
        if (COMMIT.matcher(revision).matches()) {
            return Optional.of(revision);
        }
        Path r = ref(revision);
        if (!Files.isRegularFile(r)) {
            return Optional.empty();
        }
        String c = Files.readString(r, StandardCharsets.UTF_8).trim();
        return COMMIT.matcher(c).matches() ? Optional.of(c) : Optional.empty();
    }

    /** Records that {@code revision} (a branch or tag, not a commit) is at {@code commit}. */
    void writeRef(String revision, String commit) throws IOException {
        if (revision.equals(commit)) {
            return;
        }
        Path r = ref(revision);
        Files.createDirectories(r.getParent());
        Path tmp = r.resolveSibling(r.getFileName() + ".tmp");
        Files.writeString(tmp, commit, StandardCharsets.UTF_8); // no newline, as huggingface_hub writes it
        move(tmp, r);
    }

    /** True when the snapshot already holds {@code f}: its link resolves to a blob of the listed size. */
    boolean hasFile(String commit, RepoFile f) {
        Path p = snapshotFile(commit, f.path());
        try {
            return Files.isRegularFile(p) && Files.size(p) == f.size();
        } catch (IOException ex) {
            return false;
        }
    }

    /** True when the blob of {@code f} is present with the listed size (fetched for another snapshot, or by Python). */
    boolean hasBlob(RepoFile f) {
        Path b = blob(f.etag());
        try {
            return Files.isRegularFile(b, LinkOption.NOFOLLOW_LINKS) && Files.size(b) == f.size();
        } catch (IOException ex) {
            return false;
        }
    }

    /** Points {@code snapshots/COMMIT/PATH} at the blob of {@code f}: a relative symlink, else a copy. */
    void link(String commit, RepoFile f) throws IOException {
        Path dst = snapshotFile(commit, f.path());
        Files.createDirectories(dst.getParent());
        Path blob = blob(f.etag());
        Files.deleteIfExists(dst); // a stale or broken link
        try {
            Files.createSymbolicLink(dst, dst.getParent().relativize(blob));
        } catch (UnsupportedOperationException | IOException ex) {
            Files.copy(blob, dst, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Moves a complete, checked download into place. */
    void commitBlob(String etag) throws IOException {
        move(incomplete(etag), blob(etag));
    }

    /** Snapshot entries whose link leads nowhere (a blob deleted by hand, a half-copied folder). */
    List<String> brokenEntries(String commit) throws IOException {
        Path snap = snapshot(commit);
        List<String> broken = new ArrayList<>();
        try (Stream<Path> s = Files.walk(snap)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (Files.isSymbolicLink(p) && !Files.exists(p)) {
                    broken.add(snap.relativize(p).toString());
                }
            }
        }
        return broken;
    }

    /** The number of files (links or copies) in a snapshot folder. */
    long countFiles(String commit) throws IOException {
        try (Stream<Path> s = Files.walk(snapshot(commit))) {
            return s.filter(p -> !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)).count();
        }
    }

    boolean isEmptyFolder(Path dir) throws IOException {
        try (DirectoryStream<Path> d = Files.newDirectoryStream(dir)) {
            return !d.iterator().hasNext();
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException ex) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
