package io.soundflow.tools;

import picocli.CommandLine.Command;

/** {@code soundflow demo}: the streaming demo on the built-in default model and sample clip. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the streaming demo on the built-in tiny model and sample clip.")
final class DemoCommand implements Runnable {
    @Override
    public void run() {
        System.out.println("The streaming demo arrives with the streaming runtime (issue 5); nothing to run yet.");
    }
}
