package io.soundflow.tools.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Flow;
import java.util.function.ToLongFunction;
import javax.net.ssl.SSLException;

/**
 * Fetches a model repository from a Hugging Face hub over the HTTP API that {@code huggingface_hub} uses:
 * <ol>
 *   <li>{@code GET {endpoint}/api/models/{id}/revision/{rev}?blobs=true}: the commit ({@code sha}) and every file
 *       ({@code siblings}) with its size, git blob id and, for LFS files, the SHA-256;</li>
 *   <li>{@code GET {endpoint}/{id}/resolve/{commit}/{file}} for each file not yet in the cache, following
 *       redirects (the token goes only to the endpoint's own origin, never to the CDN it redirects to),
 *       resumed with {@code Range} from {@code blobs/ETAG.incomplete}, retried with back-off when the
 *       connection fails or stalls (no bytes for a minute), and checked (LFS: SHA-256; other files: the git blob SHA-1, which is their etag)
 *       before it is moved into {@code blobs/} and linked from {@code snapshots/COMMIT/}.</li>
 * </ol>
 * Files are fetched one after the other. Every failure is a {@link HubException} with one line that names
 * the repository (and the file, folder or URL).
 */
public final class HubClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String USER_AGENT = "soundflow/0.1.0; java/" + Runtime.version().feature();
    private static final int MAX_REDIRECTS = 10;
    private static final int BUFFER = 1 << 20;

    private final HubSettings settings;
    private final Progress progress;
    private final int attempts;
    private final Duration backoff;
    private final Duration readTimeout;
    private final ToLongFunction<Path> usableSpace;
    private final HttpClient http;

    public HubClient(HubSettings settings, Progress progress) {
        this(settings, progress, 5, Duration.ofSeconds(1), Duration.ofSeconds(60), HubClient::usableSpace);
    }

    /**
     * @param attempts    tries per file (a failed connection or a body cut short is resumed by the next)
     * @param backoff     wait before the second try, doubled for each further one
     * @param readTimeout the longest wait for the next bytes of a body before the try counts as failed
     * @param usableSpace free bytes of the file system holding a folder
     */
    HubClient(HubSettings settings, Progress progress, int attempts, Duration backoff, Duration readTimeout,
              ToLongFunction<Path> usableSpace) {
        this.settings = settings;
        this.progress = progress;
        this.attempts = Math.max(1, attempts);
        this.backoff = backoff;
        this.readTimeout = readTimeout;
        this.usableSpace = usableSpace;
        this.http = newHttpClient();
    }

    private static HttpClient newHttpClient() {
        return HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(20))
                .followRedirects(HttpClient.Redirect.NEVER) // followed by hand: the token must not reach the CDN
                .build();
    }

    /** Pulls {@code id} at {@code revision} (a branch, tag or commit); in offline mode resolves it from the cache. */
    public Snapshot pull(RepoId id, String revision) {
        checkRevision(revision);
        if (settings.offline()) {
            return fromCache(id, revision);
        }
        Listing listing = list(id, revision);
        HubCache cache = new HubCache(settings.cache(), id);
        try {
            Files.createDirectories(cache.blob("x").getParent());
            cache.writeRef(revision, listing.commit);
        } catch (IOException ex) {
            throw new HubException("cannot write the cache folder " + cache.repoFolder() + ": " + reason(ex)
                    + " (choose another with --cache DIR or HF_HUB_CACHE)", ex);
        }
        checkSpace(id, cache, listing);
        long total = 0;
        long received = 0;
        int fetched = 0;
        for (RepoFile f : listing.files) {
            total += f.size();
            long got = fetch(id, cache, listing.commit, f);
            if (got >= 0) {
                fetched++;
                received += got;
            }
        }
        return new Snapshot(id, revision, listing.commit, cache.snapshot(listing.commit), listing.files.size(), total,
                fetched, received);
    }

    /** The snapshot of {@code id} at {@code revision} already in the cache, with no network access. */
    public Snapshot fromCache(RepoId id, String revision) {
        checkRevision(revision);
        HubCache cache = new HubCache(settings.cache(), id);
        String missing = id + " at revision '" + revision + "' is not in the cache " + settings.cache()
                + " and offline mode is on (--offline or HF_HUB_OFFLINE): run pull online first, or pass --cache DIR";
        try {
            Optional<String> commit = cache.commitOf(revision);
            if (commit.isEmpty() || !Files.isDirectory(cache.snapshot(commit.get()))
                    || cache.isEmptyFolder(cache.snapshot(commit.get()))) {
                throw new HubException(missing);
            }
            String c = commit.get();
            List<String> broken = cache.brokenEntries(c);
            if (!broken.isEmpty()) {
                throw new HubException(id + ": the cached snapshot " + cache.snapshot(c) + " is incomplete: " + broken.get(0)
                        + (broken.size() > 1 ? " and " + (broken.size() - 1) + " more" : "")
                        + " point to missing blobs; run pull online to repair it");
            }
            long files = cache.countFiles(c);
            long bytes = 0;
            try (var s = Files.walk(cache.snapshot(c))) {
                for (Path p : (Iterable<Path>) s::iterator) {
                    if (Files.isRegularFile(p)) {
                        bytes += Files.size(p);
                    }
                }
            }
            return new Snapshot(id, revision, c, cache.snapshot(c), (int) files, bytes, 0, 0);
        } catch (IOException ex) {
            throw new HubException(id + ": cannot read the cache " + cache.repoFolder() + ": " + reason(ex), ex);
        }
    }

    // ---------------------------------------------------------------------------------------------- listing

    private record Listing(String commit, List<RepoFile> files) {
    }

    private Listing list(RepoId id, String revision) {
        URI uri = URI.create(settings.endpoint() + "/api/models/" + id + "/revision/" + encode(revision) + "?blobs=true");
        HttpResponse<String> r;
        try {
            r = send(uri, null, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException ex) {
            throw network(id, uri, ex);
        }
        if (r.statusCode() != 200) {
            throw httpError(id, revision, null, r.statusCode(), r.headers(), uri);
        }
        try {
            JsonNode root = JSON.readTree(r.body());
            String sha = root.path("sha").asText("");
            if (!HubCache.COMMIT.matcher(sha).matches()) {
                throw new HubException(id + ": the hub's answer for revision '" + revision + "' has no commit sha (" + uri + ")");
            }
            JsonNode siblings = root.path("siblings");
            if (!siblings.isArray()) {
                throw new HubException(id + ": the hub's answer for revision '" + revision + "' lists no files (" + uri + ")");
            }
            List<RepoFile> files = new ArrayList<>();
            for (JsonNode s : siblings) {
                String path = s.path("rfilename").asText(null);
                JsonNode lfs = s.path("lfs");
                String sha256 = lfs.isObject() ? lfs.path("sha256").asText(lfs.path("oid").asText(null)) : null;
                long size = lfs.isObject() && lfs.has("size") ? lfs.path("size").asLong(-1) : s.path("size").asLong(-1);
                if (!s.has("size") && !(lfs.isObject() && lfs.has("size"))) {
                    throw new HubException(id + ": the hub listed " + path + " without a size (" + uri + ")");
                }
                files.add(new RepoFile(path, size, sha256, s.path("blobId").asText(null)));
            }
            return new Listing(sha, List.copyOf(files));
        } catch (IOException ex) {
            throw new HubException(id + ": the hub's file listing is not valid JSON (" + uri + "): " + reason(ex), ex);
        }
    }

    private void checkSpace(RepoId id, HubCache cache, Listing listing) {
        long need = 0;
        for (RepoFile f : listing.files) {
            if (!cache.hasFile(listing.commit, f) && !cache.hasBlob(f)) {
                long partial = 0;
                try {
                    partial = Files.isRegularFile(cache.incomplete(f.etag())) ? Files.size(cache.incomplete(f.etag())) : 0;
                } catch (IOException ignored) {
                    // counted as nothing yet
                }
                need += Math.max(0, f.size() - partial);
            }
        }
        Path blobs = cache.blob("x").getParent();
        long free = usableSpace.applyAsLong(blobs);
        if (need > free) {
            throw new HubException("disk full: " + id + " needs " + Sizes.human(need) + " more in " + blobs
                    + " but only " + Sizes.human(free) + " is free; free some space or pass --cache DIR on a larger disk");
        }
    }

    // --------------------------------------------------------------------------------------------- download

    /** Brings one file into the snapshot; returns the bytes received, or -1 when the cache already had it. */
    private long fetch(RepoId id, HubCache cache, String commit, RepoFile f) {
        try {
            if (cache.hasFile(commit, f)) {
                progress.finish(f.path(), f.size(), true);
                return -1;
            }
            Path lockFile = cache.lock(f.etag());
            Files.createDirectories(lockFile.getParent());
            try (FileChannel lc = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = lc.lock()) {
                if (cache.hasBlob(f)) { // fetched for another snapshot, by Python, or by a concurrent pull
                    cache.link(commit, f);
                    progress.finish(f.path(), f.size(), true);
                    return -1;
                }
                long got = download(id, cache, commit, f);
                cache.commitBlob(f.etag());
                cache.link(commit, f);
                progress.finish(f.path(), f.size(), false);
                return got;
            }
        } catch (HubException ex) {
            progress.abort();
            throw ex;
        } catch (IOException ex) {
            progress.abort();
            throw diskError(id, f, cache.snapshotFile(commit, f.path()), ex);
        }
    }

    /** A transfer that failed in a way a later try may get past (network trouble, a 5xx, a body cut short). */
    private static final class Retry extends Exception {
        final HubException failure;

        Retry(HubException failure) {
            super(failure.getMessage(), failure.getCause());
            this.failure = failure;
        }
    }

    /** The state of {@code blobs/ETAG.incomplete}: its length and the digest over exactly those bytes. */
    private static final class Partial {
        final Path file;
        final RepoFile f;
        long length;
        MessageDigest digest;

        Partial(Path file, RepoFile f) throws IOException {
            this.file = file;
            this.f = f;
            this.digest = newDigest(f);
            if (Files.isRegularFile(file) && Files.size(file) <= f.size()) {
                try (InputStream in = Files.newInputStream(file)) {
                    byte[] b = new byte[BUFFER];
                    for (int n; (n = in.read(b)) > 0; ) {
                        digest.update(b, 0, n);
                        length += n;
                    }
                }
            } else {
                Files.deleteIfExists(file);
            }
        }

        void reset() throws IOException {
            length = 0;
            digest = newDigest(f);
            if (Files.exists(file)) {
                try (FileChannel c = FileChannel.open(file, StandardOpenOption.WRITE)) {
                    c.truncate(0);
                }
            }
        }
    }

    private long download(RepoId id, HubCache cache, String commit, RepoFile f) throws IOException {
        Partial part = new Partial(cache.incomplete(f.etag()), f);
        long resumedFrom = part.length;
        progress.start(f.path(), f.size(), part.length);
        for (int attempt = 1; ; attempt++) {
            try {
                transfer(id, commit, f, part);
                break;
            } catch (Retry r) {
                if (attempt >= attempts) {
                    throw new HubException(r.failure.getMessage() + " (gave up after " + attempts + " tries; run pull again to"
                            + " resume from " + Sizes.human(part.length) + ")", r.getCause());
                }
                sleep(backoff.multipliedBy(1L << Math.min(attempt - 1, 10)));
            }
        }
        String got = HexFormat.of().formatHex(part.digest.digest());
        if (!got.equals(f.etag())) {
            Files.deleteIfExists(part.file);
            throw new HubException(id + ": " + f.path() + ": " + (f.lfs() ? "SHA-256" : "git blob SHA-1") + " mismatch (expected "
                    + f.etag() + ", got " + got + "); the download was removed, run pull again (if it fails again, the hub"
                    + " or a proxy serves a damaged file)");
        }
        return part.length - resumedFrom;
    }

    private void transfer(RepoId id, String commit, RepoFile f, Partial part) throws Retry, IOException {
        if (part.length == f.size()) {
            return; // a previous run received everything; only the check remained
        }
        URI uri = URI.create(settings.endpoint() + "/" + id + "/resolve/" + commit + "/" + encodePath(f.path()));
        HttpResponse<Flow.Publisher<List<ByteBuffer>>> r;
        try {
            r = send(uri, part.length > 0 ? "bytes=" + part.length + "-" : null, HttpResponse.BodyHandlers.ofPublisher());
        } catch (IOException ex) {
            throw new Retry(network(id, uri, ex));
        }
        TimedBody body = new TimedBody();
        r.body().subscribe(body);
        try {
            int status = r.statusCode();
            if (status == 200 && part.length > 0) {
                part.reset(); // the server ignored the range: start over
            } else if (status == 206) {
                String cr = r.headers().firstValue("Content-Range").orElse("");
                if (!cr.startsWith("bytes " + part.length + "-")) {
                    part.reset();
                    throw new Retry(new HubException(id + ": " + f.path() + ": the server answered range " + part.length
                            + "- with '" + cr + "'"));
                }
            } else if (status == 416) {
                part.reset();
                throw new Retry(new HubException(id + ": " + f.path() + ": the server refused to resume (HTTP 416)"));
            } else if (status != 200) {
                HubException e = httpError(id, commit, f.path(), status, r.headers(), uri);
                if (status >= 500 || status == 429) {
                    throw new Retry(e);
                }
                throw e;
            }
            copy(id, f, body, part);
        } finally {
            body.cancel();
        }
    }

    /** Appends the body to the partial file; read failures are retried, write failures are the disk's. */
    private void copy(RepoId id, RepoFile f, TimedBody body, Partial part) throws Retry, IOException {
        try (FileChannel out = FileChannel.open(part.file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            while (true) {
                List<ByteBuffer> bufs;
                try {
                    bufs = body.next(readTimeout);
                } catch (IOException ex) {
                    throw new Retry(new HubException(id + ": " + f.path() + ": the connection broke at "
                            + Sizes.human(part.length) + " of " + Sizes.human(f.size()) + " (" + reason(ex) + ")", ex));
                }
                if (bufs == null) {
                    break;
                }
                for (ByteBuffer bb : bufs) {
                    int n = bb.remaining();
                    if (part.length + n > f.size()) {
                        part.reset();
                        throw new Retry(new HubException(id + ": " + f.path() + ": the server sent more than the listed "
                                + f.size() + " bytes"));
                    }
                    part.digest.update(bb.duplicate());
                    while (bb.hasRemaining()) {
                        out.write(bb);
                    }
                    part.length += n;
                }
                progress.update(part.length);
            }
        }
        if (part.length < f.size()) {
            throw new Retry(new HubException(id + ": " + f.path() + ": the connection closed at " + Sizes.human(part.length)
                    + " of " + Sizes.human(f.size())));
        }
    }

    // ------------------------------------------------------------------------------------------------- HTTP

    /** GET {@code uri}, following redirects; the token is sent only to the endpoint's own origin. */
    private <T> HttpResponse<T> send(URI uri, String range, HttpResponse.BodyHandler<T> body) throws IOException {
        URI at = uri;
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            HttpRequest.Builder b = HttpRequest.newBuilder(at).GET()
                    .timeout(Duration.ofSeconds(60)) // until the headers arrive
                    .header("User-Agent", USER_AGENT)
                    .header("Accept-Encoding", "identity");
            if (range != null) {
                b.header("Range", range);
            }
            if (settings.token() != null && sameOrigin(at, settings.endpoint())) {
                b.header("Authorization", "Bearer " + settings.token());
            }
            HttpResponse<T> r;
            try {
                r = http.send(b.build(), body);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted");
            }
            int s = r.statusCode();
            Optional<String> location = r.headers().firstValue("Location");
            if ((s == 301 || s == 302 || s == 303 || s == 307 || s == 308) && location.isPresent()) {
                discard(r.body());
                try {
                    at = at.resolve(location.get());
                } catch (IllegalArgumentException ex) {
                    throw new IOException("a redirect to a malformed URL: " + location.get(), ex);
                }
                continue;
            }
            return r;
        }
        throw new IOException("more than " + MAX_REDIRECTS + " redirects from " + uri);
    }

    @SuppressWarnings("unchecked")
    private static void discard(Object body) {
        if (body instanceof Flow.Publisher<?> p) { // a redirect's body is never read
            TimedBody t = new TimedBody();
            ((Flow.Publisher<List<ByteBuffer>>) p).subscribe(t);
            t.cancel();
        }
    }

    private static boolean sameOrigin(URI a, URI b) {
        return a.getScheme().equalsIgnoreCase(b.getScheme()) && a.getHost().equalsIgnoreCase(b.getHost())
                && port(a) == port(b);
    }

    private static int port(URI u) {
        return u.getPort() >= 0 ? u.getPort() : u.getScheme().equalsIgnoreCase("https") ? 443 : 80;
    }

    private HubException httpError(RepoId id, String revision, String file, int status, HttpHeaders h, URI uri) {
        String code = h.firstValue("X-Error-Code").orElse("");
        String page = settings.endpoint() + "/" + id;
        String tokenNote = settings.token() == null ? "set HF_TOKEN to a read token (" + settings.endpoint()
                + "/settings/tokens)" : "the token from " + settings.tokenSource() + " has no access to it";
        String what = file == null ? id.toString() : id + ": " + file;
        return new HubException(switch (code) {
            case "GatedRepo" -> id + " is a gated repository (HTTP " + status + "): accept its conditions at " + page
                    + " while logged in, then " + (settings.token() == null ? "set HF_TOKEN to a read token of that account"
                    : "check that the token from " + settings.tokenSource() + " belongs to that account");
            case "RepoNotFound" -> id + ": repository not found on " + settings.endpoint() + " (HTTP " + status
                    + "); check the id; if it is private or gated, " + tokenNote;
            case "RevisionNotFound" -> id + ": revision '" + revision + "' not found (HTTP " + status
                    + "); use a branch, tag or commit of the repository (default main)";
            case "EntryNotFound" -> what + ": not found at commit " + revision + " (HTTP " + status + ")";
            default -> switch (status) {
                case 401 -> settings.token() == null
                        ? what + ": the hub requires authentication (HTTP 401): set HF_TOKEN to a read token ("
                        + settings.endpoint() + "/settings/tokens)"
                        : what + ": the hub rejected the token from " + settings.tokenSource()
                        + " (HTTP 401): set HF_TOKEN to a valid read token";
                case 403 -> what + ": access denied (HTTP 403): if the repository is gated, accept its conditions at "
                        + page + " and " + (settings.token() == null ? "set HF_TOKEN to a read token of that account"
                        : "use a token of that account in HF_TOKEN");
                case 404 -> what + ": not found on " + settings.endpoint() + " (HTTP 404) at revision '" + revision
                        + "'; check the id and the revision";
                case 429 -> what + ": the hub is rate limiting (HTTP 429): wait and run pull again"
                        + (settings.token() == null ? "; a token in HF_TOKEN raises the limit" : "");
                default -> what + ": " + uri.getHost() + " answered HTTP " + status + " for " + uri
                        + (status >= 500 ? " (the hub is having trouble; run pull again later)" : "");
            };
        });
    }

    private HubException network(RepoId id, URI uri, IOException ex) {
        String where = uri.getScheme() + "://" + uri.getAuthority();
        String hint = "; check the network, a proxy, or HF_ENDPOINT (pull --offline uses the cache only)";
        Throwable c = ex;
        while (c.getCause() != null && !(c instanceof UnresolvedAddressException)) {
            c = c.getCause();
        }
        String why;
        if (ex instanceof HttpConnectTimeoutException) {
            why = "connection timed out";
        } else if (ex instanceof HttpTimeoutException) {
            why = "no answer within 60 s";
        } else if (c instanceof UnresolvedAddressException || ex instanceof java.net.UnknownHostException) {
            why = "unknown host " + uri.getHost();
        } else if (ex instanceof ConnectException) {
            why = "connection refused";
        } else if (ex instanceof SSLException) {
            why = "TLS failed: " + reason(ex);
        } else {
            why = reason(ex);
        }
        return new HubException(id + ": cannot reach " + where + " (" + why + ")" + hint, ex);
    }

    private HubException diskError(RepoId id, RepoFile f, Path target, IOException ex) {
        String r = reason(ex);
        if (r.contains("No space left") || r.contains("Disk quota") || r.contains("not enough space")) {
            return new HubException("disk full writing " + id + ": " + f.path() + " under " + settings.cache()
                    + ": free some space (or pass --cache DIR on a larger disk) and run pull again; it resumes", ex);
        }
        return new HubException(id + ": " + f.path() + ": cannot write " + target + " (" + r + ")", ex);
    }

    // ------------------------------------------------------------------------------------------------ small

    private static void checkRevision(String revision) {
        if (revision == null || revision.isBlank() || !RepoFile.isSafePath(revision)) {
            throw new HubException("'" + revision + "' is not a revision: use a branch, tag or commit hash (default main)");
        }
    }

    private static MessageDigest newDigest(RepoFile f) {
        try {
            if (f.lfs()) {
                return MessageDigest.getInstance("SHA-256");
            }
            MessageDigest d = MessageDigest.getInstance("SHA-1"); // git blob id: sha1("blob SIZE\0" + content)
            d.update(("blob " + f.size() + "\0").getBytes(StandardCharsets.US_ASCII));
            return d;
        } catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException(ex);
        }
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String encodePath(String path) {
        StringBuilder b = new StringBuilder();
        for (String part : path.split("/")) {
            if (!b.isEmpty()) {
                b.append('/');
            }
            b.append(encode(part));
        }
        return b.toString();
    }

    private static String reason(Throwable ex) {
        String m = ex.getMessage();
        return m == null || m.isBlank() ? ex.getClass().getSimpleName() : m.lines().findFirst().orElse(m);
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new HubException("interrupted");
        }
    }

    private static long usableSpace(Path dir) {
        try {
            return Files.getFileStore(dir).getUsableSpace();
        } catch (IOException ex) {
            return Long.MAX_VALUE; // unknown: let the writes tell
        }
    }

    @Override
    public String toString() {
        return "HubClient[" + settings + "]";
    }
}
