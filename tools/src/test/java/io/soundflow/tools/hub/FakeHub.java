package io.soundflow.tools.hub;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A small Hugging Face hub on loopback, for tests: the revision API ({@code /api/models/ID/revision/REV}),
 * {@code /ID/resolve/REV/FILE} (plain files served with their git blob id as ETag; LFS files redirected to a
 * second server standing for the CDN, on another port, so another origin), byte ranges, the hub's
 * {@code X-Error-Code} answers, and faults on demand: a body cut after N bytes once, a damaged body, ranges
 * ignored.
 */
final class FakeHub implements AutoCloseable {
    static final String GOOD_TOKEN = "hf_good_token";

    /** One request either server saw. */
    record Req(String server, String path, String range, String authorization) {
    }

    static final class Repo {
        final String commit;
        final Map<String, String> refs = new ConcurrentHashMap<>();
        final Map<String, byte[]> files = Collections.synchronizedMap(new LinkedHashMap<>());
        final Set<String> lfs = ConcurrentHashMap.newKeySet();
        boolean gated;
        boolean requiresToken;
        /** Extra paths listed by the API (with a fake checksum) but never served, e.g. unsafe names. */
        final List<String> bogusPaths = new ArrayList<>();

        Repo(String commit) {
            this.commit = commit;
            refs.put("main", commit);
        }

        Repo file(String path, byte[] content, boolean inLfs) {
            files.put(path, content);
            if (inLfs) {
                lfs.add(path);
            }
            return this;
        }
    }

    private final HttpServer hub;
    private final HttpServer cdn;
    final Map<String, Repo> repos = new ConcurrentHashMap<>();
    final List<Req> requests = Collections.synchronizedList(new ArrayList<>());
    /** Serve only this many bytes of the next body of {@link #cutFile}, then drop the connection (once). */
    volatile String cutFile;
    volatile long cutAfter;
    /** Files served with one byte flipped. */
    final Set<String> damaged = ConcurrentHashMap.newKeySet();
    volatile boolean ignoreRanges;
    /** Old id to new id: requests for the old one are redirected (307, relative Location). */
    final Map<String, String> renamed = new ConcurrentHashMap<>();
    /** Serve this many bytes of the next body of {@link #stallFile}, then nothing until {@link #close} (once). */
    volatile String stallFile;
    volatile long stallAfter;
    private final CountDownLatch closing = new CountDownLatch(1);

