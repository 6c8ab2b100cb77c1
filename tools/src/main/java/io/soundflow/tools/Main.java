package io.soundflow.tools;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code soundflow} command line: one subcommand a job, each a thin user of the engine API. */
@Command(name = "soundflow", mixinStandardHelpOptions = true, versionProvider = VersionInfo.class, showDefaultValues = true,
        description = "Streaming audio-interaction inference on the JVM.",
        subcommands = {
                DemoCommand.class,
                StreamCommand.class,
                EvalCommand.class,
                ServeCommand.class,
                BenchCommand.class,
                InspectCommand.class,
                ForwardCommand.class,
                AskCommand.class,
                TokenizeCommand.class,
                FeaturesCommand.class,
                DevicesCommand.class,
                PullCommand.class,
                CommandLine.HelpCommand.class,
        })
public final class Main implements Runnable {

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        // Library log lines (e.g. the kernels backend announcement) as one short line on stderr.
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "soundflow %4$s: %5$s%6$s%n");
        }
        if (!java.util.Arrays.asList(args).contains("--verbose")) { // the backend announcement only with --verbose
            KERNELS_LOG.setLevel(java.util.logging.Level.WARNING);
        }
        System.exit(execute(commandLine(), args));
    }

    /** Held here: java.util.logging keeps loggers weakly, and a collected one would forget its level. */
    private static final java.util.logging.Logger KERNELS_LOG = java.util.logging.Logger.getLogger("soundflow.kernels");

    /** The configured command line (also used by tests); every subcommand shares one standard output writer. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler(new Errors());
        cl.setOut(new PrintWriter(System.out, true));
        return cl;
    }

    /**
     * Runs a command and returns its exit code; a command that "succeeded" while its standard output
     * could not be written (e.g. {@code > /dev/full}) exits 1 with one line on stderr, never 0 with the
     * output lost.
     */
    public static int execute(CommandLine cl, String... args) {
        int rc = cl.execute(args);
        if (rc == 0 && cl.getOut().checkError()) {
            cl.getErr().println("soundflow: " + Stdout.FAILED);
            cl.getErr().flush();
            rc = 1;
        }
        return rc;
    }
}
