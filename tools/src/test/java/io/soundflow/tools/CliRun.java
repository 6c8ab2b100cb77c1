package io.soundflow.tools;

import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Test helper: runs the real {@code soundflow} command line in-process and captures its streams. */
public record CliRun(int code, String out, String err) {

    /** Runs {@code soundflow args...} through {@link Main#commandLine()}. */
    public static CliRun run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new CliRun(code, out.toString(), err.toString());
    }
}