    FakeHub() throws IOException {
        InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        hub = HttpServer.create(any, 0);
        cdn = HttpServer.create(any, 0);
        hub.setExecutor(Executors.newVirtualThreadPerTaskExecutor()); // a stalled answer must not hold up the next
        cdn.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        hub.createContext("/", ex -> handle("hub", ex));
        cdn.createContext("/", ex -> handle("cdn", ex));
        hub.start();
        cdn.start();
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + hub.getAddress().getPort());
    }

    private String cdnBase() {
        return "http://127.0.0.1:" + cdn.getAddress().getPort();
    }

    Repo repo(String id, String commit) {
        Repo r = new Repo(commit);
        repos.put(id, r);
        return r;
    }

    List<Req> downloads() {
        synchronized (requests) {
            return requests.stream().filter(r -> r.server.equals("cdn") || r.path.contains("/resolve/")).toList();
        }
    }

    static String sha256(byte[] b) {
        return hex("SHA-256", new byte[0], b);
    }

    static String gitOid(byte[] b) {
        return hex("SHA-1", ("blob " + b.length + "\0").getBytes(StandardCharsets.US_ASCII), b);
    }

    private static String hex(String alg, byte[] head, byte[] b) {
        try {
            MessageDigest d = MessageDigest.getInstance(alg);
            d.update(head);
            return HexFormat.of().formatHex(d.digest(b));
        } catch (Exception ex) {
            throw new IllegalStateException(ex);
        }
    }

    private void handle(String server, HttpExchange ex) throws IOException {
        try (ex) {
            String raw = ex.getRequestURI().getRawPath();
            requests.add(new Req(server, raw, ex.getRequestHeaders().getFirst("Range"),
                    ex.getRequestHeaders().getFirst("Authorization")));
            for (var e : renamed.entrySet()) { // the hub answers a renamed repository's old id with a relative redirect
                String from = "/" + e.getKey() + "/";
                if (server.equals("hub") && raw.contains(from)) {
                    String query = ex.getRequestURI().getRawQuery();
                    ex.getResponseHeaders().set("Location", raw.replace(from, "/" + e.getValue() + "/")
                            + (query == null ? "" : "?" + query));
                    ex.sendResponseHeaders(307, -1);
                    return;
                }
            }
            if (server.equals("cdn")) {
                serveBlob(ex, raw.substring(raw.lastIndexOf('/') + 1));
            } else if (raw.startsWith("/api/models/")) {
                revision(ex, raw.substring("/api/models/".length()));
            } else {
                resolve(ex, raw);
            }
        }
    }

    private void revision(HttpExchange ex, String rest) throws IOException {
        String[] p = rest.split("/", 4); // ORG, NAME, "revision", REV
        if (p.length < 4 || !p[2].equals("revision")) {
            error(ex, 404, null);
            return;
        }
        Repo repo = repos.get(p[0] + "/" + p[1]);
        if (repo == null) {
            error(ex, 404, "RepoNotFound");
            return;
        }
        if (!authorized(ex, repo)) {
            return;
        }
        String commit = commitOf(repo, URLDecoder.decode(p[3], StandardCharsets.UTF_8));
        if (commit == null) {
            error(ex, 404, "RevisionNotFound");
            return;
        }
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode().put("id", p[0] + "/" + p[1]).put("sha", commit);
        ArrayNode siblings = root.putArray("siblings");
        synchronized (repo.files) {
            for (var e : repo.files.entrySet()) {
                ObjectNode s = siblings.addObject().put("rfilename", e.getKey()).put("size", e.getValue().length);
                if (repo.lfs.contains(e.getKey())) {
                    s.put("blobId", gitOid(("pointer " + e.getKey()).getBytes(StandardCharsets.UTF_8)));
                    s.putObject("lfs").put("sha256", sha256(e.getValue())).put("size", e.getValue().length).put("pointerSize", 134);
                } else {
                    s.put("blobId", gitOid(e.getValue()));
                }
            }
        }
        for (String b : repo.bogusPaths) {
            siblings.addObject().put("rfilename", b).put("size", 1).put("blobId", gitOid(new byte[1]));
        }
        byte[] body = json.writeValueAsBytes(root);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(200, body.length);
        ex.getResponseBody().write(body);
    }

    private static String commitOf(Repo repo, String rev) {
        return rev.equals(repo.commit) ? repo.commit : repo.refs.get(rev);
    }

    private boolean authorized(HttpExchange ex, Repo repo) throws IOException {
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        boolean good = ("Bearer " + GOOD_TOKEN).equals(auth);
        if (repo.requiresToken && !good) {
            error(ex, 401, null);
            return false;
        }
        return true;
    }

    private void resolve(HttpExchange ex, String raw) throws IOException {
        String[] p = raw.substring(1).split("/", 5); // ORG, NAME, "resolve", REV, FILE
        if (p.length < 5 || !p[2].equals("resolve")) {
            error(ex, 404, null);
            return;
        }
        Repo repo = repos.get(p[0] + "/" + p[1]);
        if (repo == null) {
            error(ex, 404, "RepoNotFound");
            return;
        }
        if (!authorized(ex, repo)) {
            return;
        }
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        if (repo.gated && !("Bearer " + GOOD_TOKEN).equals(auth)) {
            error(ex, auth == null ? 401 : 403, "GatedRepo");
            return;
        }
        String commit = commitOf(repo, URLDecoder.decode(p[3], StandardCharsets.UTF_8));
        String file = URLDecoder.decode(p[4].replace("+", "%2B"), StandardCharsets.UTF_8);
        byte[] content = repo.files.get(file);
        if (commit == null) {
            error(ex, 404, "RevisionNotFound");
            return;
        }
        if (content == null) {
            error(ex, 404, "EntryNotFound");
            return;
        }
        ex.getResponseHeaders().set("X-Repo-Commit", commit);
        if (repo.lfs.contains(file)) {
            String sha = sha256(content);
            ex.getResponseHeaders().set("X-Linked-Etag", "\"" + sha + "\"");
            ex.getResponseHeaders().set("X-Linked-Size", String.valueOf(content.length));
            ex.getResponseHeaders().set("Location", cdnBase() + "/blobs/" + sha);
            ex.sendResponseHeaders(302, -1);
            return;
        }
        ex.getResponseHeaders().set("ETag", "\"" + gitOid(content) + "\"");
        serve(ex, file, content);
    }

    private void serveBlob(HttpExchange ex, String sha) throws IOException {
        for (Repo r : repos.values()) {
            Map.Entry<String, byte[]> found = null;
            synchronized (r.files) {
                for (var e : r.files.entrySet()) {
                    if (r.lfs.contains(e.getKey()) && sha256(e.getValue()).equals(sha)) {
                        found = e;
                        break;
                    }
                }
            }
            if (found != null) {
                serve(ex, found.getKey(), found.getValue()); // outside the lock: a stalled answer holds up nothing
                return;
            }
        }
        error(ex, 404, null);
    }

    private void serve(HttpExchange ex, String file, byte[] content) throws IOException {
        byte[] body = content;
        if (damaged.contains(file)) {
            body = content.clone();
            body[body.length / 2] ^= 0x5a;
        }
        int start = 0;
        String range = ex.getRequestHeaders().getFirst("Range");
        int status = 200;
        if (range != null && !ignoreRanges) {
            start = Integer.parseInt(range.substring("bytes=".length(), range.indexOf('-')));
            status = 206;
            ex.getResponseHeaders().set("Content-Range", "bytes " + start + "-" + (body.length - 1) + "/" + body.length);
        }
        int len = body.length - start;
        ex.sendResponseHeaders(status, len == 0 ? -1 : len);
        OutputStream out = ex.getResponseBody();
        if (file.equals(cutFile)) {
            cutFile = null;
            int n = (int) Math.min(cutAfter, len);
            out.write(body, start, n);
            out.flush();
            return; // closing the exchange with bytes missing drops the connection
        }
        if (file.equals(stallFile)) {
            stallFile = null;
            int n = (int) Math.min(stallAfter, len);
            out.write(body, start, n);
            out.flush();
            try {
                closing.await(10, TimeUnit.SECONDS); // then nothing until the hub closes, connection open
            } catch (InterruptedException stopped) {
                Thread.currentThread().interrupt();
            }
            return;
        }
        out.write(body, start, len);
    }

    private static void error(HttpExchange ex, int status, String code) throws IOException {
        if (code != null) {
            ex.getResponseHeaders().set("X-Error-Code", code);
        }
        byte[] body = ("{\"error\":\"" + (code == null ? "error" : code) + "\"}").getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(status, body.length);
        ex.getResponseBody().write(body);
    }

    @Override
    public void close() {
        closing.countDown();
        hub.stop(0);
        cdn.stop(0);
    }
}
