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
        int code = run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new CliRun(code, out.toString(), err.toString());
    }

    /** Runs {@code soundflow args...} with the given standard output and error; returns the exit code. */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = Main.commandLine();
        cl.setOut(out);
        cl.setErr(err);
        return Main.execute(cl, args);
    }
}
