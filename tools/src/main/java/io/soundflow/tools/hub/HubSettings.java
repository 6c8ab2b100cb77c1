package io.soundflow.tools.hub;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Where and how to reach the hub, read from the environment as {@code huggingface_hub} reads it.
 *
 * @param endpoint    {@code HF_ENDPOINT}, else https://huggingface.co (no trailing slash)
 * @param token       {@code HF_TOKEN}, else the token file {@code huggingface-cli login} writes
 *                    ({@code HF_TOKEN_PATH}, else {@code HF_HOME/token}); null when there is none
 * @param tokenSource where the token came from, for messages ("HF_TOKEN", a file path); null without one
 * @param cache       {@code HF_HUB_CACHE}, else {@code HF_HOME/hub}, else {@code XDG_CACHE_HOME/huggingface/hub},
 *                    else {@code ~/.cache/huggingface/hub}
 * @param offline     {@code HF_HUB_OFFLINE} is 1/true/yes/on
 */
public record HubSettings(URI endpoint, String token, String tokenSource, Path cache, boolean offline) {
    public static final String DEFAULT_ENDPOINT = "https://huggingface.co";
    private static final Set<String> TRUE = Set.of("1", "true", "yes", "on");

    public HubSettings {
        String e = endpoint.toString();
        if (e.endsWith("/")) {
            endpoint = URI.create(e.substring(0, e.length() - 1));
        }
        String scheme = endpoint.getScheme();
        if (scheme == null || !(scheme.equals("https") || scheme.equals("http")) || endpoint.getHost() == null) {
            throw new HubException("hub endpoint '" + e + "' is not an http(s) URL (HF_ENDPOINT or --endpoint)");
        }
    }

    /** The settings the environment gives, {@code home} standing for {@code ~}. */
    public static HubSettings fromEnvironment(Map<String, String> env, Path home) {
        String endpoint = nonBlank(env.get("HF_ENDPOINT"));
        Path hfHome = nonBlank(env.get("HF_HOME")) != null ? Path.of(env.get("HF_HOME"))
                : nonBlank(env.get("XDG_CACHE_HOME")) != null ? Path.of(env.get("XDG_CACHE_HOME"), "huggingface")
                : home.resolve(".cache").resolve("huggingface");
        Path cache = nonBlank(env.get("HF_HUB_CACHE")) != null ? Path.of(env.get("HF_HUB_CACHE")) : hfHome.resolve("hub");
        String token = nonBlank(env.get("HF_TOKEN"));
        String source = token == null ? null : "HF_TOKEN";
        if (token == null) {
            Path file = nonBlank(env.get("HF_TOKEN_PATH")) != null ? Path.of(env.get("HF_TOKEN_PATH")) : hfHome.resolve("token");
            token = readToken(file);
            source = token == null ? null : file.toString();
        }
        boolean offline = isTrue(env.get("HF_HUB_OFFLINE"));
        URI uri;
        try {
            uri = URI.create(endpoint == null ? DEFAULT_ENDPOINT : endpoint);
        } catch (IllegalArgumentException ex) {
            throw new HubException("HF_ENDPOINT '" + endpoint + "' is not a URL");
        }
        return new HubSettings(uri, token, source, cache, offline);
    }

    public HubSettings withEndpoint(URI e) {
        return new HubSettings(e, token, tokenSource, cache, offline);
    }

    public HubSettings withCache(Path c) {
        return new HubSettings(endpoint, token, tokenSource, c, offline);
    }

    public HubSettings withOffline(boolean o) {
        return new HubSettings(endpoint, token, tokenSource, cache, o);
    }

    public HubSettings withToken(String t, String source) {
        return new HubSettings(endpoint, t, t == null ? null : source, cache, offline);
    }

    static boolean isTrue(String v) {
        return v != null && TRUE.contains(v.trim().toLowerCase(Locale.ROOT));
    }

    private static String nonBlank(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    private static String readToken(Path file) {
        try {
            return Files.isRegularFile(file) ? nonBlank(Files.readString(file)) : null;
        } catch (IOException | RuntimeException ex) {
            return null;
        }
    }

    @Override
    public String toString() { // never the token itself
        return "HubSettings[endpoint=" + endpoint + ", token=" + (token == null ? "none" : "from " + tokenSource)
                + ", cache=" + cache + ", offline=" + offline + "]";
    }
}
