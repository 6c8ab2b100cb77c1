package io.soundflow.tools;

import io.soundflow.tools.audio.MicCapture;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code soundflow devices}: the capture devices {@code stream --mic --mic-device NAME} can open. */
@Command(name = "devices", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "List the audio capture devices (for stream --mic --mic-device NAME).")
final class DevicesCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        List<MicCapture.Device> devices = MicCapture.devices();
        var out = spec.commandLine().getOut();
        if (devices.isEmpty()) {
            out.println("no audio capture devices (the Java sound system reports none: connect a microphone, or check "
                    + "that this machine has a sound server or ALSA device)");
        }
        for (MicCapture.Device d : devices) {
            out.println(d.name() + (d.description().isBlank() ? "" : "  (" + d.description() + ")"));
        }
        return 0;
    }
}
