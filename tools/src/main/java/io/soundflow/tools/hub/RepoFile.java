package io.soundflow.tools.hub;

import java.util.regex.Pattern;

/**
 * One file of a repository revision, as the hub lists it.
 *
 * @param path   the path inside the repository ("qwen25OmniConfig/config.json")
 * @param size   its size in bytes
 * @param sha256 the LFS SHA-256 (hex) for files stored in LFS, else null
 * @param gitOid the git blob id (SHA-1 hex of "blob SIZE\0" + content): the etag of a file not in LFS
 */
public record RepoFile(String path, long size, String sha256, String gitOid) {
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern SHA1 = Pattern.compile("[0-9a-f]{40}");

    public RepoFile {
        if (!isSafePath(path)) {
            throw new HubException("the hub listed an unsafe file path '" + path + "' (absolute, or with '..')");
        }
        if (size < 0) {
            throw new HubException(path + ": the hub listed a negative size " + size);
        }
        if (sha256 != null && !SHA256.matcher(sha256).matches()) {
            throw new HubException(path + ": the hub listed an LFS sha256 that is not 64 hex digits: " + sha256);
        }
        if (sha256 == null && (gitOid == null || !SHA1.matcher(gitOid).matches())) {
            throw new HubException(path + ": the hub listed no checksum (no LFS sha256 and no 40-hex blob id)");
        }
    }

    /** True when stored in LFS (checked by SHA-256), false for a plain git blob (checked by its git SHA-1). */
    public boolean lfs() {
        return sha256 != null;
    }

    /** The blob name in the cache, as huggingface_hub names it: the LFS SHA-256, else the git blob id. */
    public String etag() {
        return lfs() ? sha256 : gitOid;
    }

    static boolean isSafePath(String p) {
        if (p == null || p.isEmpty() || p.startsWith("/") || p.endsWith("/") || p.contains("\\") || p.indexOf('\0') >= 0
                || p.matches("^[A-Za-z]:.*")) {
            return false;
        }
        for (String part : p.split("/", -1)) {
            if (part.isEmpty() || part.equals(".") || part.equals("..")) {
                return false;
            }
        }
        return true;
    }
}
