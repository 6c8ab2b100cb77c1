package io.soundflow.tools.hub;

import java.util.regex.Pattern;

/**
 * A model repository on the hub, {@code ORG/NAME}, checked as {@code huggingface_hub} checks repo ids
 * (letters, digits, '-', '_', '.'; no "--" or ".."; not ending in ".git"; at most 96 characters).
 */
public record RepoId(String org, String name) {
    private static final Pattern PART = Pattern.compile("[A-Za-z0-9_.\\-]+");
    private static final int MAX_LENGTH = 96;

    public RepoId {
        String id = org + "/" + name;
        if (!PART.matcher(org).matches() || !PART.matcher(name).matches() || id.contains("--")
                || id.contains("..") || id.endsWith(".git") || id.length() > MAX_LENGTH
                || org.startsWith(".") || name.startsWith(".") || org.startsWith("-") || name.startsWith("-")) {
            throw notAnId(id);
        }
    }

    /** Parses {@code ORG/NAME}; anything else is refused with one line saying what an id looks like. */
    public static RepoId parse(String s) {
        int slash = s.indexOf('/');
        if (slash < 0 || slash != s.lastIndexOf('/')) {
            throw notAnId(s);
        }
        return new RepoId(s.substring(0, slash), s.substring(slash + 1));
    }

    private static HubException notAnId(String s) {
        return new HubException("'" + s + "' is not a model id: expected ORG/NAME (letters, digits, '-', '_', '.'),"
                + " e.g. Qwen/Qwen2.5-Omni-3B");
    }

    /** The cache folder name huggingface_hub uses: {@code models--ORG--NAME}. */
    public String cacheFolderName() {
        return "models--" + org + "--" + name;
    }

    @Override
    public String toString() {
        return org + "/" + name;
    }
}
