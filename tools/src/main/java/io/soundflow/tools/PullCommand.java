package io.soundflow.tools;

import io.soundflow.tools.hub.ConsoleProgress;
import io.soundflow.tools.hub.HubClient;
import io.soundflow.tools.hub.HubSettings;
import io.soundflow.tools.hub.Progress;
import io.soundflow.tools.hub.RepoId;
import io.soundflow.tools.hub.Sizes;
import io.soundflow.tools.hub.Snapshot;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.Console;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code soundflow pull ID}: fetches a model repository from the Hugging Face hub into the huggingface_hub cache
 * and prints its snapshot folder (usable as {@code --model DIR}) on stdout. Progress goes to stderr: a line per
 * file, redrawn in place, on a terminal; only the closing summary line otherwise.
 */
@Command(name = "pull", mixinStandardHelpOptions = true,
        description = {"Fetch a model repository from the Hugging Face hub into the huggingface_hub cache "
                + "(resumable, SHA-256 checked) and print its snapshot folder, usable as --model DIR.",
                "Environment: HF_TOKEN (gated or private repositories), HF_ENDPOINT, HF_HUB_CACHE (or HF_HOME), "
                        + "HF_HUB_OFFLINE=1."})
final class PullCommand implements Callable<Integer> {

    @Parameters(paramLabel = "ID", description = "The repository, ORG/NAME: e.g. zhifeixie/AudioInteraction, Qwen/Qwen2.5-Omni-3B.")
    String id;

    @Option(names = "--revision", paramLabel = "R", defaultValue = "main",
            description = "A branch, tag or commit hash (default: ${DEFAULT-VALUE}).")
    String revision;

    @Option(names = "--cache", paramLabel = "DIR",
            description = "The cache folder (default: $HF_HUB_CACHE, else $HF_HOME/hub, else ~/.cache/huggingface/hub).")
    Path cache;

    @Option(names = "--offline", description = "Use the cache only, no network (also HF_HUB_OFFLINE=1).")
    boolean offline;

    @Option(names = "--endpoint", paramLabel = "URL",
            description = "The hub (default: $HF_ENDPOINT, else " + HubSettings.DEFAULT_ENDPOINT + ").")
    URI endpoint;

    @Mixin
    VerboseOption verboseOption;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        RepoId repo = RepoId.parse(id);
        HubSettings s = HubSettings.fromEnvironment(System.getenv(), Path.of(System.getProperty("user.home")));
        if (cache != null) {
            s = s.withCache(cache.toAbsolutePath().normalize());
        }
        if (endpoint != null) {
            s = s.withEndpoint(endpoint);
        }
        if (offline) {
            s = s.withOffline(true);
        }
        Console console = System.console();
        Progress progress = console != null && console.isTerminal() ? new ConsoleProgress(err) : Progress.QUIET;
        Snapshot snap = new HubClient(s, progress).pull(repo, revision);
        err.println(summary(snap, s.offline()));
        err.flush();
        out.println(snap.folder());
        out.flush();
        return 0;
    }

    static String summary(Snapshot s, boolean offline) {
        String head = s.id() + " @ " + s.revision() + " (commit " + s.commit().substring(0, 12) + "): " + s.files()
                + " files, " + Sizes.human(s.totalBytes());
        if (offline) {
            return head + ", from the cache (offline)";
        }
        return head + "; downloaded " + s.downloadedFiles() + " (" + Sizes.human(s.downloadedBytes()) + "), "
                + (s.files() - s.downloadedFiles()) + " already in the cache";
    }
}
